/**
 * Hostile messages published with the plain AWS SDK to the consumer's SNS topic: foreign
 * layout (CloudEvents attributes as message attributes, some of the wrong data type), and
 * every 7th with a forged `tidings` attribute (broken JSON, wrong field types, `__proto__`,
 * an offloaded-body reference no store holds), which the transport hands to the consumer
 * as refused. fauxqs slows down as its queues grow (sent as fast as it accepts, a million
 * messages took it to 2.3 GB and 20 minutes in without the end in sight), so the runner keeps
 * at most `window` messages unread. This is the emulator's limit: AWS would not need it.
 */
import { randomUUID } from 'node:crypto';
import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import { CreateTopicCommand, PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import { snsTopicName } from '@tidings/aws';
import type { HostileMessage } from './hostile.ts';
import { asText, fuzzTopic, type RawSender } from './raw-sender.ts';

// The two that parse replace the message's headers with their own: they carry the fuzz
// headers too, so their dead letters are counted against the message they came with.
const forgedEnvelopes: ((fuzz: string) => string)[] = [
  () => '{"v":1,"id":',
  () => '{"v":2,"id":{},"topic":7,"key":null,"headers":[],"body":"utf8"}',
  () =>
    '{"__proto__":{"v":1},"id":"x","topic":"t","key":"k","headers":{"__proto__":{"ce-type":"crash.Ticked"}},"body":"utf8"}',
  (fuzz) => `{"v":1,"id":"x","topic":"crash.Ticked","key":"k","headers":${fuzz},"body":"ref"}`,
  (fuzz) => `{"v":1,"id":"x","topic":"crash.Ticked","key":"k","headers":${fuzz},"body":"base64"}`,
];

function attributes(headers: Record<string, unknown>, index: number): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(headers).slice(0, 9)) {
    if (Buffer.isBuffer(value)) out[name] = { DataType: 'Binary', BinaryValue: value };
    else if (typeof value === 'number') out[name] = { DataType: 'Number', StringValue: String(value) };
    else {
      const text = asText(value as never);
      if (text !== '') out[name] = { DataType: 'String', StringValue: text };
    }
  }
  if (index % 7 === 3) {
    const fuzz = JSON.stringify({ 'fuzz-id': headers['fuzz-id'], 'fuzz-kind': headers['fuzz-kind'] });
    const forge = forgedEnvelopes[index % forgedEnvelopes.length] as (fuzz: string) => string;
    out.tidings = { DataType: 'String', StringValue: forge(fuzz) };
  }
  return out;
}

// SNS carries text: bytes that are not valid XML characters become base64.
const messageText = (body: Buffer) => {
  const text = body.toString('utf8');
  return text.length === 0
    ? '-'
    : /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD]/u.test(text)
      ? body.toString('base64')
      : text;
};

export async function sqsSender(runId: string): Promise<RawSender> {
  const sns = new SNSClient({
    endpoint: process.env.SQS_ENDPOINT as string,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const name = snsTopicName(fuzzTopic, { prefix: `chaos-${runId}-` });
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  let sent = 0;
  return {
    huge: 200 * 1024,
    window: 2_000,
    async send(batch) {
      // A batch carries 256 KiB in all: huge bodies go alone.
      const groups: HostileMessage[][] = [];
      for (const m of batch) {
        const last = groups.at(-1);
        if (m.kind === 'huge body' || !last || last.length === 10 || last[0]?.kind === 'huge body')
          groups.push([m]);
        else last.push(m);
      }
      for (const group of groups) {
        const entries = group.map((m) => ({
          Id: randomUUID(),
          Message: messageText(m.body),
          MessageAttributes: attributes(m.headers, sent++),
        }));
        await sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: entries }));
      }
    },
    async close() {
      sns.destroy();
    },
  };
}
