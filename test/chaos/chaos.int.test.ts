/**
 * The chaos run at small scale, inside the test suite: relays and consumers SIGKILLed, and
 * the run's own Redis and PostgreSQL restarted, while events stream from a PostgreSQL
 * outbox through Redis Streams. `npm run chaos` runs the same script at full scale, for
 * every outbox and broker (figures in docs/reliability.md).
 */
import { expect, it } from 'vitest';
import { runChaos } from './run-script.ts';

it('loses nothing, applies no effect twice and no process dies while relays, consumers, Redis and PostgreSQL restart', async () => {
  const { code, figures } = await runChaos(['--scale', 'small', '--broker', 'redis', '--outbox', 'postgres']);
  expect(figures).toMatchObject({
    appended: 1000,
    lost: 0,
    duplicateEffects: 0,
    unexpectedExits: [],
    brokerRestarts: 1,
    postgresRestarts: 1,
  });
  expect(code).toBe(0);
}, 240_000);
