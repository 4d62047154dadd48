/**
 * Hostile messages published with plain amqplib to the run's exchange: CloudEvents
 * attributes as `cloudEvents_*` application properties of any AMQP type (numbers, void,
 * booleans, tables, byte arrays), where the transport must turn them into text or refuse.
 */
import { routingKeyOf } from '@tidings/rabbitmq';
import amqp from 'amqplib';
import type { HeaderValue } from './hostile.ts';
import { asText, fuzzTopic, plain, type RawSender } from './raw-sender.ts';

function amqpHeaders(headers: Record<string, HeaderValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'content-type') continue;
    if (name.startsWith('ce-'))
      out[`cloudEvents_${name.slice(3)}`] = typeof value === 'string' ? plain(value) : value;
    else out[name] = value;
  }
  return out;
}

export async function rabbitMqSender(runId: string): Promise<RawSender> {
  const connection = await amqp.connect(process.env.RABBITMQ_URL as string);
  const channel = await connection.createConfirmChannel();
  const exchange = `chaos-${runId}`;
  const routingKey = routingKeyOf(fuzzTopic);
  return {
    huge: 2 * 1024 * 1024,
    async send(batch) {
      for (const m of batch) {
        const contentType = m.headers['content-type'];
        channel.publish(exchange, routingKey, m.body, {
          persistent: true,
          headers: amqpHeaders(m.headers),
          ...(contentType === undefined ? {} : { contentType: asText(contentType) }),
        });
      }
      await channel.waitForConfirms();
    },
    async close() {
      await channel.close();
      await connection.close();
    },
  };
}
