/**
 * The two Lua scripts behind partition ownership. Each runs atomically on the server, with
 * the server's clock, so members never compare their own clocks:
 *
 * - `balance`: heartbeat of one member for one topic (ZADD to the member set, members not
 *   seen for a lease time dropped), renewal of the leases it holds (compare-and-pexpire),
 *   and, when asked, acquisition of free lanes (`SET NX PX`) up to its fair share,
 *   ceil(lanes / live members).
 * - `release`: compare-and-delete of one lease, so a member never frees a lane another
 *   member acquired after its own lease ran out.
 */
import type { Redis } from 'ioredis';

const balanceScript = `
local me, ttl = ARGV[1], tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, me)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ttl)
redis.call('PEXPIRE', KEYS[1], ttl * 3)
local live = redis.call('ZCARD', KEYS[1])
local target = math.ceil((#KEYS - 1) / live)
local owned = {}
for i = 2, #KEYS do
  if redis.call('GET', KEYS[i]) == me then
    redis.call('PEXPIRE', KEYS[i], ttl)
    owned[#owned + 1] = i - 2
  end
end
if ARGV[3] == '1' then
  for i = 2, #KEYS do
    if #owned >= target then break end
    if redis.call('SET', KEYS[i], me, 'NX', 'PX', ttl) then owned[#owned + 1] = i - 2 end
  end
end
return {live, target, owned}
`;

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** What `balance` answers: live members, this member's fair share, the lanes (indexes) it holds. */
export interface Balance {
  readonly live: number;
  readonly target: number;
  readonly owned: readonly number[];
}

export function balanceArgs(
  membersKey: string,
  leaseKeys: readonly string[],
  member: string,
  leaseMs: number,
  acquire: boolean,
): (string | number)[] {
  return [
    balanceScript,
    1 + leaseKeys.length,
    membersKey,
    ...leaseKeys,
    member,
    leaseMs,
    acquire ? '1' : '0',
  ];
}

export function toBalance(reply: unknown): Balance {
  const [live, target, owned] = reply as [number, number, number[]];
  return { live, target, owned };
}

/** Frees one lease if this member still holds it. */
export async function releaseLease(redis: Redis, leaseKey: string, member: string): Promise<void> {
  await redis.call('EVAL', releaseScript, 1, leaseKey, member);
}

/** Leaves a topic's member set at once (a clean close), so the others rebalance without waiting a lease. */
export async function leaveMembers(redis: Redis, membersKey: string, member: string): Promise<void> {
  await redis.call('ZREM', membersKey, member);
}
