/**
 * Starts librdkafka's mock Kafka cluster (`peer/mockkafka.c`) for integration tests: builds
 * the binary on demand (installing Debian's librdkafka-dev when root and it is missing),
 * starts it with random 127.0.0.1 ports and reads the bootstrap list from its stdout. The
 * child dies with this process (PR_SET_PDEATHSIG), so a crashed run leaves no orphan.
 * `failNext` injects Kafka errors through the peer's stdin (librdkafka's
 * `rd_kafka_mock_push_request_errors`).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../peer/mockkafka.c', import.meta.url));
const binary = fileURLToPath(new URL('../peer/mockkafka', import.meta.url));

export interface MockKafkaCluster {
  /** Bootstrap brokers, `127.0.0.1:port`, one per broker. */
  readonly brokers: string[];
  /**
   * Fault injection: the next `count` requests of Kafka API `apiKey` (from any client) are
   * answered with error `code`. Resolves once the cluster has taken the command.
   */
  failNext(apiKey: number, code: number, count?: number): Promise<void>;
  /**
   * Settles when the cluster process exits other than by `close()`, with its exit code or
   * signal and the end of its stderr (librdkafka prints a failed assertion there).
   */
  readonly died: Promise<string>;
  close(): Promise<void>;
}

function hasRdkafka(): boolean {
  try {
    execFileSync('pkg-config', ['--exists', 'rdkafka']);
    return true;
  } catch {
    return false;
  }
}

/** Builds `peer/mockkafka` when it is missing or older than its source. Idempotent. */
export function buildMockKafka(): string {
  if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs) return binary;
  if (!hasRdkafka()) {
    if (process.getuid?.() !== 0) {
      throw new Error('librdkafka-dev is missing: run `apt-get install -y librdkafka-dev` as root.');
    }
    execFileSync('sh', ['-c', 'apt-get update -qq && apt-get install -y -qq librdkafka-dev'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: 'ignore',
    });
  }
  const flags = execFileSync('pkg-config', ['--cflags', '--libs', 'rdkafka'], { encoding: 'utf8' })
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  execFileSync('gcc', ['-O2', '-o', binary, source, ...flags], { stdio: 'inherit' });
  return binary;
}

function waitForBootstrap(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(line.trim());
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`mockkafka exited with ${code} before starting: ${err}`)));
  });
}

/**
 * Starts a mock cluster of `brokers` brokers (default 3). Topics are auto-created with 4
 * partitions on first use; `topics` (`name:partitions`) are created up front.
 *
 * @example
 * const cluster = await startMockKafka({ brokers: 3 });
 * const transport = await createKafkaTransport({ connection: cluster.brokers.join(',') });
 * afterAll(() => cluster.close());
 */
export async function startMockKafka(
  options: { brokers?: number; topics?: string[] } = {},
): Promise<MockKafkaCluster> {
  const path = buildMockKafka();
  const child = spawn(path, [String(options.brokers ?? 3), ...(options.topics ?? [])], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const bootstrap = await waitForBootstrap(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let closing = false;
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-4_000);
  });
  const died = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      if (!closing)
        resolve(`mockkafka exited with ${signal ?? code}${stderrTail ? `: ${stderrTail.trim()}` : ''}`);
    });
  });
  // After the bootstrap line, each stdout line answers one command, in order.
  const answers: ((line: string) => void)[] = [];
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line !== bootstrap) answers.shift()?.(line);
    }
  });
  child.stdin?.on('error', () => undefined);
  return {
    brokers: bootstrap.split(','),
    failNext(apiKey, code, count = 1) {
      return new Promise((resolve, reject) => {
        answers.push((line) =>
          line === 'ok' ? resolve() : reject(new Error(`mockkafka refused the command: ${line}`)),
        );
        child.stdin?.write(`fail ${apiKey} ${code} ${count}\n`);
      });
    },
    died,
    async close() {
      closing = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
