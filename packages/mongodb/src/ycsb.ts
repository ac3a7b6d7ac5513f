import { DevstackError, seededRandom } from '@devstack/core';

/** YCSB core workloads as data: the fraction of reads; the rest are updates. */
export const WORKLOADS = {
  A: { read: 0.5, description: 'update heavy: 50% read, 50% update' },
  B: { read: 0.95, description: 'read mostly: 95% read, 5% update' },
  C: { read: 1, description: 'read only' },
} as const;
export type WorkloadName = keyof typeof WORKLOADS;
export type KeyDistribution = 'zipfian' | 'uniform';

export interface YcsbOp {
  op: 'read' | 'update';
  /** Record number, 0 .. records-1. */
  key: number;
  /** Which field an update rewrites (YCSB updates one field of ten). */
  field: number;
}

/** mulberry32 from core: a workload is the same sequence on every run and machine. */
export { seededRandom };

/**
 * YCSB's ZipfianGenerator (Gray et al., "Quickly generating billion-record synthetic databases"),
 * constant 0.99: rank 0 is the most popular. Returns ranks in 0 .. n-1.
 */
export function zipfian(n: number, random: () => number, theta = 0.99): () => number {
  let zetan = 0;
  for (let i = 1; i <= n; i++) zetan += 1 / i ** theta;
  const zeta2 = 1 + 1 / 2 ** theta;
  const alpha = 1 / (1 - theta);
  const eta = (1 - (2 / n) ** (1 - theta)) / (1 - zeta2 / zetan);
  return () => {
    const u = random();
    const uz = u * zetan;
    if (uz < 1) return 0;
    if (uz < zeta2) return 1;
    return Math.min(n - 1, Math.floor(n * (eta * u - eta + 1) ** alpha));
  };
}

/** FNV-1a of the rank: YCSB "scrambles" zipfian ranks so the hot keys are spread over the key space. */
export function scramble(rank: number, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < 4; i++) {
    h ^= (rank >>> (i * 8)) & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % n;
}

export interface MixOptions {
  records: number;
  operations: number;
  distribution?: KeyDistribution;
  seed?: number;
}

/** The operation sequence of one workload run: pure and deterministic for a given seed. */
export function generateMix(workload: WorkloadName, o: MixOptions): YcsbOp[] {
  const w = WORKLOADS[workload];
  if (!w) throw new DevstackError('BAD_INPUT', `Unknown YCSB workload "${workload}".`, { fix: 'Use A, B or C.' });
  for (const [k, v] of [['records', o.records], ['operations', o.operations]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new DevstackError('BAD_INPUT', `--${k} must be a positive integer; got ${v}.`, { fix: `Example: --${k} 1000` });
  }
  const random = seededRandom(o.seed ?? 42);
  const pick = (o.distribution ?? 'zipfian') === 'zipfian' ? (() => {
    const z = zipfian(o.records, random);
    return () => scramble(z(), o.records);
  })() : () => Math.floor(random() * o.records);
  const ops: YcsbOp[] = [];
  for (let i = 0; i < o.operations; i++) {
    const op = random() < w.read ? 'read' : 'update';
    ops.push({ op, key: pick(), field: Math.floor(random() * 10) });
  }
  return ops;
}

export const recordId = (key: number) => `user${String(key).padStart(10, '0')}`;

/** A YCSB record: ten fields sharing `size` bytes (default YCSB: 10 x 100 bytes). */
export function makeRecord(key: number, size: number, random: () => number = Math.random): Record<string, string> {
  const per = Math.max(1, Math.floor(size / 10));
  const doc: Record<string, string> = { _id: recordId(key) };
  for (let f = 0; f < 10; f++) doc[`field${f}`] = randomString(per, random);
  return doc;
}

export function randomString(n: number, random: () => number): string {
  const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let s = '';
  for (let i = 0; i < n; i++) s += chars[Math.floor(random() * chars.length)];
  return s;
}
