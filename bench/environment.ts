/** The machine a run happened on, for the report header: CPU, cores, memory, Node, load. */
import os from 'node:os';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  /** 1-minute load average when the run started and when it ended. */
  readonly loadBefore: number;
  loadAfter?: number;
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    loadBefore: os.loadavg()[0] ?? 0,
  };
}

export function finishMachine(machine: Machine): Machine {
  machine.loadAfter = os.loadavg()[0] ?? 0;
  return machine;
}
