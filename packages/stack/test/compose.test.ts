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
type Service = { ports?: string[]; volumes?: string[]; image?: string };
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

  it('uses real server images of the same families', () => {
    expect(compose.services.postgres.image).toMatch(/^postgres:15/);
    expect(compose.services.mysql.image).toMatch(/^mysql:8/);
    expect(compose.services.mongodb.image).toMatch(/^mongo:7/);
    expect(compose.services['redis-1'].image).toMatch(/^redis:7/);
    expect(compose.services.vault.image).toMatch(/^(hashicorp\/vault|openbao\/openbao):/);
  });
});
