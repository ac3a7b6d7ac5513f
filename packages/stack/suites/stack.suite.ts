/**
 * The embedded stack, end to end, on its own ports and state directory so it never disturbs the
 * stack the other suites use: cold up, real drivers with credentials from Vault, idempotent up,
 * a killed server seen as down, a taken port refused with exit 3, and down leaving no process.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import Redis from 'ioredis';
import { MongoClient } from 'mongodb';
import mysql from 'mysql2/promise';
import nodeVault from 'node-vault';
import { Client } from 'pg';
import { endpointsOf, getCredentials, isAlive, kvData, kvPath, loadConfig, readAppRole, readPid, runCli, STACK_SERVICES, type LoadedConfig } from '@devstack/core';
import { LocalProvider, mongoBinary, mongoUrl } from '@devstack/runtime';

// Relative to the caller's offset, so stacks of several checkouts on one machine never meet.
const OFFSET = 1000 + (Number(process.env.DEVSTACK_PORT_OFFSET) || 0);
const STATE = '.devstack/suite-stack';
let config: LoadedConfig;
let provider: LocalProvider;

beforeAll(() => {
  config = loadConfig({ env: { ...process.env, DEVSTACK_STATE_DIR: STATE }, flags: { portOffset: OFFSET } });
  provider = new LocalProvider(config);
});

afterAll(async () => {
  await provider.down({ purge: true });
});

function stackPids(): number[] {
  const run = path.join(config.stateRoot, 'run');
  let files: string[] = [];
  try {
    files = readdirSync(run).filter((f) => f.endsWith('.pid') && !f.includes('server'));
  } catch {
    return [];
  }
  return files.map((f) => readPid(path.join(run, f))).filter((p): p is number => p !== undefined);
}

describe('local stack provider', () => {
  it('starts 5 healthy services from cold (Vault first, Redis 3 masters + 3 replicas)', async () => {
    await provider.down({ purge: true });
    const t0 = Date.now();
    const report = await provider.up();
    const coldMs = Date.now() - t0;
    // The api (packages/api) starts last when it is built, which setup.sh does.
    expect(report.started).toEqual([...STACK_SERVICES, 'api']);
    const status = await provider.status();
    expect(status.map((s) => [s.service, s.healthy, s.detail ?? ''])).toEqual(
      [...STACK_SERVICES, 'api'].map((s) => [s, true, expect.any(String)]),
    );
    expect(status.find((s) => s.service === 'redis')!.detail).toBe('3 masters + 3 replicas, cluster_state:ok');
    process.stdout.write(`cold stack up: ${coldMs} ms\n`);
  });

  it('serves every service to its real driver with credentials read from Vault by AppRole', async () => {
    const ep = endpointsOf(config);
    const pgCreds = await getCredentials(config, 'postgres');
    expect(pgCreds.source).toBe('vault-approle');
    const pg = new Client({ host: ep.postgres.host, port: ep.postgres.port, user: pgCreds.user, password: pgCreds.password, database: 'postgres' });
    await pg.connect();
    expect((await pg.query('SELECT 40 + 2 AS answer')).rows[0].answer).toBe(42);
    await pg.end();

    const myCreds = await getCredentials(config, 'mysql');
    const my = await mysql.createConnection({ host: ep.mysql.host, port: ep.mysql.port, user: myCreds.user, password: myCreds.password });
    const [rows] = await my.query('SELECT 40 + 2 AS answer');
    expect((rows as { answer: number }[])[0].answer).toBe(42);
    await my.end();

    // FerretDB enforces authentication: the stack's user with the password from Vault.
    const mongo = new MongoClient(mongoUrl(config, await getCredentials(config, 'mongodb')));
    await mongo.connect();
    const coll = mongo.db('devstack_suite').collection('probe');
    await coll.insertOne({ _id: 'k' as unknown as never, v: 42 });
    expect((await coll.findOne({ _id: 'k' as unknown as never }))?.v).toBe(42);
    await mongo.db('devstack_suite').dropDatabase();
    await mongo.close();

    const redisCreds = await getCredentials(config, 'redis');
    const cluster = new Redis.Cluster(ep.redis.nodes.slice(0, 3), { redisOptions: { password: redisCreds.password } });
    // Keys spread over the shards: the client must follow the cluster map (MOVED) to read them back.
    for (const key of ['foo', 'bar', 'baz']) await cluster.set(`suite:${key}`, key);
    expect(await Promise.all(['foo', 'bar', 'baz'].map((k) => cluster.get(`suite:${k}`)))).toEqual(['foo', 'bar', 'baz']);
    await cluster.del('suite:foo', 'suite:bar', 'suite:baz').catch(async () => {
      for (const k of ['foo', 'bar', 'baz']) await cluster.del(`suite:${k}`);
    });
    cluster.disconnect();

    const approle = readAppRole(config, 'postgres')!;
    const vault = nodeVault({ endpoint: ep.vault.url });
    const login = await vault.approleLogin({ role_id: approle.roleId, secret_id: approle.secretId });
    expect(login.auth.lease_duration).toBe(3600);
    const secret = kvData(config, await nodeVault({ endpoint: ep.vault.url, token: login.auth.client_token }).read(kvPath(config, 'postgres')));
    expect(secret.username).toBe(pgCreds.user);
    expect(secret.password).toBe(pgCreds.password);
  });

  it('is idempotent: a second up restarts nothing', async () => {
    const before = stackPids().sort();
    const report = await provider.up();
    expect(report.started).toEqual([]);
    expect(report.alreadyRunning).toEqual([...STACK_SERVICES, 'api']);
    expect(stackPids().sort()).toEqual(before);
  });

  it('shows a killed server as down, and up brings back only that one', async () => {
    const pid = readPid(path.join(config.stateRoot, 'run', 'mongodb.pid'))!;
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    const mongo = (await provider.status()).find((s) => s.service === 'mongodb')!;
    expect(mongo.healthy).toBe(false);
    expect(mongo.pid).toBeUndefined();
    expect(mongo.detail).toMatch(/ECONNREFUSED|connect/);
    const report = await provider.up();
    expect(report.started).toEqual(['mongodb']);
    expect((await provider.status()).every((s) => s.healthy)).toBe(true);
  });

  it('refuses a port already in use with exit 3, naming the service and the port', async () => {
    const other = loadConfig({ env: { ...process.env, DEVSTACK_STATE_DIR: `${STATE}-ports` }, flags: { portOffset: OFFSET + 100 } });
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(other.ports.postgres, other.host, r));
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const saved = process.env.DEVSTACK_STATE_DIR;
    process.env.DEVSTACK_STATE_DIR = `${STATE}-ports`;
    try {
      const code = await runCli('devstack', { up: { description: '', run: (o) => import('../src/stack').then((m) => m.up(o)) } }, { argv: ['up', '--port-offset', String(OFFSET + 100)], noExit: true });
      expect(code).toBe(3);
      const printed = stderr.mock.calls.map((c) => String(c[0])).join('');
      expect(printed).toContain(`error [PORT_IN_USE]: postgres: port ${other.ports.postgres} on ${other.host} is already in use`);
      expect(printed).toContain('DEVSTACK_PORT_OFFSET');
    } finally {
      process.env.DEVSTACK_STATE_DIR = saved;
      stderr.mockRestore();
      stdout.mockRestore();
      blocker.close();
    }
    // Nothing was started for that stack: the check runs before any server.
    const vaultPid = readPid(path.join(other.stateRoot, 'run', 'vault.pid'));
    expect(vaultPid === undefined || !isAlive(vaultPid)).toBe(true);
  });

  it('down stops every stack process and leaves data in place', async () => {
    const pids = stackPids();
    // vault, postgres, mysql, mongodb (FerretDB and, unless the server is mongod, its backend PostgreSQL), 6 redis nodes, api
    expect(pids.length).toBe(mongoBinary()?.server === 'FerretDB' ? 12 : 11);
    await provider.down();
    expect(pids.filter(isAlive)).toEqual([]);
    // No process anywhere still runs from this stack's state directory.
    const leftovers = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          return readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(config.stateRoot);
        } catch {
          return false;
        }
      });
    expect(leftovers).toEqual([]);
    expect(readdirSync(path.join(config.stateRoot, 'data')).sort()).toEqual(expect.arrayContaining(['mysql', 'postgres', 'redis', 'vault']));
  });
});
