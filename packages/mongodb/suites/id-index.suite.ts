import { loadConfig } from '@devstack/core';
import { ferretdbPatches, ID_EQUALITY_PATCH, mongoBackendSettings, mongoBinary } from '@devstack/runtime';
import { Double, Long } from 'mongodb';
import { connect } from '../src/server';

// Live suite: how FerretDB's PostgreSQL backend finds a document by _id. Stock FerretDB 1.24 filters _id
// equality with jsonb containment on a key passed as a parameter (`_jsonb->$1 @> $2`), which its own btree
// _id index cannot serve; the stack's backend adds a GIN twin per collection for that (runtime's
// idIndexSql). The FerretDB that tools/setup.sh builds carries tools/patches/ferretdb-id-equality-pushdown.patch:
// `_jsonb->'_id' = $1` for string, ObjectID and (safe-range) numeric _ids, served by the btree index.
// FerretDB's explain returns the backend's EXPLAIN, so the plan shows the condition and the index used.
const config = loadConfig();
const DB = 'devstack_id_index_probe';
const bin = mongoBinary();
const patched = bin?.server === 'FerretDB' && (ferretdbPatches(bin.path) ?? []).includes(ID_EQUALITY_PATCH);

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}
const nodes = (p: PlanNode): PlanNode[] => [p, ...(p.Plans ?? []).flatMap(nodes)];
const onPostgres = () => bin?.server === 'FerretDB' && config.mongodb.backend === 'postgresql';

type Doc = { _id: string | number | boolean; v: number };

describe('mongodb point reads by _id use an index on the PostgreSQL backend', () => {
  let client: Awaited<ReturnType<typeof connect>>;
  beforeAll(async () => {
    client = await connect(config);
    const db = client.db(DB);
    await db.dropDatabase();
    await db.collection<Doc>('c').insertMany([...Array.from({ length: 500 }, (_, i) => ({ _id: `k${i}`, v: i })), { _id: 7, v: 7 }, { _id: 2.5, v: 25 }, { _id: true, v: 1 }]);
  });
  afterAll(async () => {
    await client?.db(DB).dropDatabase().catch(() => undefined);
    await client?.close();
  });

  const planOf = async (filter: Record<string, unknown>) => {
    const explain = await client.db(DB).command({ explain: { find: 'c', filter, limit: 1 } });
    expect(explain.ok).toBe(1);
    return nodes((explain.queryPlanner as { Plan: PlanNode }).Plan);
  };

  (patched ? it : it.skip)('the patched FerretDB reads a string or numeric _id by plain equality through its btree _id index', async () => {
    expect(onPostgres()).toBe(true);
    for (const filter of [{ _id: 'k42' }, { _id: 7 }, { _id: { $eq: 'k42' } }]) {
      const plan = await planOf(filter);
      const scan = plan.find((n) => n['Node Type'] === 'Index Scan');
      expect({ filter, index: scan?.['Index Name'] }).toEqual({ filter, index: expect.stringMatching(/^c_[0-9a-f]+__id__[0-9a-f]+_idx$/) });
      expect(scan?.['Index Cond']).toMatch(/\._jsonb -> '_id'::text\) = '("k42"|7)'::jsonb\)$/);
      expect(plan.map((n) => n['Node Type'])).not.toContain('Seq Scan');
    }
    // A boolean _id keeps FerretDB's containment filter, served by the GIN twin.
    expect((await planOf({ _id: true })).find((n) => n['Node Type'] === 'Bitmap Index Scan')?.['Index Name']).toMatch(/^devstack_id_gin_\d+$/);
    // The equality needs no custom plan per execution: the backend database keeps PostgreSQL's default.
    expect(await mongoBackendSettings(config, ['plan_cache_mode'])).toEqual({ plan_cache_mode: 'auto' });
  });

  (patched || !onPostgres() ? it.skip : it)('a stock FerretDB gets the GIN _id index, and findOne by _id uses it instead of a sequential scan', async () => {
    expect(await mongoBackendSettings(config, ['plan_cache_mode'])).toEqual({ plan_cache_mode: 'force_custom_plan' });
    const plan = await planOf({ _id: 'k42' });
    expect(plan.map((n) => n['Node Type'])).not.toContain('Seq Scan');
    expect(plan.find((n) => n['Node Type'] === 'Bitmap Index Scan')?.['Index Name']).toMatch(/^devstack_id_gin_\d+$/);
  });

  it('finds each _id with MongoDB equality: numbers by value across int32, int64 and double', async () => {
    const c = client.db(DB).collection<Doc>('c');
    expect(await c.findOne({ _id: 'k42' })).toEqual({ _id: 'k42', v: 42 });
    expect(await c.findOne({ _id: 'k500' })).toBeNull();
    expect(await c.findOne({ _id: 7 })).toEqual({ _id: 7, v: 7 });
    expect(await c.findOne({ _id: new Double(7) as unknown as number })).toEqual({ _id: 7, v: 7 });
    expect(await c.findOne({ _id: Long.fromNumber(7) as unknown as number })).toEqual({ _id: 7, v: 7 });
    expect(await c.findOne({ _id: 2.5 })).toEqual({ _id: 2.5, v: 25 });
    expect(await c.findOne({ _id: 2 })).toBeNull();
    expect(await c.findOne({ _id: '7' })).toBeNull();
    expect(await c.findOne({ _id: true })).toEqual({ _id: true, v: 1 });
  });
});
