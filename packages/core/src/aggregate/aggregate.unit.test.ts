/**
 * Both aggregate forms record events with the aggregate as subject and an increasing
 * sequence that continues after a loaded version; `pullEvents()` hands back a frozen array
 * and clears. The subject type is the explicit string, whatever the class is called.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../errors/errors.ts';
import { defineEvent } from '../event/define-event.ts';
import { AggregateRoot, createEventRecorder } from './aggregate.ts';

const OrderPlaced = defineEvent('OrderPlaced', {
  schema: z.object({ orderId: z.string(), total: z.number() }),
});
const OrderPaid = defineEvent('OrderPaid', { schema: z.object({ orderId: z.string() }) });

class Order extends AggregateRoot {
  status: 'new' | 'placed' | 'paid' = 'new';
  constructor(id: string, version = 0) {
    super('Order', id, version);
  }
  place(total: number) {
    this.record(OrderPlaced, { orderId: this.id, total });
    this.status = 'placed';
  }
  pay() {
    this.record(OrderPaid, { orderId: this.id });
    this.status = 'paid';
  }
}

describe('AggregateRoot', () => {
  it('records events with the explicit subject type and sequence from 1', () => {
    const order = new Order('o-1');
    order.place(42);
    order.pay();
    expect(order.version).toBe(2);
    const events = order.pullEvents();
    expect(events.map((e) => e.type)).toEqual(['OrderPlaced', 'OrderPaid']);
    expect(events.map((e) => e.subject)).toEqual([
      { type: 'Order', id: 'o-1', sequence: 1 },
      { type: 'Order', id: 'o-1', sequence: 2 },
    ]);
    expect(events[0]?.payload).toEqual({ orderId: 'o-1', total: 42 });
  });

  it('continues the sequence after a loaded version', () => {
    const order = new Order('o-2', 7);
    order.place(1);
    order.pay();
    expect(order.pullEvents().map((e) => e.subject?.sequence)).toEqual([8, 9]);
    expect(order.version).toBe(9);
  });

  it('returns a frozen array from pullEvents and clears the pending events', () => {
    const order = new Order('o-3');
    order.place(1);
    expect(order.peekEvents()).toHaveLength(1);
    const pulled = order.pullEvents();
    expect(Object.isFrozen(pulled)).toBe(true);
    expect(() => (pulled as unknown[]).push('x')).toThrow(TypeError);
    expect(order.pullEvents()).toEqual([]);
    order.pay();
    expect(order.pullEvents().map((e) => e.subject?.sequence)).toEqual([2]);
    expect(pulled).toHaveLength(1);
  });

  it('does not use the class name: a subclass with another name keeps the given type', () => {
    const Renamed = class MinifiedX extends Order {};
    const order = new Renamed('o-4');
    order.place(1);
    expect(order.aggregateType).toBe('Order');
    expect(order.pullEvents()[0]?.subject?.type).toBe('Order');
  });

  it('does not advance the sequence when the payload is invalid', () => {
    const order = new Order('o-5');
    expect(() => order.place(Number.NaN)).toThrow(ValidationError);
    expect(order.version).toBe(0);
    expect(order.peekEvents()).toEqual([]);
    order.place(3);
    expect(order.pullEvents()[0]?.subject?.sequence).toBe(1);
  });

  it('passes creation options through, but never lets them replace the subject', () => {
    const order = new Order('o-6');
    const cause = OrderPaid.create({ orderId: 'x' });
    const recorded = (
      order as unknown as { record: (d: typeof OrderPaid, p: unknown, o: unknown) => unknown }
    ).record(OrderPaid, { orderId: 'o-6' }, { causedBy: cause, subject: { type: 'Evil', id: 'e' } });
    expect(recorded).toMatchObject({
      causationId: cause.id,
      subject: { type: 'Order', id: 'o-6', sequence: 1 },
    });
  });
});

describe('createEventRecorder', () => {
  it('records with an increasing sequence starting after the loaded one', () => {
    const recorder = createEventRecorder('Order', 'o-1', 3);
    const placed = recorder.record(OrderPlaced, { orderId: 'o-1', total: 5 });
    recorder.record(OrderPaid, { orderId: 'o-1' });
    expect(placed.subject).toEqual({ type: 'Order', id: 'o-1', sequence: 4 });
    expect(recorder.sequence).toBe(5);
    const events = recorder.pullEvents();
    expect(events.map((e) => e.subject?.sequence)).toEqual([4, 5]);
    expect(Object.isFrozen(events)).toBe(true);
    expect(recorder.pullEvents()).toEqual([]);
  });

  it('hands out a snapshot from peekEvents that later records do not change', () => {
    const recorder = createEventRecorder('Cart', 'c-1');
    recorder.record(OrderPaid, { orderId: 'c-1' });
    const peeked = recorder.peekEvents();
    recorder.record(OrderPaid, { orderId: 'c-1' });
    expect(peeked).toHaveLength(1);
    expect(Object.isFrozen(peeked)).toBe(true);
    expect(recorder.peekEvents()).toHaveLength(2);
  });

  it('keeps the pulled array intact when more events are recorded afterwards', () => {
    const recorder = createEventRecorder('Cart', 'c-2');
    recorder.record(OrderPaid, { orderId: 'c-2' });
    const first = recorder.pullEvents();
    recorder.record(OrderPaid, { orderId: 'c-2' });
    expect(first).toHaveLength(1);
    expect(recorder.pullEvents()[0]?.subject?.sequence).toBe(2);
  });
});
