/**
 * End to end per broker: the orders service's outbox → relay → broker → the
 * notifications service's consumer → handlers with the inbox. A poison message and a
 * bouncing address end as dead letters with their reasons, and the consumer keeps going.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { brokers } from './broker.ts';

const run = promisify(execFile);
const script = new URL('./two-services.ts', import.meta.url).pathname;

describe('the shop as two services over a broker', () => {
  it.each(brokers)(
    'BROKER=%s',
    async (broker) => {
      const { stdout } = await run(
        process.execPath,
        ['--conditions=@tidings/source', '--import', 'tsx', script],
        {
          env: { ...process.env, BROKER: broker, NO_COLOR: '1', DATABASE_URL: '' },
          timeout: 170_000,
        },
      );
      expect(stdout).toContain('gave up on message poison-1 after 1 attempt(s): TIDINGS_DECODE');
      expect(stdout).toContain('send-order-confirmation handled OrderPlaced o-1002 (attempt 2)');
      expect(stdout).toContain(
        `notifications: 2 e-mails sent, 3 dead letter(s), dashboard orders=3 revenue=$346.00 registrations=3 (via ${broker})`,
      );
    },
    180_000,
  );
});
