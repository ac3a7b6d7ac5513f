import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { epochWindows, renderSpuriousSection, SPURIOUS_HEADING, withSpuriousSection } from '../src/failover-epochs';

let stateRoot: string;
beforeEach(() => {
  stateRoot = mkdtempSync(path.join(os.tmpdir(), 'failover-epochs-'));
  mkdirSync(path.join(stateRoot, 'results', 'load'), { recursive: true });
});
afterEach(() => rmSync(stateRoot, { recursive: true, force: true }));

const snap = (at: string, clusterEpoch: number, masters = [17000, 17001, 17002]) => ({ at, clusterEpoch, masters, unreachable: [], nodes: [] });
function write(task: string, startedAt: string, data: unknown) {
  writeFileSync(path.join(stateRoot, 'results', 'load', `${task}-${startedAt.replace(/[:.]/g, '-')}.json`), JSON.stringify({ backend: 'load', task, startedAt, data }));
}
const epochs = (label: string, at: string, epoch: number, masters?: number[]) => write('epochs', at, { label, snapshot: snap(at, epoch, masters) });

describe('spurious failovers in the playbook', () => {
  it('nothing recorded: every window says which command records it', () => {
    const section = renderSpuriousSection(epochWindows(stateRoot));
    expect(section).toContain('| npm test: every package but redis:test | not recorded: run `npm test` | | | |');
    expect(section).toContain('| load:capacity (every route) | not recorded: run `npx nx run load:capacity` | | | |');
    expect(section).toContain('Spurious failovers: not recorded yet: run `npm test` and `npx nx run load:capacity` (with the stack up), then `npx nx run report:docs`.');
  });

  it('the latest npm test: rises outside redis:test are spurious, redis:test is counted apart; capacity from its result', () => {
    // An older run with a spurious failover must not be mixed with the latest one.
    epochs('npm-test:start', '2026-12-01T10:00:00.000Z', 1);
    epochs('npm-test:end', '2026-12-01T10:30:00.000Z', 9);
    epochs('npm-test:start', '2026-12-01T12:00:00.000Z', 9);
    epochs('npm-test:before-redis', '2026-12-01T12:20:00.000Z', 10, [17000, 17001, 17005]);
    epochs('npm-test:end', '2026-12-01T12:30:00.000Z', 38);
    write('capacity', '2026-12-01T13:00:00.000Z', { epochs: { before: snap('2026-12-01T13:00:00.000Z', 38), after: snap('2026-12-01T13:04:00.000Z', 38) } });
    const w = epochWindows(stateRoot);
    expect(w.map((x) => [x.window, x.spurious, x.from?.clusterEpoch, x.to?.clusterEpoch])).toEqual([
      ['npm test: every package but redis:test', true, 9, 10],
      ['npm test: redis:test (its failover suite fails masters over on purpose)', false, 10, 38],
      ['load:capacity (every route)', true, 38, 38],
    ]);
    const section = renderSpuriousSection(w);
    expect(section).toContain('| npm test: every package but redis:test | 2026-12-01T12:00:00.000Z .. 2026-12-01T12:20:00.000Z | 9 -> 10 | 1 | 17000,17001,17002 -> 17000,17001,17005 |');
    expect(section).toContain('| 10 -> 38 | 28 (deliberate) |');
    expect(section).toContain('Spurious failovers: 1 (npm test + load:capacity).');
  });

  it('the section goes before the runbook, and replaces itself on the next run', () => {
    const page = '# Playbook\n\n## Measured\n\nx\n\n## Runbook\n\n1. y\n';
    const once = withSpuriousSection(page, `${SPURIOUS_HEADING}\n\nfirst\n`);
    expect(once).toBe(`# Playbook\n\n## Measured\n\nx\n\n${SPURIOUS_HEADING}\n\nfirst\n\n## Runbook\n\n1. y\n`);
    const twice = withSpuriousSection(once, `${SPURIOUS_HEADING}\n\nsecond\n`);
    expect(twice).toBe(`# Playbook\n\n## Measured\n\nx\n\n${SPURIOUS_HEADING}\n\nsecond\n\n## Runbook\n\n1. y\n`);
  });
});
