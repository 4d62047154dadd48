/**
 * The scenarios every ORM adapter passes against a real database: the user's rows and the
 * outbox rows commit or roll back together (thrown error, failed constraint), a durable
 * handler's write commits with its inbox record, and a handle outside a transaction is
 * refused. Each adapter's test supplies a harness that does the ORM-specific parts in that
 * ORM's own idiom; the assertions are shared.
 */
import {
  type AnyDomainEvent,
  ConfigurationError,
  createCatalog,
  createConsumer,
  createMemoryDeadLetterSink,
  createMemoryTransport,
  createOutbox,
  createOutboxRelay,
  defineEvent,
  durableHandlerFor,
  type Outbox,
  toTransportMessage,
} from '@tidings/core';
import { createInboxCommitter, inboxMarker } from '@tidings/core/spi';
import { waitUntil } from '@tidings/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { OrmOutboxStore } from '../src/shared/orm-outbox-store.ts';

export const OrderPlaced = defineEvent('orm.OrderPlaced', { schema: z.object({ orderId: z.string() }) });

export type Fault = 'throw' | 'duplicate-row';

export interface OrmHarness<Tx> {
  /** The adapter's store, over a fresh schema or file. */
  readonly store: OrmOutboxStore<Tx>;
  /**
   * In the user's own ORM transaction (not outbox.transaction): inserts order `id`, appends
   * `events` with `outbox.append(tx, …)`, then fails as `fault` says (after the append).
   */
  placeOrder(outbox: Outbox<Tx>, id: string, events: readonly AnyDomainEvent[], fault?: Fault): Promise<void>;
  /** Inserts order `id` (primary key) with the ORM on `tx`. */
  insertOrder(tx: Tx, id: string): void | Promise<void>;
  /** Committed order ids, sorted. */
  orderIds(): Promise<string[]>;
  /** A handle of the ORM that is not inside a transaction. */
  readonly outsideTransaction: unknown;
  close(): Promise<void>;
}

const placed = (orderId: string) =>
  OrderPlaced.create({ orderId }, { subject: { type: 'Order', id: orderId } });

export function runOrmAdapterScenarios<Tx>(name: string, setup: () => Promise<OrmHarness<Tx>>): void {
  describe(name, () => {
    let h: OrmHarness<Tx>;
    beforeEach(async () => {
      h = await setup();
    });
    afterEach(async () => {
      await h.close();
    });

    const eventIds = async () => (await h.store.events()).map((stored) => stored.event.id);

    it('commits a domain row and its events in one user transaction', async () => {
      const outbox = createOutbox({ store: h.store, routes: [{ name: 'broker' }] });
      const event = placed('o-1');
      await h.placeOrder(outbox, 'o-1', [event]);
      expect(await h.orderIds()).toEqual(['o-1']);
      expect(await eventIds()).toEqual([event.id]);
      expect(await h.store.deliveries(event.id)).toMatchObject([{ consumer: 'broker', status: 'pending' }]);
    });

    it('rolls back the row and the events when the work throws', async () => {
      const outbox = createOutbox({ store: h.store, routes: [{ name: 'broker' }] });
      await expect(h.placeOrder(outbox, 'o-2', [placed('o-2')], 'throw')).rejects.toThrow('payment declined');
      expect(await h.orderIds()).toEqual([]);
      expect(await eventIds()).toEqual([]);
    });

    it('rolls back the row and the events when a constraint fails after the append', async () => {
      const outbox = createOutbox({ store: h.store, routes: [{ name: 'broker' }] });
      await expect(h.placeOrder(outbox, 'o-3', [placed('o-3')], 'duplicate-row')).rejects.toThrow();
      expect(await h.orderIds()).toEqual([]);
      expect(await eventIds()).toEqual([]);
    });

    it('rolls back the row when the append itself fails (an event appended twice)', async () => {
      const outbox = createOutbox({ store: h.store, routes: [{ name: 'broker' }] });
      const event = placed('o-8');
      await h.placeOrder(outbox, 'o-8', [event]);
      await expect(h.placeOrder(outbox, 'o-9', [event])).rejects.toThrow(/already|twice/);
      expect(await h.orderIds()).toEqual(['o-8']);
      expect(await eventIds()).toEqual([event.id]);
    });

    it('runs outbox.transaction as an ORM transaction, rolled back as one', async () => {
      const outbox = createOutbox({ store: h.store, routes: [{ name: 'broker' }] });
      const kept = placed('o-4');
      await outbox.transaction(async (tx, record) => {
        await h.insertOrder(tx, 'o-4');
        record(kept);
      });
      await expect(
        outbox.transaction(async (tx, record) => {
          await h.insertOrder(tx, 'o-5');
          record(placed('o-5'));
          throw new Error('out of stock');
        }),
      ).rejects.toThrow('out of stock');
      expect(await h.orderIds()).toEqual(['o-4']);
      expect(await eventIds()).toEqual([kept.id]);
    });

    it("commits a durable handler's write with its inbox record, through the ORM transaction", async () => {
      let attempts = 0;
      const handler = durableHandlerFor(h.store)(
        'record-effect',
        OrderPlaced,
        async (event, { tx }) => {
          await h.insertOrder(tx, `effect-${event.payload.orderId}`);
          attempts += 1;
          // The first attempt's write must roll back with its inbox record.
          if (attempts === 1) throw new Error('mail server busy');
        },
        { inbox: true, retry: { maxAttempts: 3, baseDelayMs: 0, jitter: 'none' } },
      );
      const outbox = createOutbox({ store: h.store, handlers: [handler] });
      const event = placed('o-6');
      await outbox.publish(event);
      await createOutboxRelay(outbox, { pollIntervalMs: 60_000 }).drain();
      expect(attempts).toBe(2);
      expect(await h.orderIds()).toEqual(['effect-o-6']);
      expect((await h.store.deliveries(event.id))[0]).toMatchObject({ status: 'done', attempts: 1 });
      // The record committed: a redelivery would be skipped.
      const fresh = await h.store.transaction((tx) => h.store.markProcessed(tx, 'record-effect', event.id));
      expect(fresh).toBe(false);
    });

    it('group commit: runs share an ORM transaction; a failing run loses only its own row and record', async () => {
      const committer = createInboxCommitter(h.store);
      const ids = ['g-1', 'g-2', 'g-3'];
      const settled = await Promise.allSettled(
        ids.map((id) =>
          committer.run('project', id, async (tx) => {
            await h.insertOrder(tx, id);
            if (id === 'g-2') throw new Error('projection failed');
          }),
        ),
      );
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(await h.orderIds()).toEqual(['g-1', 'g-3']);
      const fresh = await h.store.transaction((tx) => h.store.markProcessed(tx, 'project', ids));
      expect([...fresh]).toEqual(['g-2']);
    });

    it("gives a consumer's inbox handler the ORM transaction: a redelivered message has no second effect", async () => {
      const transport = createMemoryTransport();
      const seen: string[] = [];
      const handler = durableHandlerFor(h.store)(
        'project-order',
        OrderPlaced,
        async (event, { tx }) => {
          await h.insertOrder(tx, `projected-${event.payload.orderId}`);
          seen.push(event.id);
        },
        { inbox: true },
      );
      const answers: boolean[] = [];
      const consumer = createConsumer({
        transport,
        catalog: createCatalog([OrderPlaced]),
        deadLetters: createMemoryDeadLetterSink(),
        inbox: {
          transaction: (work) => h.store.transaction(work),
          markProcessed: inboxMarker(async (tx: Tx, name, eventIds) => {
            const fresh = await h.store.markProcessed(tx, name, eventIds);
            for (const id of eventIds) answers.push(fresh.has(id));
            return fresh;
          }),
        },
        handlers: [handler],
      });
      await consumer.start();
      const message = toTransportMessage(placed('o-10'));
      await transport.publish([message]);
      await waitUntil(() => answers.length === 1, 'the first delivery');
      // The broker delivers the same message again (a lost ack): the inbox record says done.
      await transport.publish([message]);
      await waitUntil(() => answers.length === 2, 'the redelivery');
      await consumer.close();
      await transport.close();
      expect(answers).toEqual([true, false]);
      expect(seen).toHaveLength(1);
      expect(await h.orderIds()).toEqual(['projected-o-10']);
    });

    it('refuses a handle outside a transaction, naming what to pass, and writes nothing', async () => {
      const outbox = createOutbox({ store: h.store, routes: [{ name: 'broker' }] });
      const outside = h.outsideTransaction as Tx;
      const append = async () => outbox.append(outside, [placed('o-7')]);
      await expect(append()).rejects.toThrow(ConfigurationError);
      await expect(append()).rejects.toThrow(/transaction.*Pass /);
      await expect(async () => h.store.markProcessed(outside, 'record-effect', 'e-1')).rejects.toThrow(
        ConfigurationError,
      );
      expect(await eventIds()).toEqual([]);
    });
  });
}
