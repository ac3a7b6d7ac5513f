import * as os from 'node:os';
import type { ResultTable } from './results';
import type { ProfileSetting } from './tune';

/** What an `auto` profile is computed from. */
export interface MachineSize {
  memoryBytes: number;
  cores: number;
}

export function thisMachine(): MachineSize {
  return { memoryBytes: os.totalmem(), cores: os.cpus().length };
}

export const MiB = 1024 ** 2;
export const GiB = 1024 ** 3;
export const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
export const gib = (b: number) => `${(b / GiB).toFixed(1)} GiB`;

/** A server's share of memory: a dev machine runs five servers, so each gets a quarter, not all. */
export const MEMORY_SHARE = 0.25;

export interface AutoProfile {
  settings: ProfileSetting[];
  /** Each setting with the formula and the numbers that went in: shown in tune's output. */
  formula: ResultTable;
}

/** Settings, each with the formula that gave its value, as an AutoProfile (settings + formula table). */
export function autoProfileOf(rows: [ProfileSetting, string][], machine: MachineSize, serverName: string): AutoProfile {
  const ram = machine.memoryBytes;
  return {
    settings: rows.map(([s]) => s),
    formula: {
      title: `auto profile formula (RAM ${gib(ram)}, ${Math.max(1, machine.cores)} cores; ${serverName} budget = RAM x ${MEMORY_SHARE} = ${gib(ram * MEMORY_SHARE)})`,
      head: ['setting', 'formula', 'value'],
      rows: rows.map(([s, f]) => [s.name, f, s.value]),
    },
  };
}
