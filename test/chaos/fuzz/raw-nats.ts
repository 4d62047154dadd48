/**
 * Hostile messages published with the plain NATS client to the consumer's subject, among
 * them forged `tidings-chunks` headers: huge lists, foreign sequences, garbage, the
 * sequence of a message of another subject. The transport dead-letters those itself.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { deadLetterTopic } from '@tidings/nats';
import { topicSubject } from '../../../packages/nats/src/subjects.ts';
import { asText, fuzzTopic, type RawSender } from './raw-sender.ts';

const forged = (i: number) =>
  [
    Array.from({ length: 5_000 }, () => '1').join(','),
    String(i + 1),
    'abc,-1,1e9',
    '18446744073709551615',
    '',
  ][i % 5] as string;

export async function natsSender(runId: string): Promise<RawSender> {
  const nc = await connect({ servers: process.env.NATS_URL as string });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const prefix = `chaos-${runId}`;
  const stream = `CHAOS_${runId}`;
  const subject = topicSubject(prefix, fuzzTopic);
  let n = 0;
  return {
    huge: 900 * 1024,
    async send(batch) {
      await Promise.all(
        batch.map((m) => {
          const h = natsHeaders();
          for (const [name, value] of Object.entries(m.headers))
            h.set(name, asText(value).replace(/[\r\n]/g, ' '));
          n += 1;
          if (n % 50 === 0) h.set('tidings-chunks', forged(n / 50));
          return js.publish(subject, m.body, { headers: h });
        }),
      );
    },
    async transportDeadLetters(group) {
      const dead = topicSubject(prefix, deadLetterTopic(group));
      const info = await jsm.streams.info(stream, { subjects_filter: dead });
      return info.state.subjects?.[dead] ?? 0;
    },
    async close() {
      await nc.close();
    },
  };
}
