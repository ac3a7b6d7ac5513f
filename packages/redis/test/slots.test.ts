import { crc16, hashTagOf, inRanges, keySlot, parseSlotRanges, pickHashTag, pickKeys } from '../src/slots';

// Expected slots were read from a live Redis 7.0 node with CLUSTER KEYSLOT; the CRC check value is
// the published CRC-16/XMODEM check for "123456789".
describe('crc16 (XMODEM)', () => {
  it('matches the published check value', () => {
    expect(crc16('123456789')).toBe(0x31c3);
  });
  it('is 0 for the empty input', () => {
    expect(crc16('')).toBe(0);
  });
  it('hashes UTF-8 bytes, not UTF-16 code units', () => {
    expect(crc16('ключ')).toBe(crc16(Buffer.from('ключ', 'utf8')));
    expect(keySlot('ключ')).toBe(10303);
  });
});

describe('keySlot', () => {
  it.each([
    ['foo', 12182],
    ['bar', 5061],
    ['hello', 866],
    ['a', 15495],
    ['123456789', 12739],
    ['', 0],
  ])('slot(%j) = %i', (key, slot) => {
    expect(keySlot(key)).toBe(slot);
  });

  it('uses the hash tag: {user1000}.following lives with user1000', () => {
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
    expect(keySlot('{user1000}.following')).toBe(3443);
  });

  it('follows the hash tag edge cases of the spec', () => {
    expect(hashTagOf('foo{}{bar}')).toBe('foo{}{bar}'); // empty first tag: whole key
    expect(keySlot('foo{}{bar}')).toBe(8363);
    expect(hashTagOf('foo{{bar}}zap')).toBe('{bar'); // up to the first }
    expect(keySlot('foo{{bar}}zap')).toBe(4015);
    expect(hashTagOf('foo{bar}{zap}')).toBe('bar'); // first tag only
    expect(keySlot('foo{bar}{zap}')).toBe(keySlot('bar'));
    expect(hashTagOf('foo{bar')).toBe('foo{bar'); // unclosed: whole key
  });
});

describe('slot ranges', () => {
  it('parses CLUSTER NODES slot fields and skips migration markers', () => {
    expect(parseSlotRanges(['0-5460', '5462', '[5461->-abc]'])).toEqual([
      { start: 0, end: 5460 },
      { start: 5462, end: 5462 },
    ]);
  });
  it('checks inclusive bounds', () => {
    const r = [{ start: 10, end: 20 }];
    expect([9, 10, 20, 21].map((s) => inRanges(s, r))).toEqual([false, true, true, false]);
  });
});

describe('pickKeys', () => {
  const shard2 = [{ start: 5461, end: 10922 }];

  it('returns keys whose slots all lie in the ranges, on distinct slots', () => {
    const keys = pickKeys({ count: 50, ranges: shard2, prefix: 'fo:data:' });
    expect(keys).toHaveLength(50);
    const slots = keys.map(keySlot);
    expect(slots.every((s) => s >= 5461 && s <= 10922)).toBe(true);
    expect(new Set(slots).size).toBe(50);
  });

  it('is deterministic', () => {
    expect(pickKeys({ count: 5, ranges: shard2, prefix: 'k' })).toEqual(pickKeys({ count: 5, ranges: shard2, prefix: 'k' }));
  });

  it('never returns a key outside the ranges (foo is 12182, so it is skipped for shard 2)', () => {
    const keys = pickKeys({ count: 200, ranges: shard2, prefix: 'foo' });
    expect(keys).not.toContain('foo');
  });

  it('fails loudly when the ranges cannot hold that many distinct slots', () => {
    expect(() => pickKeys({ count: 3, ranges: [{ start: 7, end: 8 }], prefix: 'x', maxCandidates: 100_000 })).toThrow(RangeError);
    expect(() => pickKeys({ count: 1, ranges: [], prefix: 'x' })).toThrow(TypeError);
  });

  it('picks a hash tag whose keys share one slot in the ranges', () => {
    const tag = pickHashTag('fo:w', shard2);
    const slot = keySlot(`{${tag}}:1`);
    expect(slot).toBe(keySlot(`{${tag}}:999`));
    expect(inRanges(slot, shard2)).toBe(true);
  });
});
