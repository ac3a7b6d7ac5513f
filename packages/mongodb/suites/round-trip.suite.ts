import { loadConfig } from '@devstack/core';
import { Binary, Double, Int32, Long, ObjectId } from 'mongodb';
import { mongoBinary } from '@devstack/runtime';
import { connect } from '../src/server';

// Live suite: documents come back from the server exactly as they went in. The FerretDB that
// tools/setup.sh builds decodes what its PostgreSQL backend returns with two of tools/patches/:
// ferretdb-sjson-fast-decode.patch (plain strings taken as their bytes, schemas cached by their text)
// and ferretdb-params-tag-cache.patch (command fields parsed once per type). This suite holds them to
// the server's contract: strings with every kind of escape and non-ASCII text, the same keys with
// other types in neighbouring documents (one cached schema must not decode another's values), nested
// documents and arrays, read by _id and by a scan, twice (the second read uses the cached schemas).
// Also true of a real mongod, which this suite runs against unchanged.
const config = loadConfig();
const DB = 'devstack_round_trip_probe';
const bin = mongoBinary();

const strings = [
  'plain ascii',
  '',
  'quote " and backslash \\ and slash /',
  'tab\tnewline\ncarriage\rreturn',
  'bell \u0007, escape \u001b, unit separator \u001f, delete \u007f',
  'héllo wörld ✓ 中文 😀',
  'line separator \u2028 paragraph \u2029',
  '</script><!-- & \' -->',
  'x'.repeat(4096),
];

const docs = [
  ...strings.map((s, i) => ({ _id: `s${i}`, v: s, nested: { v: s, list: [s, new Int32(i)] } })),
  // The same keys as above with other types: each document's schema differs from its neighbour's.
  { _id: 'int', v: new Int32(42), nested: { v: new Int32(-1), list: [new Int32(1), 'a'] } },
  { _id: 'long', v: Long.fromString('9007199254740993'), nested: { v: Long.fromNumber(-5), list: [] } },
  { _id: 'double', v: new Double(2.5), nested: { v: new Double(-0.125), list: [new Double(1e300)] } },
  { _id: 'bool', v: true, nested: { v: false, list: [true, false] } },
  { _id: 'null', v: null, nested: { v: null, list: [null] } },
  { _id: 'date', v: new Date('2026-12-03T12:00:00.123Z'), nested: { v: new Date(0), list: [new Date(1)] } },
  { _id: 'oid', v: new ObjectId('65a1b2c3d4e5f60718293a4b'), nested: { v: new ObjectId('000000000000000000000000'), list: [] } },
  { _id: 'bin', v: new Binary(Buffer.from([0, 1, 2, 255])), nested: { v: new Binary(Buffer.from('hi')), list: [] } },
  { _id: 'doc', v: { a: { b: { c: 'deep "quoted" ✓' } } }, nested: { v: [{ x: new Int32(1) }, { y: [new Int32(2), new Int32(3)] }], list: [{}] } },
  { _id: 'plain ascii', v: 'an _id that is also a value', nested: { v: 's', list: ['s'] } },
];

describe('mongodb documents round-trip unchanged', () => {
  let client: Awaited<ReturnType<typeof connect>>;
  beforeAll(async () => {
    client = await connect(config);
    const db = client.db(DB);
    await db.dropDatabase();
    await db.collection('c').insertMany(docs as never[]);
  });
  afterAll(async () => {
    await client?.db(DB).dropDatabase().catch(() => undefined);
    await client?.close();
  });

  it.each([1, 2])('findOne by _id returns each document as inserted (read %i)', async () => {
    const coll = client.db(DB).collection('c');
    for (const d of docs) expect(await coll.findOne({ _id: d._id } as never, { promoteLongs: false, promoteValues: false })).toEqual(d);
  });

  it('a scan returns every document as inserted, in _id order', async () => {
    const all = await client.db(DB).collection('c').find({}, { sort: { _id: 1 }, promoteLongs: false, promoteValues: false }).toArray();
    expect(all).toEqual([...docs].sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0)));
  });

  it('a filter on a string value with escapes matches exactly that document', async () => {
    const coll = client.db(DB).collection('c');
    for (const [i, s] of strings.entries()) expect((await coll.find({ v: s }).toArray()).map((d) => d._id)).toEqual([`s${i}`]);
  });

  // PostgreSQL's jsonb cannot hold U+0000, so FerretDB on that backend refuses such a string (a known
  // FerretDB difference, not a patch's); SQLite and mongod store it.
  it('a string with U+0000 is refused by the PostgreSQL backend with its exact error, stored unchanged elsewhere', async () => {
    const coll = client.db(DB).collection('c');
    const nul = { _id: 'nul', v: 'before \u0000 after' };
    const refusedByJsonb = bin?.server === 'FerretDB' && config.mongodb.backend === 'postgresql';
    const outcome = await coll.insertOne(nul as never).then(
      () => 'stored',
      (err: Error) => err.message,
    );
    if (refusedByJsonb) {
      expect(outcome).toMatch(/unsupported Unicode escape sequence \(SQLSTATE 22P05\)/);
      expect(await coll.findOne({ _id: 'nul' } as never)).toBeNull();
    } else {
      expect(outcome).toBe('stored');
      expect(await coll.findOne({ _id: 'nul' } as never)).toEqual(nul);
    }
  });
});
