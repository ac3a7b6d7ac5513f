import { parseRedisSlotRanges, type RedisSlotRange } from '@devstack/core';

/**
 * Redis Cluster key -> hash slot mapping, as pure code: CRC16/XMODEM of the key (or of its hash tag)
 * modulo 16384. The failover suite uses it to choose keys that live on the node it is about to kill,
 * without asking the server (CLUSTER KEYSLOT would hide a client-side mistake behind the server's answer).
 */
export const SLOT_COUNT = 16384;

/** CRC16 lookup table for the XMODEM variant (polynomial 0x1021, initial value 0, no reflection). */
const TABLE: Uint16Array = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    t[i] = crc;
  }
  return t;
})();

/** CRC16/XMODEM of the bytes (strings are taken as UTF-8, as Redis sees them). */
export function crc16(data: string | Uint8Array): number {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ byte) & 0xff];
  return crc;
}

/**
 * The part of a key that is hashed: the text between the first `{` and the next `}` when that is
 * non-empty, else the whole key (Redis Cluster spec, "hash tags").
 */
export function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return key;
  return key.slice(open + 1, close);
}

export function keySlot(key: string): number {
  return crc16(hashTagOf(key)) % SLOT_COUNT;
}

/** An inclusive slot range as CLUSTER NODES / CLUSTER SHARDS print it. */
export type SlotRange = RedisSlotRange;

export function inRanges(slot: number, ranges: readonly SlotRange[]): boolean {
  return ranges.some((r) => slot >= r.start && slot <= r.end);
}

/** The slot fields of a CLUSTER NODES line: core's parser ("[..]" migrating/importing entries are not ranges). */
export const parseSlotRanges = parseRedisSlotRanges;

export interface PickKeysOptions {
  /** How many keys to return. */
  count: number;
  /** Only keys whose slot falls in these ranges. */
  ranges: readonly SlotRange[];
  /** Key name prefix; keys are `${prefix}${n}` for n = 0, 1, 2 ... */
  prefix: string;
  /** Require a different slot for every key (spreads the data over the shard). Default true. */
  distinctSlots?: boolean;
  /** Give up after this many candidates (a range too small for the request). Default 1,000,000. */
  maxCandidates?: number;
}

/**
 * Deterministic key picking: walk `${prefix}0`, `${prefix}1` ... and keep the keys that hash into the
 * ranges. Same inputs, same keys, so a failed run can be re-checked by hand with CLUSTER KEYSLOT.
 */
export function pickKeys(options: PickKeysOptions): string[] {
  const { count, ranges, prefix } = options;
  if (!Number.isInteger(count) || count < 0) throw new TypeError(`count must be a non-negative integer, got ${count}`);
  if (count > 0 && ranges.length === 0) throw new TypeError('pickKeys needs at least one slot range');
  const distinct = options.distinctSlots ?? true;
  const max = options.maxCandidates ?? 1_000_000;
  const keys: string[] = [];
  const used = new Set<number>();
  for (let n = 0; keys.length < count; n++) {
    if (n >= max) throw new RangeError(`only ${keys.length} of ${count} keys found in ${max} candidates for prefix "${prefix}"`);
    const key = `${prefix}${n}`;
    const slot = keySlot(key);
    if (!inRanges(slot, ranges) || (distinct && used.has(slot))) continue;
    used.add(slot);
    keys.push(key);
  }
  return keys;
}

/** A hash tag (the text inside `{}`) whose slot lies in the ranges: keys `{tag}:x` then all share that slot. */
export function pickHashTag(prefix: string, ranges: readonly SlotRange[]): string {
  const [key] = pickKeys({ count: 1, ranges, prefix });
  return key;
}
