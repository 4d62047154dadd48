/**
 * The SNS/SQS peer for integration tests: fauxqs started in-process on a random port, and AWS
 * SDK clients pointed at it whose connection a test can break: `drop()` destroys the open
 * sockets (the SDK reconnects by itself), `crash()` makes every later request fail, like a
 * process that died (it never deletes or extends a message again). Its S3 holds offloaded bodies.
 */
import { Agent } from 'node:http';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';

export interface FauxqsPeer {
  readonly endpoint: string;
  /** A bucket for offloaded bodies, and an S3 client for it. */
  readonly bucket: string;
  readonly s3: S3Client;
  close(): Promise<void>;
}

export async function startFauxqsPeer(): Promise<FauxqsPeer> {
  const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const s3 = new S3Client({
    endpoint,
    region: 'eu-west-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const bucket = 'tidings-payloads';
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    endpoint,
    bucket,
    s3,
    async close() {
      s3.destroy();
      await server.stop();
    },
  };
}

export interface TestClients {
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  drop(): void;
  crash(): void;
  destroy(): void;
}

export function createTestClients(endpoint: string): TestClients {
  const agent = new Agent({ keepAlive: true });
  let crashed = false;
  const config = {
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: { httpAgent: agent },
    maxAttempts: 3,
  };
  const sns = new SNSClient(config);
  const sqs = new SQSClient(config);
  const refuse = () => {
    if (crashed) throw Object.assign(new Error('process crashed (test)'), { name: 'Crashed' });
  };
  const step = { step: 'initialize', name: 'testCrashSwitch' } as const;
  sns.middlewareStack.add(
    (next) => async (args) => {
      refuse();
      return next(args);
    },
    step,
  );
  sqs.middlewareStack.add(
    (next) => async (args) => {
      refuse();
      return next(args);
    },
    step,
  );
  const drop = () => {
    for (const list of [...Object.values(agent.sockets), ...Object.values(agent.freeSockets)]) {
      for (const socket of list ?? []) socket.destroy();
    }
  };
  return {
    sns,
    sqs,
    drop,
    crash() {
      crashed = true;
      drop();
    },
    destroy() {
      sns.destroy();
      sqs.destroy();
      agent.destroy();
    },
  };
}
