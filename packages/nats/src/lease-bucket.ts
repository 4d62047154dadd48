/**
 * The lease bucket: a JetStream KV bucket (`KV_<stream>_leases`, readable with `nats kv`)
 * through which members of a group own a topic's ordered lanes one member at a time.
 * Every write is compare-and-set on the subject's last sequence (JetStream's
 * `Nats-Expected-Last-Subject-Sequence`, what KV `create`/`update` use): creating a lease
 * acquires it, writing over one's own revision renews it, an empty value over it releases
 * it. The bucket's `max_age` is the lease TTL: an entry not rewritten within it vanishes
 * server-side, so a crashed member's lanes come free without anyone's clock. Members also
 * write a heartbeat entry per (group, topic), whose count is how many share the lanes.
 */
import {
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  StorageType,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { TransportError } from '@tidings/core';
import { errorMessage } from '@tidings/core/spi';

/** JetStream's "wrong last sequence": someone else wrote the entry since we read it. */
const wrongLastSequence = 10071;

export interface LeaseBucket {
  /** Writes (or refreshes) `member`'s heartbeat in `scope`. */
  heartbeat(scope: string, member: string): Promise<void>;
  /** Live members of `scope` (heartbeats younger than the TTL). */
  members(scope: string): Promise<number>;
  /** Removes `member`'s heartbeat. */
  leave(scope: string, member: string): Promise<void>;
  /** Takes lane `partition` if nobody holds it: its revision, or `undefined` if held. */
  acquire(scope: string, partition: number, member: string): Promise<number | undefined>;
  /** Rewrites one's own lease: the new revision, or `undefined` if it was lost meanwhile. */
  renew(scope: string, partition: number, member: string, revision: number): Promise<number | undefined>;
  /** Gives the lane up (only if `revision` is still the lease's). */
  release(scope: string, partition: number, revision: number): Promise<void>;
}

const encoder = new TextEncoder();

function isWrongLastSequence(error: unknown): boolean {
  return (
    (error instanceof JetStreamApiError && error.code === wrongLastSequence) ||
    /wrong last sequence/i.test(errorMessage(error))
  );
}

export async function openLeaseBucket(
  jsm: JetStreamManager,
  js: JetStreamClient,
  stream: string,
  ttlMs: number,
): Promise<LeaseBucket> {
  const bucket = `${stream}_leases`;
  const name = `KV_${bucket}`;
  const config = {
    name,
    subjects: [`$KV.${bucket}.>`],
    max_msgs_per_subject: 1,
    max_age: nanos(ttlMs),
    // Leases are worth nothing after a server restart: every owner's next renewal fails its
    // compare-and-set and members take lanes afresh (a consumer reset keeps their order).
    storage: StorageType.Memory,
    allow_rollup_hdrs: true,
  };
  try {
    const info = await jsm.streams.info(name).catch(() => undefined);
    if (!info) await jsm.streams.add(config);
    else if (info.config.max_age !== config.max_age)
      await jsm.streams.update(name, { max_age: config.max_age });
  } catch (error) {
    throw new TransportError(
      `Cannot set up the JetStream KV bucket "${bucket}" that holds the lane leases of stream "${stream}": ${errorMessage(error)}. Check that JetStream is enabled and has memory storage available.`,
      { cause: error },
    );
  }
  const lease = (scope: string, partition: number) => `$KV.${bucket}.${scope}.p${partition}`;
  const heartbeatOf = (scope: string, member: string) => `$KV.${bucket}.${scope}.m.${member}`;
  const write = async (subject: string, value: string, last: number): Promise<number | undefined> => {
    try {
      const ack = await js.publish(subject, encoder.encode(value), { expect: { lastSubjectSequence: last } });
      return ack.seq;
    } catch (error) {
      if (isWrongLastSequence(error)) return undefined;
      throw error;
    }
  };
  return {
    async heartbeat(scope, member) {
      await js.publish(heartbeatOf(scope, member), encoder.encode(String(Date.now())));
    },
    async members(scope) {
      const info = await jsm.streams.info(name, { subjects_filter: heartbeatOf(scope, '*') });
      return Object.keys(info.state.subjects ?? {}).length;
    },
    async leave(scope, member) {
      await jsm.streams.purge(name, { filter: heartbeatOf(scope, member) });
    },
    async acquire(scope, partition, member) {
      const subject = lease(scope, partition);
      const current = await jsm.streams.getMessage(name, { last_by_subj: subject }).catch(() => null);
      // Absent (never taken, or expired) or released (empty value): free.
      if (current && current.data.byteLength > 0) return undefined;
      return write(subject, member, current?.seq ?? 0);
    },
    renew: (scope, partition, member, revision) => write(lease(scope, partition), member, revision),
    async release(scope, partition, revision) {
      await write(lease(scope, partition), '', revision);
    },
  };
}
