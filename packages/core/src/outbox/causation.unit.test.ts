import { expect, it } from 'vitest';
import { z } from 'zod';
import { defineEvent } from '../event/define-event.ts';
import { createMemoryOutboxStore } from '../memory/memory-outbox-store.ts';
import { causationChain, causationTree } from './causation.ts';

const Happened = defineEvent('Happened', { schema: z.object({ name: z.string() }) });

it('builds the tree of everything an event caused, and the chain of its causes', async () => {
  const store = createMemoryOutboxStore();
  const order = Happened.create({ name: 'order' });
  const email = Happened.create({ name: 'email' }, { causedBy: order });
  const dashboard = Happened.create({ name: 'dashboard' }, { causedBy: order });
  const receipt = Happened.create({ name: 'receipt' }, { causedBy: email });
  const unrelated = Happened.create({ name: 'unrelated' });
  await store.transaction((tx) =>
    store.append(
      tx,
      [order, email, dashboard, receipt, unrelated].map((event) => ({ event, consumers: [] })),
    ),
  );
  const tree = await causationTree(store, order.id);
  const names = (node: NonNullable<typeof tree>): unknown => ({
    name: (node.event.payload as { name: string }).name,
    caused: node.caused.map(names),
  });
  expect(names(tree!)).toEqual({
    name: 'order',
    caused: [
      { name: 'email', caused: [{ name: 'receipt', caused: [] }] },
      { name: 'dashboard', caused: [] },
    ],
  });
  expect((await causationChain(store, receipt.id)).map((e) => e.id)).toEqual([
    order.id,
    email.id,
    receipt.id,
  ]);
  expect(await causationTree(store, 'missing')).toBeUndefined();
  expect(
    (await causationTree(store, order.id, { maxDepth: 1 }))!.caused.every((n) => n.caused.length === 0),
  ).toBe(true);
});
