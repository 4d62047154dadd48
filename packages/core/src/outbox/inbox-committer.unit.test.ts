import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ConfigurationError } from '../errors/errors.ts';
import { defineEvent } from '../event/define-event.ts';
import { createMemoryOutboxStore, type MemoryTx } from '../memory/memory-outbox-store.ts';
import type { Inbox } from './inbox.ts';
import { createInboxCommitter } from './inbox-committer.ts';

const Noted = defineEvent('test.Noted', { schema: z.object({ n: z.number() }) });

function setup() {
  const store = createMemoryOutboxStore();
  const transactions = vi.spyOn(store, 'transaction');
  const recorded = (handler: string, id: string) =>
    store.transaction(async (tx) => !(await store.markProcessed(tx, handler, id)));
  return { store, transactions, recorded };
}

describe('createInboxCommitter (group commit)', () => {
  it('runs arriving in the same tick share one transaction, all recorded', async () => {
    const { store, transactions, recorded } = setup();
    const committer = createInboxCommitter(store);
    const ids = ['e1', 'e2', 'e3', 'e4', 'e5'];
    const results = await Promise.all(ids.map((id) => committer.run('h', id, async () => undefined)));
    expect(results).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(transactions).toHaveBeenCalledTimes(1);
    for (const id of ids) expect(await recorded('h', id)).toBe(true);
  });

  it('answers duplicate, without running the work, for an id recorded earlier', async () => {
    const { store } = setup();
    const committer = createInboxCommitter(store);
    expect(await committer.run('h', 'e1', async () => undefined)).toBe('done');
    const work = vi.fn(async () => undefined);
    const results = await Promise.all([committer.run('h', 'e1', work), committer.run('h', 'e2', work)]);
    expect(results).toEqual(['duplicate', 'done']);
    expect(work).toHaveBeenCalledTimes(1);
  });

  it('the same id twice in one tick: the second waits for the first and is a duplicate', async () => {
    const { store } = setup();
    const committer = createInboxCommitter(store);
    const work = vi.fn(async () => undefined);
    const results = await Promise.all([committer.run('h', 'e1', work), committer.run('h', 'e1', work)]);
    expect(results).toEqual(['done', 'duplicate']);
    expect(work).toHaveBeenCalledTimes(1);
  });

  it('the same id twice in one tick whose first run fails: the second runs it', async () => {
    const { store, recorded } = setup();
    const committer = createInboxCommitter(store);
    const first = committer.run('h', 'e1', async () => {
      throw new Error('first delivery failed');
    });
    const second = committer.run('h', 'e1', async () => undefined);
    await expect(first).rejects.toThrow('first delivery failed');
    expect(await second).toBe('done');
    expect(await recorded('h', 'e1')).toBe(true);
  });

  it('one failing run rejects alone and leaves no record and none of its writes; the others commit', async () => {
    const { store, transactions, recorded } = setup();
    const committer = createInboxCommitter(store);
    const write = (tx: MemoryTx, n: number) =>
      store.append(tx, [{ event: Noted.create({ n }), consumers: [] }]);
    const runs = [
      committer.run('h', 'e1', async (tx) => write(tx, 1)),
      committer.run('h', 'e2', async (tx) => {
        write(tx, 2);
        throw new Error('handler 2 failed');
      }),
      committer.run('other', 'e2', async (tx) => write(tx, 3)),
    ];
    const settled = await Promise.allSettled(runs);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toEqual(new Error('handler 2 failed'));
    expect(transactions).toHaveBeenCalledTimes(1);
    expect((await store.events()).map((s) => s.event.payload)).toEqual([{ n: 1 }, { n: 3 }]);
    expect(await recorded('h', 'e1')).toBe(true);
    expect(await recorded('other', 'e2')).toBe(true);
    expect(await recorded('h', 'e2')).toBe(false);
  });

  it('bounds a group by maxRuns', async () => {
    const { store, transactions } = setup();
    const committer = createInboxCommitter(store, { maxRuns: 3 });
    const runs = Array.from({ length: 10 }, (_, i) => committer.run('h', `e${i}`, async () => undefined));
    expect(new Set(await Promise.all(runs))).toEqual(new Set(['done']));
    expect(transactions).toHaveBeenCalledTimes(4);
  });

  it('runs that arrive while a group is open form the next group', async () => {
    const { store, transactions } = setup();
    const committer = createInboxCommitter(store);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = committer.run('h', 'e0', () => held);
    await vi.waitFor(() => expect(transactions).toHaveBeenCalledTimes(1));
    const later = ['e1', 'e2', 'e3'].map((id) => committer.run('h', id, async () => undefined));
    release();
    expect(await Promise.all([first, ...later])).toEqual(['done', 'done', 'done', 'done']);
    expect(transactions).toHaveBeenCalledTimes(2);
  });

  it('falls back to one transaction per run when the store has no savepoints, or maxRuns is 1', async () => {
    const { store, transactions } = setup();
    const plain: Inbox<MemoryTx> = {
      transaction: (work) => store.transaction(work),
      markProcessed: store.markProcessed,
    };
    const runs = (committer: ReturnType<typeof createInboxCommitter<MemoryTx>>, prefix: string) =>
      Promise.all(['a', 'b', 'c'].map((id) => committer.run('h', prefix + id, async () => undefined)));
    expect(await runs(createInboxCommitter(plain), 'p')).toEqual(['done', 'done', 'done']);
    expect(transactions).toHaveBeenCalledTimes(3);
    expect(await runs(createInboxCommitter(store, { maxRuns: 1 }), 'q')).toEqual(['done', 'done', 'done']);
    expect(transactions).toHaveBeenCalledTimes(6);
  });

  it('runs the work in the async context of the caller, not of the group', async () => {
    const { store } = setup();
    const committer = createInboxCommitter(store);
    const context = new AsyncLocalStorage<string>();
    const seen: (string | undefined)[] = [];
    await Promise.all(
      ['a', 'b'].map((id) =>
        context.run(`caller ${id}`, () =>
          committer.run('h', id, async () => {
            seen.push(context.getStore());
          }),
        ),
      ),
    );
    expect(seen).toEqual(['caller a', 'caller b']);
  });

  it('fails the whole group, committing nothing, when a savepoint cannot be rolled back', async () => {
    const { store, recorded } = setup();
    const broken: Inbox<MemoryTx> = {
      transaction: (work) => store.transaction(work),
      markProcessed: store.markProcessed,
      unmarkProcessed: store.unmarkProcessed,
      async savepoint(_tx, work) {
        try {
          return await work();
        } catch {
          throw new Error('connection lost during ROLLBACK TO SAVEPOINT');
        }
      },
    };
    const committer = createInboxCommitter(broken);
    const settled = await Promise.allSettled([
      committer.run('h', 'e1', async () => undefined),
      committer.run('h', 'e2', async () => {
        throw new Error('handler failed');
      }),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect((settled[0] as PromiseRejectedResult).reason).toEqual(
      new Error('connection lost during ROLLBACK TO SAVEPOINT'),
    );
    expect(await recorded('h', 'e1')).toBe(false);
  });

  it('refuses group sizes that are not positive integers, naming the field', () => {
    const { store } = setup();
    expect(() => createInboxCommitter(store, { maxRuns: 0 })).toThrow(ConfigurationError);
    expect(() => createInboxCommitter(store, { concurrency: 1.5 })).toThrow(/groupCommit\.concurrency/);
  });
});
