import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createConsumer } from '../consumer/consumer.ts';
import { createMemoryDeadLetterSink } from '../consumer/dead-letter-sink.ts';
import { ConfigurationError } from '../errors/errors.ts';
import { createCatalog } from '../event/catalog.ts';
import { defineEvent } from '../event/define-event.ts';
import { createMemoryOutboxStore } from '../memory/memory-outbox-store.ts';
import { createMemoryTransport } from '../memory/memory-transport.ts';
import { createOutboxRelay } from '../relay/relay.ts';
import { durableHandler } from './durable-handler.ts';
import { createOutbox } from './outbox.ts';

const Noted = defineEvent('Noted', { schema: z.object({ text: z.string() }) });
const once = durableHandler('count-once', Noted, () => {}, { inbox: true });
const plain = durableHandler('log', Noted, () => {});

describe('a handler with inbox: true and nowhere to record it', () => {
  it('fails createConsumer at once, naming the option to pass', () => {
    const build = () =>
      createConsumer({
        transport: createMemoryTransport(),
        catalog: createCatalog([Noted]),
        deadLetters: createMemoryDeadLetterSink(),
        handlers: [plain, once],
      });
    expect(build).toThrow(ConfigurationError);
    expect(build).toThrow(/"count-once" declared with inbox: true.*Pass createConsumer\(\{ inbox \}\)/);
  });

  it('fails createOutboxRelay at once when the outbox store is not an inbox', () => {
    const { markProcessed: _, ...storeWithoutInbox } = createMemoryOutboxStore();
    const outbox = createOutbox({ store: storeWithoutInbox, handlers: [once] });
    expect(() => createOutboxRelay(outbox)).toThrow(
      /"count-once" declared with inbox: true.*no markProcessed/,
    );
  });

  it('lets handlers without the inbox run anywhere', () => {
    const { markProcessed: _, ...storeWithoutInbox } = createMemoryOutboxStore();
    expect(() =>
      createOutboxRelay(createOutbox({ store: storeWithoutInbox, handlers: [plain] })),
    ).not.toThrow();
  });
});
