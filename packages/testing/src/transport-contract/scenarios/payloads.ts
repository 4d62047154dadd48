/**
 * Contract scenarios for payload fidelity: a 1 MiB body, every byte value, and unicode in
 * header values and keys survive the trip unchanged. `ce-*` headers are CloudEvents
 * attributes that a transport maps to its broker's binding, so they come back in core's
 * one form (percent-encoded values); other headers come back exactly as sent.
 */

import { encodeHeaderValue } from '@tidings/core/spi';
import { expect, it } from 'vitest';
import { createRecorder, makeMessage, uniqueName, useTransports } from '../harness.ts';
import type { ContractContext } from '../options.ts';

export function payloadScenarios(ctx: ContractContext): void {
  it('carries a 1 MiB body, all 256 byte values and unicode headers unchanged', async () => {
    const transport = await useTransports(ctx)();
    const topic = uniqueName('payload');
    const recorder = createRecorder(ctx);
    await transport.subscribe({ group: uniqueName('g'), topics: [topic] }, recorder.handler());
    const large = new Uint8Array(1024 * 1024).map((_, i) => (i * 7 + 3) % 256);
    const everyByte = Uint8Array.from({ length: 512 }, (_, i) => i % 256);
    const unicode = 'Grüße, 日本語, emoji 🎉, quotes "\' and %41';
    const sent = [
      makeMessage(topic, 1, { body: large }),
      makeMessage(topic, 2, { body: everyByte, key: `Kunde:${unicode}` }),
      makeMessage(topic, 3, {
        headers: { 'ce-subject': encodeHeaderValue(unicode), 'x-unicode': unicode, 'x-empty': '' },
        body: new Uint8Array(0),
      }),
    ];
    await transport.publish(sent);
    await recorder.waitForIds(
      sent.map((m) => m.id),
      'three payload messages',
    );
    for (const s of sent) {
      const got = recorder.received.find((m) => m.id === s.id)!;
      expect(got.body).toBeInstanceOf(Uint8Array);
      expect(got.body.byteLength).toBe(s.body.byteLength);
      expect(Buffer.from(got.body).equals(Buffer.from(s.body))).toBe(true);
      expect(got.headers).toEqual(s.headers);
      expect(got.key).toBe(s.key);
    }
  });
}
