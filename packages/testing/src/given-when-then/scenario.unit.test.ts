/**
 * Given/When/Then on both aggregate forms: passing scenarios, and failing ones whose
 * messages say what was expected and what happened instead.
 */
import {
  AggregateRoot,
  ConfigurationError,
  createEventRecorder,
  defineEvent,
  type EventRecorder,
  TidingsError,
} from '@tidings/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { expectedEvent } from './expected-event.ts';
import { given } from './scenario.ts';

const OrderPlaced = defineEvent('OrderPlaced', {
  schema: z.object({ orderId: z.string(), total: z.number() }),
});
const OrderPaid = defineEvent('OrderPaid', { schema: z.object({ orderId: z.string(), paidAt: z.string() }) });

class OrderAlreadyPaid extends Error {}

/** An application's own error with a stable code, as users write them. */
class OrderChangedError extends TidingsError {
  static override readonly code: string = 'ORDER_CHANGED';
}

class Order extends AggregateRoot {
  paid = false;
  constructor(id: string) {
    super('Order', id);
  }
  place(total: number) {
    this.record(OrderPlaced, { orderId: this.id, total });
  }
  pay(paidAt: string) {
    if (this.paid) throw new OrderAlreadyPaid(`Order ${this.id} is already paid`);
    this.record(OrderPaid, { orderId: this.id, paidAt });
    this.paid = true;
  }
  async payLater(paidAt: string) {
    await Promise.resolve();
    this.pay(paidAt);
  }
  conflict(): void {
    throw new OrderChangedError(`Order ${this.id} changed since it was loaded`);
  }
}

/** The functional form: commands are functions of a recorder. */
function placeOrder(order: EventRecorder, total: number) {
  if (total <= 0) throw new ConfigurationError(`total must be positive, got ${total}`);
  order.record(OrderPlaced, { orderId: order.subjectId, total });
}

function assertionMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the scenario to fail');
}

describe('passing scenarios', () => {
  it('checks the events of the class form by type, payload and sequence, ignoring ids and times', () => {
    const order = given(() => new Order('o-1'))
      .when((o) => {
        o.place(42);
        o.pay('2026-11-26');
      })
      .then([
        expectedEvent(OrderPlaced, { orderId: 'o-1', total: 42 }, { sequence: 1 }),
        expectedEvent(OrderPaid, { orderId: 'o-1', paidAt: '2026-11-26' }),
      ]);
    expectTypeOf(order).toEqualTypeOf<Order>();
    expect(order.paid).toBe(true);
  });

  it('works with the functional recorder', () => {
    given(() => createEventRecorder('Order', 'o-2'))
      .when((order) => placeOrder(order, 10))
      .then([expectedEvent(OrderPlaced, { orderId: 'o-2', total: 10 }, { sequence: 1 })]);
  });

  it('accepts real events as expectations, and asymmetric matchers in payloads', () => {
    given(() => new Order('o-3'))
      .when((o) => o.pay('2026-01-01'))
      .then([
        OrderPaid.create(
          { orderId: 'o-3', paidAt: '2026-01-01' },
          { subject: { type: 'Order', id: 'o-3', sequence: 1 } },
        ),
      ]);
    given(() => new Order('o-3'))
      .when((o) => o.pay('2026-01-01'))
      .then([expectedEvent(OrderPaid, { orderId: 'o-3', paidAt: expect.stringMatching(/^2026-/) })]);
  });

  it('ignores events recorded while setting up, but continues their sequence', () => {
    given(() => {
      const order = new Order('o-4');
      order.place(5);
      return order;
    })
      .when((o) => o.pay('today'))
      .then([expectedEvent(OrderPaid, { orderId: 'o-4', paidAt: 'today' }, { sequence: 2 })]);
  });

  it('checks that nothing was recorded with then([])', () => {
    given(new Order('o-5'))
      .when(() => {})
      .then([]);
  });

  it('returns a promise for an async command', async () => {
    const pending = given(() => new Order('o-6'))
      .when((o) => o.payLater('later'))
      .then([expectedEvent(OrderPaid, { orderId: 'o-6', paidAt: 'later' })]);
    expectTypeOf(pending).toEqualTypeOf<Promise<Order>>();
    expect((await pending).paid).toBe(true);
  });

  it('matches thrown errors by class, by Tidings error code and across package copies', async () => {
    const paidTwice = given(() => {
      const order = new Order('o-7');
      order.pay('first');
      return order;
    }).when((o) => o.pay('second'));
    const error = paidTwice.thenThrows(OrderAlreadyPaid);
    expectTypeOf(error).toEqualTypeOf<OrderAlreadyPaid>();
    expect(error.message).toBe('Order o-7 is already paid');

    const conflict = given(() => new Order('o-8')).when((o) => o.conflict());
    expect(conflict.thenThrows(OrderChangedError).code).toBe('ORDER_CHANGED');
    conflict.thenThrows('ORDER_CHANGED');

    const foreign = Object.assign(new Error('from another copy'), {
      [Symbol.for('@tidings/error')]: true,
      code: 'TIDINGS_CONFIGURATION',
    });
    const fromOtherCopy = given(() => createEventRecorder('Order', 'o-9'))
      .when(() => {
        throw foreign;
      })
      .thenThrows(ConfigurationError);
    expect(fromOtherCopy).toBe(foreign);
    expectTypeOf(
      given(() => new Order('o-11'))
        .when(() => {
          throw new OrderAlreadyPaid('x');
        })
        .thenThrows(OrderAlreadyPaid),
    ).toEqualTypeOf<OrderAlreadyPaid>();

    const asyncError = await given(() => new Order('o-10'))
      .when(async (o) => {
        await o.payLater('x');
        await o.payLater('y');
      })
      .thenThrows(OrderAlreadyPaid);
    expect(asyncError).toBeInstanceOf(OrderAlreadyPaid);
  });
});

describe('failing scenarios', () => {
  it('shows a diff when the payload differs', () => {
    const message = assertionMessage(() =>
      given(() => new Order('o-1'))
        .when((o) => o.place(41))
        .then([expectedEvent(OrderPlaced, { orderId: 'o-1', total: 42 })]),
    );
    expect(message).toContain('when() recorded other events than expected');
    expect(message).toContain('it recorded: \n  1. OrderPlaced #1 {"orderId":"o-1","total":41}');
  });

  it('fails on a missing, extra or reordered event and on a wrong sequence', () => {
    const run = (expected: Parameters<ReturnType<ReturnType<typeof given<Order>>['when']>['then']>[0]) =>
      assertionMessage(() =>
        given(() => new Order('o-1'))
          .when((o) => {
            o.place(1);
            o.pay('now');
          })
          .then(expected),
      );
    const placed = expectedEvent(OrderPlaced, { orderId: 'o-1', total: 1 });
    const paid = expectedEvent(OrderPaid, { orderId: 'o-1', paidAt: 'now' });
    expect(run([placed])).toContain('when() recorded other events');
    expect(run([placed, paid, paid])).toContain('when() recorded other events');
    expect(run([paid, placed])).toContain('when() recorded other events');
    expect(run([expectedEvent(OrderPlaced, { orderId: 'o-1', total: 1 }, { sequence: 2 }), paid])).toContain(
      'when() recorded other events',
    );
  });

  it('says so when the command threw instead of recording events', () => {
    let caught: unknown;
    try {
      given(() => new Order('o-1'))
        .when((o) => o.conflict())
        .then([expectedEvent(OrderPlaced, { orderId: 'o-1', total: 1 })]);
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).message).toBe(
      'Expected when() to record 1 event(s): OrderPlaced, but it threw ORDER_CHANGED: Order o-1 changed since it was loaded',
    );
    expect(OrderChangedError.is((caught as Error).cause)).toBe(true);
  });

  it('says so when the command threw another error than expected', () => {
    expect(
      assertionMessage(() =>
        given(() => new Order('o-1'))
          .when((o) => o.conflict())
          .thenThrows(OrderAlreadyPaid),
      ),
    ).toBe(
      'Expected when() to throw OrderAlreadyPaid, but it threw ORDER_CHANGED: Order o-1 changed since it was loaded',
    );
    expect(
      assertionMessage(() =>
        given(() => new Order('o-1'))
          .when((o) => o.conflict())
          .thenThrows(ConfigurationError),
      ),
    ).toContain('Expected when() to throw ConfigurationError (TIDINGS_CONFIGURATION), but it threw');
  });

  it('says so when the command did not throw, listing what it recorded', async () => {
    expect(
      assertionMessage(() =>
        given(() => new Order('o-1'))
          .when((o) => o.place(3))
          .thenThrows('ORDER_CHANGED'),
      ),
    ).toBe(
      'Expected when() to throw an error with code ORDER_CHANGED, but it returned normally after recording 1 event(s): OrderPlaced.',
    );
    await expect(
      given(() => new Order('o-2'))
        .when((o) => o.payLater('x'))
        .thenThrows(OrderAlreadyPaid),
    ).rejects.toThrow('but it returned normally after recording 1 event(s): OrderPaid.');
  });

  it('rejects an async command that fails when events were expected', async () => {
    await expect(
      given(() => new Order('o-1'))
        .when(async (o) => {
          await o.payLater('x');
          await o.payLater('y');
        })
        .then([]),
    ).rejects.toThrow('Expected when() to record no events, but it threw Error: Order o-1 is already paid');
  });

  it('explains itself when a scenario is awaited instead of ended with then()', async () => {
    const scenario = given(() => new Order('o-1')).when((o) => o.place(1));
    // TypeScript already refuses `await scenario` (TS1320); plain JavaScript gets this error.
    const awaited = async () => await (scenario as unknown);
    await expect(awaited()).rejects.toThrow(ConfigurationError);
    await expect(awaited()).rejects.toThrow(/end it with \.then\(\[/);
  });
});
