import { AggregateRoot, defineEvent, TidingsError } from '@tidings/core';
import { expectedEvent, given } from '@tidings/testing';
import { expect, it } from 'vitest';
import { z } from 'zod';

const OrderPlaced = defineEvent('OrderPlaced', {
  schema: z.object({ orderId: z.string(), total: z.number() }),
});
const OrderPaid = defineEvent('OrderPaid', { schema: z.object({ orderId: z.string() }) });

class AlreadyPaid extends TidingsError {
  static override readonly code: string = 'ORDER_ALREADY_PAID';
}

class Order extends AggregateRoot {
  private paid = false;
  constructor(id: string) {
    super('Order', id);
  }
  place(total: number) {
    this.record(OrderPlaced, { orderId: this.id, total });
  }
  pay() {
    if (this.paid) throw new AlreadyPaid(`Order ${this.id} is already paid`);
    this.record(OrderPaid, { orderId: this.id });
    this.paid = true;
  }
}

it('records what the command did, or throws why not', () => {
  const placed = () => {
    const order = new Order('o-1');
    order.place(42);
    return order;
  };
  given(placed)
    .when((order) => order.pay())
    .then([expectedEvent(OrderPaid, { orderId: 'o-1' })]);

  const error = given(placed)
    .when((order) => {
      order.pay();
      order.pay();
    })
    .thenThrows(AlreadyPaid);
  expect(error.code).toBe('ORDER_ALREADY_PAID');
});
