/**
 * A plain amqplib client for the contract's CloudEvents interop scenarios. The SDK has no
 * AMQP binding, so this client applies the spec's AMQP binding itself, as a foreign
 * producer would: `ce-<name>` of the HTTP layout ↔ application property `cloudEvents_<name>`,
 * `content-type` ↔ the AMQP content-type property.
 */
import type { RawWire, RawWireMessage } from '@tidings/testing';
import amqp, { type ChannelModel } from 'amqplib';
import { routingKeyOf } from '../src/names.ts';

function toBinding(headers: Readonly<Record<string, string>>) {
  const properties: Record<string, string> = {};
  let contentType: string | undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'content-type') contentType = value;
    else properties[name.startsWith('ce-') ? `cloudEvents_${name.slice(3)}` : name] = value;
  }
  return { properties, contentType };
}

// Only what the binding defines: a `ce-*` application property means nothing to an AMQP client.
function fromBinding(properties: Record<string, unknown>, contentType: string | undefined) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(properties)) {
    if (name.startsWith('cloudEvents_')) headers[`ce-${name.slice(12)}`] = String(value);
  }
  if (contentType) headers['content-type'] = contentType;
  return headers;
}

export function createAmqpRawWire(url: string, exchange: string): RawWire & { close(): Promise<void> } {
  let model: Promise<ChannelModel> | undefined;
  const connection = () => {
    model ??= amqp.connect(url);
    return model;
  };
  return {
    binding: 'HTTP',
    async send(topic, message) {
      const channel = await (await connection()).createConfirmChannel();
      const { properties, contentType } = toBinding(message.headers);
      await channel.assertExchange(exchange, 'topic', { durable: true });
      channel.publish(exchange, routingKeyOf(topic), Buffer.from(message.body), {
        persistent: true,
        headers: properties,
        ...(contentType === undefined ? {} : { contentType }),
      });
      await channel.waitForConfirms();
      await channel.close();
    },
    async read(topic) {
      const messages: RawWireMessage[] = [];
      const channel = await (await connection()).createChannel();
      await channel.assertExchange(exchange, 'topic', { durable: true });
      // Exclusive and auto-deleted: gone with this channel, nothing left on the shared broker.
      const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
      await channel.bindQueue(queue, exchange, routingKeyOf(topic));
      await channel.consume(
        queue,
        (m) => {
          if (!m) return;
          messages.push({
            headers: fromBinding(m.properties.headers ?? {}, m.properties.contentType ?? undefined),
            body: m.content,
            key: '',
          });
        },
        { noAck: true },
      );
      return { messages, close: () => channel.close() };
    },
    async close() {
      if (model) await (await model).close();
    },
  };
}
