import { Cluster } from 'ioredis';
import { endpointsOf, getCredentials, isAlive, loadConfig, readPid, sleep } from '@devstack/core';
import { LOCAL_SERVICES, providerFor, StackLayout } from '@devstack/runtime';
import * as path from 'node:path';

/**
 * The api process that `stack up` started, against the live embedded stack: every endpoint does a
 * real read; a stopped backend answers 503 with a JSON reason while the api keeps serving the rest.
 */
const config = loadConfig();
const base = endpointsOf(config).api.url;
const layout = new StackLayout(config);

/** The api's JSON answers, as far as these tests read them (each test asserts the fields it uses). */
interface ApiBody {
  status: string;
  pid: number;
  backend: string;
  reason: string;
  row: { path: string; keys: string[] } & Record<string, unknown>;
  backends: Record<string, { status: string; latencyMs: number }>;
}

async function get(p: string): Promise<{ status: number; body: ApiBody }> {
  const res = await fetch(`${base}${p}`, { signal: AbortSignal.timeout(10000) });
  return { status: res.status, body: (await res.json()) as ApiBody };
}

describe('api endpoints against the live stack', () => {
  it('GET /health answers 200 from the process stack up started', async () => {
    const { status, body } = await get('/health');
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.pid).toBe(readPid(path.join(config.stateRoot, 'run', 'api.pid')));
  });

  it('GET /health/all reports every backend up with its latency', async () => {
    const { status, body } = await get('/health/all');
    expect(status).toBe(200);
    expect(Object.keys(body.backends).sort()).toEqual(['mongodb', 'mysql', 'postgres', 'redis', 'vault']);
    for (const b of Object.values(body.backends) as { status: string; latencyMs: number }[]) {
      expect(b.status).toBe('up');
      expect(b.latencyMs).toBeGreaterThan(0);
    }
  });

  it('GET /cache/redis puts back a key the cluster lost (read-through) and serves it', async () => {
    const creds = await getCredentials(config, 'redis');
    const cluster = new Cluster(endpointsOf(config).redis.nodes.slice(0, 3), { redisOptions: { password: creds.password } });
    try {
      await cluster.del('devstack:api:item:77');
      expect(await cluster.exists('devstack:api:item:77')).toBe(0);
      const { status, body } = await get('/cache/redis?id=77');
      expect(status).toBe(200);
      expect(body.row).toEqual({ id: 77, name: 'item-77', score: 77 % 97 });
      expect(JSON.parse((await cluster.get('devstack:api:item:77'))!)).toEqual({ id: 77, name: 'item-77', score: 77 });
    } finally {
      cluster.disconnect();
    }
  });

  it.each([
    ['/db/postgres', 'postgres', 'id'],
    ['/db/mysql', 'mysql', 'id'],
    ['/db/mongodb', 'mongodb', '_id'],
    ['/cache/redis', 'redis', 'id'],
  ])('GET %s?id=42 reads row 42 from %s', async (route, backend, idField) => {
    const { status, body } = await get(`${route}?id=42`);
    expect(status).toBe(200);
    expect(body.backend).toBe(backend);
    expect(body.row).toEqual({ [idField]: 42, name: 'item-42', score: 42 % 97 });
  });

  it('GET /vault/secret reads a KV secret with the api AppRole and names keys, never values', async () => {
    const { status, body } = await get('/vault/secret');
    expect(status).toBe(200);
    expect(body.row.path).toMatch(/devstack\/(api|postgres)$/);
    expect(Array.isArray(body.row.keys)).toBe(true);
    expect(body.row.keys.length).toBeGreaterThan(0);
    expect(JSON.stringify(body)).not.toMatch(/password"\s*:\s*"/);
  });

  it('refuses an out-of-range id with 400 and says the range', async () => {
    const { status, body } = await get('/db/postgres?id=0');
    expect(status).toBe(400);
    expect(body).toEqual({ error: 'bad_request', message: 'id must be an integer from 1 to 1000' });
  });
});

describe('a backend outage', () => {
  const provider = providerFor(config);
  afterAll(async () => {
    // Bring mongodb back whatever happened above, so the rest of the suites find a whole stack.
    if (!isAlive(readPid(layout.pid('mongodb')))) await provider.restart('mongodb');
  });

  it('answers 503 with a JSON reason for that backend, keeps serving the others, and recovers', async () => {
    const apiPid = readPid(layout.pid('api'));
    await LOCAL_SERVICES.mongodb.stop({ config, layout });
    expect(isAlive(readPid(layout.pid('mongodb')))).toBe(false);

    const down = await get('/db/mongodb?id=1');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ error: 'backend_unavailable', backend: 'mongodb' });
    expect(typeof down.body.reason).toBe('string');
    expect(down.body.reason.length).toBeGreaterThan(0);

    const all = await get('/health/all');
    expect(all.status).toBe(503);
    expect(all.body.status).toBe('degraded');
    expect(all.body.backends.mongodb.status).toBe('down');
    expect(all.body.backends.postgres.status).toBe('up');

    expect((await get('/db/postgres?id=7')).status).toBe(200);
    expect(isAlive(apiPid)).toBe(true);

    await provider.restart('mongodb');
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      status = (await get('/db/mongodb?id=1')).status;
      if (status !== 200) await sleep(500);
    }
    expect(status).toBe(200);
    expect(readPid(layout.pid('api'))).toBe(apiPid);
  });
});
