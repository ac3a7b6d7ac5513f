import { DevstackError } from './errors';

/**
 * The two sizes every bench runs at: `quick` (seconds, for tests and `npm start`) and `full` (long
 * enough to leave the warm-up behind). One vocabulary for all backends: `BENCH_SIZES.quick/full`.
 */
export interface BenchSizes<T> {
  quick: T;
  full: T;
}

/** The size a bench runs at: `--quick` picks `quick`, otherwise `full`. */
export function sizeOf<T>(sizes: BenchSizes<T>, options: { quick?: boolean }): T {
  return options.quick ? sizes.quick : sizes.full;
}

/** `probeConcurrency` -> `--probe-concurrency`: the flag a user types for an option. */
export const flagOf = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * The numeric sizes of a run: each option given on the command line, else the chosen size's value.
 * Every one must be a positive integer (exit 2 naming the flag, with the quick value as example).
 */
export function sizePlan<T extends Record<string, number>>(sizes: BenchSizes<T>, options: { quick?: boolean } & Partial<Record<keyof T, unknown>>): T {
  const base = sizeOf(sizes, options);
  const plan = { ...base };
  for (const k of Object.keys(base) as (keyof T & string)[]) {
    const v = (options[k] ?? base[k]) as number;
    if (!Number.isInteger(v) || v < 1) {
      throw new DevstackError('BAD_INPUT', `${flagOf(k)} must be a positive integer; got ${v}.`, { fix: `Example: ${flagOf(k)} ${sizes.quick[k]}` });
    }
    (plan as Record<string, number>)[k] = v;
  }
  return plan;
}
