import { createEventBus, defineEvent, HandlersFailedError } from '@tidings/core';
import { z } from 'zod';

const UserRegistered = defineEvent('UserRegistered', { schema: z.object({ email: z.string() }) });
const WelcomeSent = defineEvent('WelcomeSent', { schema: z.object({ email: z.string() }) });

const bus = createEventBus(); // publish() defaults to mode 'sequential'
bus.subscribe('audit', '*', (event) => {
  console.log('audit', event.type, event.causationId === undefined ? 'first' : 'caused');
});
bus.subscribe('send-welcome', UserRegistered, async (event, context) => {
  // Follow-ups keep the correlation id and name the handled event as their cause.
  await context.publish(WelcomeSent, { email: event.payload.email });
});
await bus.publish(UserRegistered.create({ email: 'ada@example.com' }));

// publishSync: synchronous handlers only, finished before it returns.
const counter = createEventBus();
let registrations = 0;
counter.subscribe('count', UserRegistered, () => {
  registrations += 1;
});
counter.publishSync(UserRegistered.create({ email: 'alan@example.com' }));
console.log('registrations', registrations);

// Every handler runs even when one throws; the caller gets one error naming each failure.
counter.subscribe('flaky', UserRegistered, () => {
  throw new Error('disk full');
});
try {
  await counter.publish(UserRegistered.create({ email: 'grace@example.com' }), { mode: 'concurrent' });
} catch (error) {
  if (HandlersFailedError.is(error))
    console.log(
      error.failures.map((f) => f.handler),
      registrations,
    );
}
