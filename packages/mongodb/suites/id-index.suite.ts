import { loadConfig } from '@devstack/core';
import { connect, serverInfo } from '../src/server';

// Live suite: FerretDB 1.24 filters _id equality with jsonb containment (`_jsonb->'_id' @> ...`), which
// its own btree _id index cannot serve; the stack's backend adds a GIN twin per collection (runtime's
// ID_INDEX_SQL). FerretDB's explain returns the backend's EXPLAIN, so the plan shows which index it used.
const config = loadConfig();
const DB = 'devstack_id_index_probe';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}
const nodes = (p: PlanNode): PlanNode[] => [p, ...(p.Plans ?? []).flatMap(nodes)];

describe('mongodb point reads by _id use an index on the PostgreSQL backend', () => {
  it('a collection created through FerretDB gets the GIN _id index, and findOne by _id uses it instead of a sequential scan', async () => {
    const client = await connect(config);
    try {
      const info = await serverInfo(client);
      const db = client.db(DB);
      await db.dropDatabase();
      await db.collection<{ _id: string; v: number }>('c').insertMany(Array.from({ length: 500 }, (_, i) => ({ _id: `k${i}`, v: i })));
      const explain = await db.command({ explain: { find: 'c', filter: { _id: 'k42' }, limit: 1 } });
      expect(explain.ok).toBe(1);
      if (info.name === 'FerretDB' && config.mongodb.backend === 'postgresql') {
        const plan = nodes((explain.queryPlanner as { Plan: PlanNode }).Plan);
        expect(plan.map((n) => n['Node Type'])).not.toContain('Seq Scan');
        expect(plan.find((n) => n['Node Type'] === 'Bitmap Index Scan')?.['Index Name']).toMatch(/^devstack_id_gin_\d+$/);
      }
      expect(await db.collection<{ _id: string; v: number }>('c').findOne({ _id: 'k42' })).toEqual({ _id: 'k42', v: 42 });
      await db.dropDatabase();
    } finally {
      await client.close();
    }
  });
});
