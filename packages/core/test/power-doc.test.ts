import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../src/config';
import { calibrationTable, powerDocSections, renderPowerDoc, writePowerDoc, type CalibrationData } from '../src/power-doc';
import { writeResult, type TaskResult } from '../src/results';

const data: CalibrationData = {
  runs: 20,
  trialsPerArm: 5,
  threshold: 0.2,
  injection: { kind: 'cgroup v1 CPU quota', cpus: 0.41, target: 'client_single_ops', movedBy: 0.194, movedInRuns: 0.21, note: 'cgroup v1 CPU quota of 0.41 CPU' },
  command: 'npx nx run redis:regress --calibrate --quick --runs 20',
  loadAverage: [0.5, 1.1],
  perMetric: [
    { name: 'client_single_ops', unit: 'ops/s', gating: true, threshold: 0.1, falseAlarms: 1, detections: 19, aaInconclusive: 2, injectedInconclusive: 1, mde: 0.12 },
    { name: 'direct_get_p95_ms', unit: 'ms', gating: false, falseAlarms: 0, detections: 0, aaInconclusive: 6, injectedInconclusive: 6, floor: 0.2 },
  ],
};

describe('calibrationTable', () => {
  it('shows each metric with its own threshold, the rates out of N and the floor', () => {
    const t = calibrationTable(data);
    expect(t.head).toEqual(['metric', 'unit', 'gating', 'threshold', 'false alarms (A/A)', 'A/A inconclusive', 'detections (injected)', 'injected inconclusive', 'min. detectable effect', 'floor']);
    expect(t.rows[0]).toEqual(['client_single_ops', 'ops/s', 'yes', '10%', '1/20', '2/20', '19/20', '1/20', '12.0%', '-']);
    // A metric without its own threshold shows the run's.
    expect(t.rows[1]).toEqual(['direct_get_p95_ms', 'ms', 'no', '20%', '0/20', '6/20', '0/20', '6/20', '-', '0.2 ms']);
  });

  it('a sequential calibration names the pairs each kind of comparison took', () => {
    const t = calibrationTable({ ...data, sequential: { startTrials: 6, maxTrials: 12, aaPairs: [12, 6, 12, 8], injectedPairs: [6, 6, 7] } });
    expect(t.title).toContain('6 to 12 pairs per comparison, sequential as regress (pairs taken: A/A median 10 (6-12), injected median 6 (6-7))');
    expect(calibrationTable(data).title).toContain(`${data.trialsPerArm} trials per arm`);
  });
});

describe('renderPowerDoc', () => {
  it('says how to calibrate when nothing has been measured', () => {
    const doc = renderPowerDoc([]);
    expect(doc).toContain('_No calibration has been run on this machine yet._');
    expect(doc).toContain('npx nx run redis:regress --calibrate --quick --runs 20');
  });

  it('writes one section per backend with its machine, load, command and table', () => {
    const r = { backend: 'redis', startedAt: '2026-12-01T22:22:40.245Z', machine: { cpuModel: 'AMD EPYC', cores: 2 }, server: { name: 'Redis', version: '7.0.15' }, profile: 'default', data } as unknown as TaskResult;
    const doc = renderPowerDoc([r]);
    expect(doc).toContain('## redis');
    expect(doc).toContain('(load average 0.5 at start, 1.1 at end), Redis 7.0.15, profile default.');
    expect(doc).toContain('Command: `npx nx run redis:regress --calibrate --quick --runs 20`');
    expect(doc).toContain('| client_single_ops | ops/s | yes | 10% | 1/20 | 2/20 | 19/20 | 1/20 | 12.0% | - |');
  });
});

describe('writePowerDoc', () => {
  const calibration = (backend: string, state: TaskResult['state']): TaskResult => ({
    backend,
    task: 'calibrate',
    state,
    startedAt: '2026-12-01T22:22:40.245Z',
    durationMs: 1000,
    machine: { cpuModel: 'AMD EPYC', cores: 2, memoryGiB: 8, os: 'Linux', node: 'v20' },
    server: { name: 'Redis', version: '7.0.15' },
    profile: 'default',
    metrics: [],
    checks: [],
    data: data as unknown as Record<string, unknown>,
  });

  it('writes docs/REGRESSION_POWER.md from the newest completed calibration of each backend only', () => {
    const config = loadConfig({ root: mkdtempSync(path.join(os.tmpdir(), 'devstack-power-')), env: {} });
    writeResult(config.stateRoot, calibration('redis', 'completed'));
    writeResult(config.stateRoot, calibration('postgres', 'errored'));
    const file = writePowerDoc(config);
    expect(file).toBe(path.join(config.root, 'docs', 'REGRESSION_POWER.md'));
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('## redis');
    expect(text).not.toContain('## postgres');
    expect(text).not.toContain('_No calibration has been run');
  });

  it('keeps the sections of backends calibrated elsewhere (marked, once) and replaces those it has a result for', () => {
    const config = loadConfig({ root: mkdtempSync(path.join(os.tmpdir(), 'devstack-power-')), env: {} });
    mkdirSync(path.join(config.root, 'docs'));
    const earlier = ['# Regression power', '', 'old header', '', '## postgres', '', 'Measured 2026-12-02 elsewhere.', '', '| select_only_tps | 20/20 |', '', '## redis', '', 'Measured long ago.', ''].join('\n');
    writeFileSync(path.join(config.root, 'docs', 'REGRESSION_POWER.md'), earlier);
    writeResult(config.stateRoot, calibration('redis', 'completed'));
    writePowerDoc(config);
    const twice = readFileSync(writePowerDoc(config), 'utf8');
    const sections = powerDocSections(twice);
    expect([...sections.keys()]).toEqual(['postgres', 'redis']);
    expect(sections.get('postgres')).toContain('| select_only_tps | 20/20 |');
    expect(sections.get('postgres')!.match(/Kept from the previous/g)).toHaveLength(1);
    expect(sections.get('redis')).not.toContain('long ago');
    expect(sections.get('redis')).not.toContain('Kept from');
    expect(sections.get('redis')).toContain('Measured 2026-12-01T22:22:40.245Z');
    expect(twice).not.toContain('old header');
  });

  it('writes the "not yet" page when there are no results at all', () => {
    const config = loadConfig({ root: mkdtempSync(path.join(os.tmpdir(), 'devstack-power-')), env: {} });
    expect(readFileSync(writePowerDoc(config), 'utf8')).toContain('_No calibration has been run on this machine yet._');
  });
});
