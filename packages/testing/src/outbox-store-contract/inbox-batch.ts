/**
 * Contract scenarios: the inbox in batches (`markProcessed(tx, handler, ids[])`) and group
 * commit through `createInboxCommitter` — duplicates inside a batch, new and old ids mixed,
 * a failing run leaving nothing while the others of its group commit, and two consumers'
 * groups racing on one id.
 */
import type { Inbox, OutboxStore } from '@tidings/core';
import { createInboxCommitter, type InboxRunResult } from '@tidings/core/spi';
import { expect, it } from 'vitest';
import type { ContractContext } from './context.ts';
import { makeEvent } from './fixture.ts';

const sorted = (ids: ReadonlySet<string>) => [...ids].sort();

export function inboxBatchScenarios<Tx>(c: ContractContext<Tx>): void {
  const mark = (ids: readonly string[], handler = 'send-email') =>
    c.store.transaction(async (tx) => sorted(await c.store.markProcessed(tx, handler, ids)));

  it('a batch records each id once, an id given twice counting as new once', async () => {
    const [a, b] = [makeEvent('cart-1').id, makeEvent('cart-1').id];
    expect(await mark([a, a, b])).toEqual([a, b].sort());
    expect(await mark([b, a])).toEqual([]);
    expect(await mark([])).toEqual([]);
  });

  it('a batch of new and old ids resolves only the new; the one-id form agrees', async () => {
    const [old, fresh1, fresh2] = [makeEvent('cart-1').id, makeEvent('cart-1').id, makeEvent('cart-2').id];
    await mark([old]);
    expect(await mark([fresh1, old, fresh2])).toEqual([fresh1, fresh2].sort());
    // Records are per handler.
    expect(await mark([old, fresh1], 'update-dashboard')).toEqual([old, fresh1].sort());
    expect(await c.store.transaction((tx) => c.store.markProcessed(tx, 'send-email', old))).toBe(false);
  });

  it('a batch in a transaction that rolls back records nothing', async () => {
    const ids = [makeEvent('cart-1').id, makeEvent('cart-2').id];
    await expect(
      c.store.transaction(async (tx) => {
        await c.store.markProcessed(tx, 'send-email', ids);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await mark(ids)).toEqual([...ids].sort());
  });

  it('group commit: a failing run leaves no record and none of its writes; the others of its group commit', async ({
    skip,
  }) => {
    if (!c.store.savepoint) return skip('the store has no savepoints (one transaction per run)');
    const committer = createInboxCommitter(c.store as Inbox<Tx>);
    const events = [makeEvent('cart-1'), makeEvent('cart-2'), makeEvent('cart-3'), makeEvent('cart-4')];
    const failing = events[1]!;
    const runs = events.map((event) =>
      committer.run('project', event.id, async (tx) => {
        await c.store.append(tx, [{ event, consumers: [] }]);
        if (event === failing) throw new Error(`handler failed on ${event.id}`);
      }),
    );
    const settled = await Promise.allSettled(runs);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(String((settled[1] as PromiseRejectedResult).reason)).toContain(failing.id);
    const stored = (await c.store.events()).map((s) => s.event.id);
    expect(stored.sort()).toEqual(
      events
        .filter((e) => e !== failing)
        .map((e) => e.id)
        .sort(),
    );
    // The failed run's record is gone (a redelivery runs it), the others' stop duplicates.
    expect(
      await mark(
        events.map((e) => e.id),
        'project',
      ),
    ).toEqual([failing.id]);
  });

  it('group commit: a failing run leaves the transaction usable for the runs after it', async ({ skip }) => {
    const savepoint = c.store.savepoint?.bind(c.store);
    if (!savepoint) return skip('the store has no savepoints (one transaction per run)');
    const [kept, dropped, after] = [makeEvent('cart-1'), makeEvent('cart-2'), makeEvent('cart-3')];
    await c.store.transaction(async (tx) => {
      await savepoint(tx, async () => c.store.append(tx, [{ event: kept, consumers: [] }]));
      await expect(
        savepoint(tx, async () => {
          await c.store.append(tx, [{ event: dropped, consumers: [] }]);
          throw new Error('run failed');
        }),
      ).rejects.toThrow('run failed');
      await savepoint(tx, async () => c.store.append(tx, [{ event: after, consumers: [] }]));
    });
    expect((await c.store.events()).map((s) => s.event.id).sort()).toEqual([kept.id, after.id].sort());
  });

  it('group commit: two consumers racing on one id, exactly one runs it', async () => {
    const peer = (await c.fixture.peer()) as OutboxStore<Tx> & Inbox<Tx>;
    const contested = makeEvent('cart-1').id;
    const calls: string[] = [];
    const consumer = (name: string, inbox: Inbox<Tx>) => {
      const committer = createInboxCommitter(inbox);
      const own = [makeEvent(`${name}-1`).id, makeEvent(`${name}-2`).id];
      return Promise.all(
        [own[0]!, contested, own[1]!].map((id) =>
          committer.run('project', id, async () => {
            calls.push(id === contested ? 'contested' : name);
          }),
        ),
      );
    };
    const [first, second] = await Promise.all([consumer('a', c.store), consumer('b', peer)]);
    const contestedResults: InboxRunResult[] = [first[1]!, second[1]!].sort();
    expect(contestedResults).toEqual(['done', 'duplicate']);
    expect(calls.filter((call) => call === 'contested')).toHaveLength(1);
    expect(calls.filter((call) => call !== 'contested').sort()).toEqual(['a', 'a', 'b', 'b']);
  });
}
