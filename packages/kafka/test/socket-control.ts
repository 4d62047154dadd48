/**
 * A kafkajs `socketFactory` the tests can break from outside: `drop()` destroys every open
 * socket (the client must reconnect by itself), `crash()` also refuses every later
 * connection, like a process that died. Used for the contract's crash/dropConnection hooks.
 */
import { connect, type Socket } from 'node:net';
import type { ISocketFactory } from 'kafkajs';

export interface SocketControl {
  readonly socketFactory: ISocketFactory;
  drop(): void;
  crash(): void;
}

export function createSocketControl(): SocketControl {
  const sockets = new Set<Socket>();
  let crashed = false;
  const socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    // Port 1 on loopback refuses at once: the client sees a connection error, never a hang.
    const socket = crashed ? connect({ host: '127.0.0.1', port: 1 }) : connect({ host, port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    return socket;
  };
  const drop = () => {
    // With an error, as a reset connection looks: kafkajs listens for 'error', not 'close'.
    for (const socket of sockets)
      socket.destroy(Object.assign(new Error('connection reset by test'), { code: 'ECONNRESET' }));
  };
  return {
    socketFactory,
    drop,
    crash() {
      crashed = true;
      drop();
    },
  };
}
