/**
 * DNS rebinding: a request that reaches the inspector's socket but is addressed to another
 * name (a rebinding attacker's domain, or the right name on another port) gets 421 and no
 * data, even with the right token; its own loopback names and port are served.
 */
import { request } from 'node:http';
import { createMemoryOutboxStore } from '@tidings/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startInspector } from './start-inspector.ts';

function get(port: number, host: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const sent = request({ host: '127.0.0.1', port, path, headers: { host } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    sent.on('error', reject);
    sent.end();
  });
}

describe('inspector Host check', () => {
  it('answers 421 to a foreign Host and serves its own loopback names', async () => {
    const inspector = await startInspector({ store: createMemoryOutboxStore(), storeLabel: 'the-store' });
    onTestFinished(() => inspector.close());
    const { port, token } = inspector;
    const info = `/api/info?token=${token}`;
    for (const foreign of [
      `rebind.example:${port}`,
      `127.0.0.1:${port + 1}`,
      'localhost',
      `127.0.0.2:${port}`,
    ]) {
      const answer = await get(port, foreign, info);
      expect({ foreign, status: answer.status }).toEqual({ foreign, status: 421 });
      expect(answer.body).not.toContain('the-store');
    }
    expect((await get(port, `rebind.example:${port}`, '/')).status).toBe(421);
    for (const own of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      const answer = await get(port, own, info);
      expect({ own, status: answer.status }).toEqual({ own, status: 200 });
      expect(answer.body).toContain('the-store');
    }
  });
});
