/**
 * The RabbitMQ transport facing a broker that accepts TCP but never answers the AMQP
 * handshake (a wedged node): creation must fail with advice, not hang.
 */
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { TransportError } from '@tidings/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createRabbitMqTransport } from './rabbitmq-transport.ts';

describe('RabbitMQ transport against a broker that never answers', () => {
  it('rejects creation with a TransportError after connectTimeoutMs instead of hanging', async () => {
    // Accepts TCP and stays silent, as a wedged broker does.
    const sockets = new Set<Socket>();
    const server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => {
      for (const socket of sockets) socket.destroy();
      server.close();
    });
    const { port } = server.address() as AddressInfo;
    const error = await createRabbitMqTransport({
      connection: `amqp://guest:guest@127.0.0.1:${port}`,
      connectTimeoutMs: 300,
    }).catch((e: unknown) => e);
    expect(TransportError.is(error), String(error)).toBe(true);
    expect(String(error)).toMatch(/no AMQP handshake within 300 ms/);
  });
});
