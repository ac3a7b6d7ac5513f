import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../src/config';
import { dbBenchPlan, dbBenchTask, type DbBenchSpec } from '../src/db-bench';
import { LatencyRecorder } from '../src/stats';

/** The orchestration of dbBenchTask around an in-memory "server": which steps run on which call. */
function fakeSpec(calls: string[]): DbBenchSpec<object, ReturnType<typeof plan>, object> {
  const plan = (o: object) => dbBenchPlan({ quick: { scale: 1, threads: 1, duration: 1, probeConcurrency: 1, probeDuration: 1 }, full: { scale: 2, threads: 1, duration: 1, probeConcurrency: 1, probeDuration: 1 } }, { quick: true, ...o }, ['read'], 'faketool');
  return {
    backend: 'fake',
    serverName: 'Fake',
    tool: 'faketool',
    driver: 'fake driver',
    plan,
    session: async () => ({}),
    serverVersion: async () => ({ name: 'Fake', version: '1' }),
    activeProfile: () => 'default',
    createDatabase: async () => void calls.push('create'),
    dropDatabase: async () => void calls.push('drop'),
    prepare: { describe: (p) => `load -s ${p.scale}`, run: async () => void calls.push('prepare') },
    workload: {
      describe: () => '1 s',
      run: async () => {
        calls.push('run');
        const recorder = new LatencyRecorder();
        recorder.recordMs(1);
        return { recorder, tps: 100, issues: 0 };
      },
      key: (w) => w,
      labels: () => ({}),
    },
    issues: { column: 'errors' },
    probe: { open: async () => ({}), read: async () => undefined, close: async () => undefined },
  };
}

describe('dbBenchTask reuse', () => {
  const config = { ...loadConfig(), stateRoot: mkdtempSync(path.join(os.tmpdir(), 'dbbench-')) };

  it('without reuse, every call creates, loads and drops the bench database', async () => {
    const calls: string[] = [];
    const task = dbBenchTask(fakeSpec(calls));
    await task({ config, trials: 1, progress: () => undefined });
    await task({ config, trials: 1, progress: () => undefined });
    expect(calls).toEqual(['create', 'prepare', 'run', 'drop', 'create', 'prepare', 'run', 'drop']);
  });

  it('with reuse, the database is loaded once and kept; a different plan loads it again', async () => {
    const calls: string[] = [];
    const task = dbBenchTask(fakeSpec(calls));
    const first = await task({ config, trials: 1, reuse: true, progress: () => undefined });
    await task({ config, trials: 1, reuse: true, progress: () => undefined });
    expect(calls).toEqual(['create', 'prepare', 'run', 'run']);
    expect(first.notes).toContain('kept database devstack_bench (reused by the next call)');
    calls.length = 0;
    await task({ config, trials: 1, reuse: true, quick: false, progress: () => undefined });
    expect(calls).toEqual(['create', 'prepare', 'run']);
  });
});
