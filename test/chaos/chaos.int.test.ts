/**
 * The chaos run at small scale, inside the test suite: relays and consumers SIGKILLed, and
 * the run's own Redis restarted, while events stream from a PostgreSQL outbox through
 * Redis Streams. PostgreSQL restarts are left out here until the transports' delivery
 * limits stop dead-lettering events while the inbox database is down (docs/reliability.md). `npm run chaos` runs the same script at full scale, for
 * every outbox and broker (figures in docs/reliability.md).
 */
import { expect, it } from 'vitest';
import { runChaos } from './run-script.ts';

it('loses nothing, applies no effect twice and no process dies while relays, consumers and Redis restart', async () => {
  const { code, figures } = await runChaos([
    ...['--scale', 'small', '--broker', 'redis', '--outbox', 'postgres', '--pg-restarts', '0'],
  ]);
  expect(figures).toMatchObject({
    appended: 1000,
    lost: 0,
    duplicateEffects: 0,
    unexpectedExits: [],
    brokerRestarts: 1,
    postgresRestarts: 0,
  });
  expect(code).toBe(0);
}, 420_000);
