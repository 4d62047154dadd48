/**
 * Hostile messages published with the plain NATS client to the consumer's subject, among
 * them forged `tidings-chunks` headers: huge lists, foreign sequences, garbage, the
 * sequence of a message of another subject. Half go to the plain subject `<prefix>.<topic>`
 * (where foreign producers publish), half to the ordered lane `<prefix>.<topic>._<n>` their
 * key hashes to, as the transport itself would route them.
 */
import { jetstream } from '@nats-io/jetstream';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { laneSubject, partitionOf, topicSubject } from '../../../packages/nats/src/subjects.ts';
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
  const prefix = `chaos-${runId}`;
  const plainSubject = topicSubject(prefix, fuzzTopic);
  // The transport's default lane count (packages/nats/src/options.ts); brokers.ts keeps it.
  const partitions = 8;
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
          const subject =
            n % 2 === 0 ? plainSubject : laneSubject(prefix, fuzzTopic, partitionOf(m.key, partitions));
          return js.publish(subject, m.body, { headers: h });
        }),
      );
    },
    async close() {
      await nc.close();
    },
  };
}
