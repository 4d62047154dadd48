/**
 * The command line of `npm run chaos`: `--scale full|small` picks the defaults (full: the
 * figures in docs/reliability.md; small: the run inside `npm test`), and every figure can
 * be set on its own. Bad values are refused with the flag's name and the reason.
 */
import { brokerNames } from './brokers.ts';

export interface ChaosOptions {
  readonly scale: 'full' | 'small';
  readonly events: number;
  readonly subjects: number;
  readonly kills: number;
  readonly restarts: number;
  /** PostgreSQL restarts; default `restarts`. */
  readonly pgRestarts: number;
  readonly relays: number;
  readonly consumers: number;
  readonly outbox: 'postgres' | 'sqlite';
  readonly broker: string;
  /** Hostile messages for the fuzz run; 0 runs the chaos run instead. */
  readonly fuzz: number;
}

const scales = {
  full: { events: 100_000, subjects: 1_000, kills: 20, restarts: 2, relays: 3, consumers: 2 },
  small: { events: 1_000, subjects: 50, kills: 2, restarts: 1, relays: 2, consumers: 2 },
} as const;

function value(argv: readonly string[], name: string): string | undefined {
  const at = argv.indexOf(`--${name}`);
  if (at < 0) return undefined;
  const given = argv[at + 1];
  if (given === undefined) throw new Error(`--${name} needs a value`);
  return given;
}

function count(argv: readonly string[], name: string, fallback: number, least: number): number {
  const given = value(argv, name);
  if (given === undefined) return fallback;
  const n = Number(given);
  if (!Number.isInteger(n) || n < least)
    throw new Error(`--${name} must be an integer ≥ ${least}; got ${given}`);
  return n;
}

function oneOf<T extends string>(
  argv: readonly string[],
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const given = value(argv, name) ?? fallback;
  if (!allowed.includes(given as T))
    throw new Error(`--${name} must be one of ${allowed.join(', ')}; got ${given}`);
  return given as T;
}

export function parseOptions(argv: readonly string[]): ChaosOptions {
  const scale = oneOf(argv, 'scale', ['full', 'small'], 'full');
  const d = scales[scale];
  return {
    scale,
    events: count(argv, 'events', d.events, 1),
    subjects: count(argv, 'subjects', d.subjects, 1),
    kills: count(argv, 'kills', d.kills, 0),
    restarts: count(argv, 'restarts', d.restarts, 0),
    pgRestarts: count(argv, 'pg-restarts', count(argv, 'restarts', d.restarts, 0), 0),
    relays: count(argv, 'relays', d.relays, 1),
    consumers: count(argv, 'consumers', d.consumers, 1),
    outbox: oneOf(argv, 'outbox', ['postgres', 'sqlite'], 'postgres'),
    broker: oneOf(argv, 'broker', brokerNames, 'redis'),
    fuzz: count(argv, 'fuzz', 0, 0),
  };
}
