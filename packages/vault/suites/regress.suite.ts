import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig, readBaseline, type Baseline } from '@devstack/core';
import { baseline, regress } from '../src/regress';

// Live suite: Vault has no config profiles to A/B, so its regress is the stored-baseline mode. Recorded
// and judged against the live Vault; the baseline goes to a throwaway root, never to baselines/.
const live = loadConfig();
const root = mkdtempSync(path.join(os.tmpdir(), 'devstack-vault-regress-'));
writeFileSync(path.join(root, 'nx.json'), '{}\n');
const config = loadConfig({ root, env: { ...process.env, DEVSTACK_STATE_DIR: live.stateRoot, DEVSTACK_PORT_OFFSET: String(live.portOffset), DEVSTACK_ROOT: root } });
const quick = { config, quick: true, trials: 3, force: true };

jest.setTimeout(120_000);

describe('vault regress (live, stored baseline)', () => {
  it('records a baseline with every trial kept, then judges a fresh run against it on the same machine', async () => {
    await baseline(quick);
    const recorded = readBaseline(root, 'vault');
    const some = Object.values(recorded.metrics)[0];
    expect(some.trials).toHaveLength(3);
    const result = await regress({ config, quick: true, trials: 3 });
    // Same machine; only a busy one (load above half the cores, which other work on a shared CI
    // machine can cause) makes it incomparable, and then the reason says so.
    const outcome = (result.data as { outcome: { comparable: boolean; incomparableReason?: string } }).outcome;
    if (outcome.comparable) expect(result.tables!.at(-1)!.title).toBe('Regress: stored baseline vs current (medians)');
    else expect(outcome.incomparableReason).toMatch(/^this machine is busy \(load average [\d.]+ is above half of the \d+ cores/);
    expect(result.checks.filter((c) => /p95/.test(c.name)).length).toBeGreaterThan(0);
  });

  it('against a baseline from another machine only SLOs are judged, and the table says how to get a verdict', async () => {
    const other: Baseline = { ...readBaseline(root, 'vault'), machine: { cpuModel: 'Other CPU 9000', cores: 64, memoryGiB: 512 } as Baseline['machine'] };
    writeFileSync(path.join(root, 'baselines', 'vault.json'), JSON.stringify(other));
    const result = await regress({ config, quick: true, trials: 3 });
    const table = result.tables!.at(-1)!;
    expect(table.title).toContain('Only SLOs were judged; for a real verdict run a same-run A/B: regress --base <git-ref>');
    expect(result.checks.find((c) => c.name === 'machine fingerprint')).toMatchObject({ passed: true, skipped: true });
  });
});
