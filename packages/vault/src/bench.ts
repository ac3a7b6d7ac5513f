import {
  contextOf,
  kvPath,
  latencyMetric,
  LatencyRecorder,
  runTrials,
  startResult,
  sizePlan,
  type BenchOptions,
  type BenchSizes,
  type LatencySnapshot,
  type TaskResult,
} from '@devstack/core';
import { probeCapabilities, rootToken } from './capabilities';
import { login, tokenOf, vaultRequest } from './http';
import { createTestRole, deleteRole, revokeToken } from './roles';

export interface VaultBenchOptions extends BenchOptions {
  /** Operations per measurement per trial (default 500, quick 200). */
  ops?: number;
}

/** Quick: seconds, for tests and `npm start`. Full: enough operations for a stable p95. */
export const BENCH_SIZES: BenchSizes<{ ops: number }> = { quick: { ops: 200 }, full: { ops: 500 } };

/** Absolute SLO of every Vault operation (DESIGN.md). */
export const VAULT_SLO_P95_MS = 20;

const OPS = ['approle_login', 'kv_read', 'token_lookup'] as const;
const WARMUP_OPS = 20;

/**
 * Latency of AppRole login, KV read and token lookup-self, one request at a time (the service
 * start-up path), each in its own HDR histogram; per-trial p95 gives the median and MAD.
 * Logins use a throw-away bench role; every token it issues is revoked and the role deleted.
 */
export async function bench(options: VaultBenchOptions, signal?: AbortSignal): Promise<TaskResult> {
  const { config, progress } = contextOf(options);
  const caps = await probeCapabilities(config);
  const root = rootToken(config);
  const { ops } = sizePlan(BENCH_SIZES, options);
  const trials = options.trials ?? config.trials;
  const result = startResult('vault', 'bench', { server: caps.server });
  const role = await createTestRole(config, root, 'bench', { token_ttl: '10m', token_max_ttl: '10m', token_policies: ['devstack-postgres'] });
  const issued: string[] = [];
  const merged = Object.fromEntries(OPS.map((o) => [o, new LatencyRecorder()])) as Record<(typeof OPS)[number], LatencyRecorder>;
  const perTrial: Record<string, LatencySnapshot[]> = Object.fromEntries(OPS.map((o) => [o, []]));
  const failures: string[] = [];
  try {
    const token = tokenOf(await login(config, { role_id: role.roleId, secret_id: role.secretId }));
    issued.push(token);
    const secretPath = kvPath(config, 'postgres');
    await runTrials(
      trials,
      'vault bench',
      async () => {
        const rec = Object.fromEntries(OPS.map((o) => [o, new LatencyRecorder()])) as typeof merged;
        // A non-2xx answer is an error, not a latency: the recorder counts it and the metric says so.
        const ok = async (p: Promise<{ status: number }>, what: string) => {
          const r = await p;
          if (r.status >= 300) throw new Error(`${what}: HTTP ${r.status}`);
          return r;
        };
        // Warm-up, not recorded: connection set-up and the server's first-touch caches are not the steady state.
        for (let i = 0; i < WARMUP_OPS; i++) {
          const w = await login(config, { role_id: role.roleId, secret_id: role.secretId });
          const t = (w.body?.auth as { client_token?: string } | undefined)?.client_token;
          if (t) issued.push(t);
          await vaultRequest(config, 'GET', secretPath, { token });
        }
        for (let i = 0; i < ops; i++) {
          const r = await rec.approle_login.time(() => ok(login(config, { role_id: role.roleId, secret_id: role.secretId }), 'login'));
          const t = (r as { body?: { auth?: { client_token?: string } } } | undefined)?.body?.auth?.client_token;
          if (t) issued.push(t);
          await rec.kv_read.time(() => ok(vaultRequest(config, 'GET', secretPath, { token }), 'kv read'));
          await rec.token_lookup.time(() => ok(vaultRequest(config, 'GET', 'auth/token/lookup-self', { token }), 'token lookup'));
        }
        for (const o of OPS) {
          perTrial[o].push(rec[o].snapshot());
          if (rec[o].errors) failures.push(`${o}: ${rec[o].errors} of ${ops} requests failed`);
          merged[o].merge(rec[o]);
          rec[o].destroy();
        }
      },
      progress,
      signal,
    );
  } finally {
    progress(`cleanup: revoking ${issued.length} bench tokens`);
    let unrevoked = 0;
    for (const t of issued) await revokeToken(config, root, t).catch(() => (unrevoked += 1));
    await deleteRole(config, root, role.name);
    if (unrevoked) result.warnings.push(`cleanup: ${unrevoked} of ${issued.length} bench tokens could not be revoked (they expire within 10 minutes)`);
  }
  for (const o of OPS) {
    const snap = merged[o].snapshot();
    result.metrics.push(latencyMetric(`${o}_p95_ms`, perTrial[o], snap, { slo: VAULT_SLO_P95_MS, labels: { ops: ops * trials, concurrency: 1 } }));
    result.checks.push({ name: `${o} p95 < ${VAULT_SLO_P95_MS} ms (SLO)`, passed: snap.p95 < VAULT_SLO_P95_MS, expected: `< ${VAULT_SLO_P95_MS} ms`, observed: `${snap.p95} ms` });
    merged[o].destroy();
  }
  result.checks.push({ name: 'every request answered 2xx', passed: failures.length === 0, expected: '0 errors', observed: failures.join('; ') || '0 errors' });
  result.tables.push({
    title: `Vault latency, ${trials} trial(s) x ${ops} ops, concurrency 1 (merged HDR histograms)`,
    head: ['operation', 'count', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
    rows: result.metrics.map((m) => [m.name.replace('_p95_ms', ''), ops * trials, m.p50!, m.p95!, m.p99!, m.max!]),
  });
  return result.finish();
}
