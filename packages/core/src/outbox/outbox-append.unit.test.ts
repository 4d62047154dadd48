import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { StoreError } from '../errors/errors.ts';
import { defineEvent } from '../event/define-event.ts';
import { createMemoryOutboxStore, type MemoryTx } from '../memory/memory-outbox-store.ts';
import { createOutbox } from './outbox.ts';

const Noted = defineEvent('Noted', { schema: z.object({ text: z.string() }) });

describe('outbox.append in a transaction the caller manages', () => {
  it('throws synchronously when the store appends synchronously, so a synchronous transaction rolls back', () => {
    const memory = createMemoryOutboxStore();
    const store = {
      ...memory,
      append: () => {
        throw new StoreError('Event id is already in the outbox.');
      },
    };
    const outbox = createOutbox({ store });
    const tx: MemoryTx = { staged: [], inbox: [] };
    expect(() => outbox.append(tx, [Noted.create({ text: 'hi' })])).toThrow('already in the outbox');
  });

  it('resolves once an asynchronous store has appended', async () => {
    const store = createMemoryOutboxStore();
    const outbox = createOutbox({ store });
    const tx: MemoryTx = { staged: [], inbox: [] };
    await outbox.append(tx, [Noted.create({ text: 'hi' })]);
    expect(tx.staged).toHaveLength(1);
  });
});
