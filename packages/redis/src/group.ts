/**
 * The consumer group on each lane: created where it starts (`startFrom`: `0` for the
 * earliest retained entry, `$` for new ones only), and a member's name removed on close
 * when it holds nothing (deleting a consumer drops its pending entries).
 */
import type { StartPosition } from '@tidings/core/spi';
import type { Redis } from 'ioredis';
import type { Lane } from './lanes.ts';
import type { GroupMember } from './pending.ts';

export async function createGroups(
  redis: Redis,
  lanes: readonly Lane[],
  group: string,
  startFrom: StartPosition,
): Promise<void> {
  const start = startFrom === 'earliest' ? '0' : '$';
  const pipeline = redis.pipeline();
  for (const lane of lanes) pipeline.call('XGROUP', 'CREATE', lane.stream, group, start, 'MKSTREAM');
  for (const [error] of (await pipeline.exec()) ?? []) {
    if (error && !error.message.startsWith('BUSYGROUP')) throw error;
  }
}

export async function forgetConsumer(
  redis: Redis,
  lanes: readonly Lane[],
  member: GroupMember,
): Promise<void> {
  const pending = redis.pipeline();
  for (const lane of lanes) pending.call('XPENDING', lane.stream, member.group, '-', '+', 1, member.consumer);
  const results = (await pending.exec()) ?? [];
  const remove = redis.pipeline();
  for (const [i, lane] of lanes.entries()) {
    const [error, rows] = results[i] ?? [new Error('no reply')];
    if (!error && Array.isArray(rows) && rows.length === 0) {
      remove.call('XGROUP', 'DELCONSUMER', lane.stream, member.group, member.consumer);
    }
  }
  await remove.exec();
}
