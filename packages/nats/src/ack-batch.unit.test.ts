/** Acks are sent together on the next turn of the event loop, or at once on `flush()`, never lost. */
import { describe, expect, it } from 'vitest';
import { createAckBatch } from './ack-batch.ts';

const acked = (sent: string[], name: string) => ({ ack: () => void sent.push(name) });

describe('ack batch', () => {
  it('sends every ack of one turn together on the next turn, in order', async () => {
    const sent: string[] = [];
    const batch = createAckBatch((msg) => msg.ack());
    batch.ack(acked(sent, 'a'));
    await Promise.resolve();
    batch.ack(acked(sent, 'b'));
    expect(sent).toEqual([]);
    await new Promise<void>((resume) => setImmediate(resume));
    expect(sent).toEqual(['a', 'b']);
  });

  it('sends them at once on flush, and not a second time on the next turn', async () => {
    const sent: string[] = [];
    const batch = createAckBatch((msg) => msg.ack());
    batch.ack(acked(sent, 'a'));
    batch.flush();
    expect(sent).toEqual(['a']);
    await new Promise<void>((resume) => setImmediate(resume));
    expect(sent).toEqual(['a']);
    batch.ack(acked(sent, 'b'));
    await new Promise<void>((resume) => setImmediate(resume));
    expect(sent).toEqual(['a', 'b']);
  });
});
