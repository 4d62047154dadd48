import { AggregateRoot, createEventRecorder, defineEvent } from '@tidings/core';
import { z } from 'zod';

const OrderPlaced = defineEvent('OrderPlaced', { schema: z.object({ orderId: z.string() }) });
const OrderPaid = defineEvent('OrderPaid', { schema: z.object({ orderId: z.string() }) });

// The class form: command methods check rules, change state and record what happened.
class Order extends AggregateRoot {
  private paid = false;
  constructor(id: string) {
    super('Order', id);
  }
  place() {
    this.record(OrderPlaced, { orderId: this.id });
  }
  pay() {
    if (this.paid) throw new Error(`Order ${this.id} is already paid`);
    this.record(OrderPaid, { orderId: this.id });
    this.paid = true;
  }
}

const order = new Order('o-1');
order.place();
order.pay();
const events = order.pullEvents(); // frozen, and cleared from the aggregate
console.log(events.map((e) => `${e.type} ${e.subject?.type}:${e.subject?.id} #${e.subject?.sequence}`));
console.log(order.version, order.pullEvents().length);

// The functional form: a recorder per aggregate instance, no class needed.
const cart = createEventRecorder('Order', 'o-2', 7); // loaded at version 7
cart.record(OrderPlaced, { orderId: 'o-2' });
console.log(cart.sequence);
