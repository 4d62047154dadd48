/** The Order aggregate: the class form of a Tidings aggregate. */
import { AggregateRoot, DoNotRetry } from '@tidings/core';
import { OrderPlaced } from './events.ts';

export interface OrderLine {
  readonly sku: string;
  readonly quantity: number;
  readonly priceCents: number;
}

export class Order extends AggregateRoot {
  #placed = false;
  #totalCents = 0;

  constructor(id: string) {
    super('Order', id);
  }

  /** Places the order; the schema rejects bad lines with the field and the reason. */
  place(customer: { userId: string; email: string }, lines: readonly OrderLine[]): void {
    if (this.#placed) throw new DoNotRetry(`Order ${this.id} is already placed.`);
    const totalCents = lines.reduce((sum, line) => sum + line.quantity * line.priceCents, 0);
    this.record(OrderPlaced, {
      orderId: this.id,
      userId: customer.userId,
      email: customer.email,
      lines: [...lines],
      totalCents,
    });
    this.#placed = true;
    this.#totalCents = totalCents;
  }

  get totalCents(): number {
    return this.#totalCents;
  }
}
