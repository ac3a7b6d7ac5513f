import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../src/config';
import { calibrationTable, renderPowerDoc, writePowerDoc, type CalibrationData } from '../src/power-doc';
import { writeResult, type TaskResult } from '../src/results';

const data: CalibrationData = {
  runs: 20,
  trialsPerArm: 3,
  threshold: 0.2,
  injection: { kind: 'cpu-quota', cpus: 0.8, target: 'tpcb_like_tps', movedBy: 0.19, note: 'CPU quota 0.8 on the postgres processes' },
  command: 'npx nx run postgres:regress --calibrate --quick --runs 20',
  loadAverage: [0.4, 0.6],
  perMetric: [
    { name: 'tpcb_like_tps', unit: 'tx/s', gating: true, falseAlarms: 1, detections: 18, aaInconclusive: 2, injectedInconclusive: 1, mde: 0.123, floor: 5 },
    { name: 'probe|p95', unit: 'ms', gating: false, falseAlarms: 0, detections: 3, aaInconclusive: 7, injectedInconclusive: 9 },
  ],
};

function calibration(backend: string, startedAt: string, state: TaskResult['state'] = 'completed'): TaskResult {
  return {
    backend,
    task: 'calibrate',
    state,
    startedAt,
    durationMs: 1000,
    machine: { cpuModel: 'Test CPU', cores: 2, memoryGiB: 8, os: 'Linux', node: 'v20' },
    server: { name: 'PostgreSQL', version: '15.18' },
    profile: 'default',
    metrics: [],
    checks: [],
    data: data as unknown as Record<string, unknown>,
  };
}

describe('calibration table', () => {
  it('shows counts out of the runs, the detectable effect as a percentage, and "-" where none was measured', () => {
    const t = calibrationTable(data);
    expect(t.title).toBe('Calibration: 20 A/A runs and 20 runs with an injected slowdown (cpu-quota), 3 trials per arm');
    expect(t.rows[0]).toEqual(['tpcb_like_tps', 'tx/s', 'yes', '1/20', '2/20', '18/20', '1/20', '12.3%', '5 tx/s']);
    expect(t.rows[1]).toEqual(['probe|p95', 'ms', 'no', '0/20', '7/20', '3/20', '9/20', '-', '-']);
  });
});

describe('REGRESSION_POWER.md', () => {
  it('says how to calibrate when no calibration exists', () => {
    const text = renderPowerDoc([]);
    expect(text).toContain('_No calibration has been run on this machine yet._');
    expect(text).toContain('npx nx run postgres:regress --calibrate --quick --runs 20');
  });

  it('writes one section per backend from its newest completed calibration, escaping | in cells', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'devstack-power-'));
    const config = loadConfig({ root, env: {} });
    writeResult(config.stateRoot, calibration('postgres', '2026-01-01T00:00:00.000Z'));
    writeResult(config.stateRoot, calibration('redis', '2026-01-02T00:00:00.000Z', 'errored'));
    const file = writePowerDoc(config);
    expect(file).toBe(path.join(root, 'docs', 'REGRESSION_POWER.md'));
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('## postgres');
    expect(text).not.toContain('## redis');
    expect(text).toContain('Measured 2026-01-01T00:00:00.000Z on Test CPU x2 (load average 0.4 at start, 0.6 at end), PostgreSQL 15.18, profile default.');
    expect(text).toContain('Command: `npx nx run postgres:regress --calibrate --quick --runs 20`');
    expect(text).toContain('| probe\\|p95 | ms | no |');
    expect(text).not.toContain('_No calibration has been run');
  });

  it('writes the "not yet" page when the results directory does not exist', () => {
    const config = loadConfig({ root: mkdtempSync(path.join(os.tmpdir(), 'devstack-power-')), env: {} });
    expect(readFileSync(writePowerDoc(config), 'utf8')).toContain('_No calibration has been run on this machine yet._');
  });
});
