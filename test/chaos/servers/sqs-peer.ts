/**
 * The SNS/SQS emulator (fauxqs) as a process of its own, so every worker of the run reaches
 * the same queues: prints `port <n>` once it listens and runs until stdin closes.
 */
import { startFauxqs } from 'fauxqs';

const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
process.stdout.write(`port ${server.port}\n`);
process.stdin.resume();
process.stdin.on('end', () => void server.stop().then(() => process.exit(0)));
