/**
 * docker-compose.yml describes the same stack as the embedded provider. No Docker engine runs here,
 * so the file is validated by a real Compose parser (`docker-compose config -q` needs no engine) and
 * compared with the local stack's services, ports and profile configs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_PORTS, REDIS_NODE_COUNT, STACK_SERVICES } from '@devstack/core';
import { composeNames } from '@devstack/core';

const root = path.resolve(__dirname, '../../..');
const file = path.join(root, 'docker-compose.yml');
type Service = { ports?: string[]; volumes?: string[]; image?: string; build?: { context: string; dockerfile: string }; network_mode?: string; environment?: Record<string, string> };
const compose = parse(readFileSync(file, 'utf8'), { merge: true }) as { services: Record<string, Service> };

describe('docker-compose.yml', () => {
  it('is valid for a real Compose parser', () => {
    // Throws (non-zero exit) with the parser's message when the file is invalid.
    const out = execFileSync('docker-compose', ['-f', file, 'config', '-q'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out.trim()).toBe('');
  });

  it('has a service for every service of the local stack (six Redis nodes)', () => {
    for (const name of composeNames([...STACK_SERVICES])) expect(Object.keys(compose.services)).toContain(name);
  });

  it('publishes the same host ports as the local provider', () => {
    const published = (svc: string) => (compose.services[svc].ports ?? []).map((p) => Number(String(p).split(':')[0]));
    expect(published('vault')).toEqual([DEFAULT_PORTS.vault]);
    expect(published('postgres')).toEqual([DEFAULT_PORTS.postgres]);
    expect(published('mysql')).toEqual([DEFAULT_PORTS.mysql]);
    expect(published('mongodb')).toEqual([DEFAULT_PORTS.mongodb]);
    const redisPorts = Array.from({ length: REDIS_NODE_COUNT }, (_, i) => published(`redis-${i + 1}`)[0]);
    expect(redisPorts).toEqual(Array.from({ length: REDIS_NODE_COUNT }, (_, i) => DEFAULT_PORTS.redis + i));
  });

  it('mounts the profile configs the local stack uses, and every mounted file exists', () => {
    const mounts = Object.values(compose.services).flatMap((s) => (s.volumes ?? []).map(String).filter((v) => v.startsWith('./')));
    for (const m of mounts) expect(existsSync(path.join(root, m.split(':')[0]))).toBe(true);
    const sources = mounts.map((m) => m.split(':')[0]);
    expect(sources).toEqual(
      expect.arrayContaining(['./configs/postgres/default.conf', './configs/mysql/default.cnf', './configs/mongodb/default.conf', './configs/redis/default.conf']),
    );
  });

  it('runs FerretDB with the PostgreSQL handler, authentication on, its backend on the mongodb namespace\'s loopback', () => {
    const env = compose.services.mongodb.environment!;
    expect(env.FERRETDB_HANDLER).toBe('postgresql');
    expect(env.FERRETDB_TEST_ENABLE_NEW_AUTH).toBe('true');
    expect(env.FERRETDB_POSTGRESQL_URL).toMatch(/@127\.0\.0\.1:5432\/ferretdb$/);
    expect(compose.services['mongodb-pg'].network_mode).toBe('service:mongodb');
    expect(compose.services['mongodb-pg'].ports).toBeUndefined();
  });

  it('uses real server images of the same families', () => {
    expect(compose.services.postgres.image).toMatch(/^postgres:15/);
    expect(compose.services.mysql.image).toMatch(/^mysql:8/);
    // FerretDB 1.24 on its own PostgreSQL 15, in the mongodb service's network namespace (as the local stack
    // runs it); the FerretDB image is built with the patches (next test).
    expect(compose.services.mongodb.image).toBe('devstack-perf/ferretdb:1.24.2-patched');
    expect(compose.services['mongodb-pg'].image).toMatch(/^postgres:15/);
    expect(compose.services['redis-1'].image).toMatch(/^redis:7/);
    expect(compose.services.vault.image).toMatch(/^(hashicorp\/vault|openbao\/openbao):/);
  });

  it('builds its FerretDB with the script, version and patches of the embedded stack', () => {
    expect(compose.services.mongodb.build).toEqual({ context: '.', dockerfile: 'tools/docker/ferretdb.Dockerfile' });
    const pinned = readFileSync(path.join(root, 'tools/setup.sh'), 'utf8').match(/^FERRETDB_VERSION=(\S+)$/m)?.[1];
    expect(pinned).toBe('v1.24.2');
    const dockerfile = readFileSync(path.join(root, 'tools/docker/ferretdb.Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(new RegExp(`^RUN tools/build-ferretdb\\.sh ${pinned!.replace(/\./g, '\\.')} /out/ferretdb`, 'm'));
    expect(compose.services.mongodb.image).toContain(pinned!.slice(1));
    // Everything the Dockerfile copies is let into the build context by .dockerignore, and exists.
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(\S+) /gm)].map((m) => m[1].replace(/\/$/, ''));
    expect(copied).toEqual(['tools/build-ferretdb.sh', 'tools/patches']);
    const ignore = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n');
    for (const c of copied) {
      expect(existsSync(path.join(root, c))).toBe(true);
      expect(ignore.some((l) => l.replace(/\/$/, '') === `!${c}`)).toBe(true);
    }
  });

  it('runs the OpenBao version tools/setup.sh pins, with the local settings (raft, own cluster address)', () => {
    const pinned = readFileSync(path.join(root, 'tools/setup.sh'), 'utf8').match(/^OPENBAO_VERSION=(\S+)$/m)?.[1];
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(compose.services.vault.image).toBe(`openbao/openbao:${pinned}`);
    const hcl = readFileSync(path.join(root, 'configs/vault/compose.hcl'), 'utf8');
    expect(hcl).toMatch(/storage "raft" \{/);
    expect(hcl).toMatch(/performance_multiplier\s*=\s*1/);
    expect(hcl).toMatch(/cluster_address\s*=\s*"0\.0\.0\.0:8201"/);
    expect(hcl).not.toMatch(/storage "file"|disable_mlock/);
  });
});
