/**
 * The fuzz run at small scale, inside the test suite: 5,000 hostile messages written with
 * ioredis straight into the stream a running consumer reads, valid events among them.
 * `npm run chaos -- --fuzz N --broker X` runs it at full scale on every broker.
 */
import { expect, it } from 'vitest';
import { runChaos } from './run-script.ts';

it('dead-letters every hostile message with its reason, handles every valid one, and never crashes', async () => {
  const { code, figures } = await runChaos(['--fuzz', '5000', '--broker', 'redis']);
  expect(figures).toMatchObject({
    hostileSent: 5000,
    // The 'unknown event type' kind (1 in 11) is dead-lettered too: the pipeline's type filter
    // skips only known types the handler does not take.
    hostileSkippedAsOtherType: 0,
    hostileDeadLettered: 5000,
    hostileNotDeadLettered: 0,
    validHandled: 250,
    validDeadLettered: 0,
    prototypePolluted: false,
    crashes: [],
  });
  for (const kind of Object.values(figures.byKind as Record<string, { reason: string }>)) {
    expect(kind.reason).toMatch(/^TIDINGS_[A-Z_]+: /);
  }
  expect(code).toBe(0);
}, 420_000);
