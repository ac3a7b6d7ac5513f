import { listResults, readResult, type TaskResult } from '@devstack/core';

/** The part of a load:epochs snapshot the playbook needs (packages/load/src/cluster-epochs.ts). */
interface Snapshot {
  at: string;
  clusterEpoch: number;
  masters: number[];
  unreachable: number[];
}

/** One window between two recorded epoch snapshots. */
export interface EpochWindow {
  window: string;
  /** A rise here is a failover nobody asked for. */
  spurious: boolean;
  from?: Snapshot;
  to?: Snapshot;
  /** The command that records this window (shown when it was never recorded). */
  command: string;
}

/** "npm test" or "load:capacity": what a window belongs to, for the one-line total. */
const runOf = (w: EpochWindow) => (w.command === 'npm test' ? 'npm test' : 'load:capacity');

export const SPURIOUS_HEADING = '## Spurious failovers (cluster epochs outside the failover suites)';

const snapshotOf = (r: TaskResult) => (r.data as { snapshot?: Snapshot } | undefined)?.snapshot;
const labelOf = (r: TaskResult) => (r.data as { label?: string } | undefined)?.label;

/**
 * The windows of the latest `npm test` (tools/test.sh snapshots the epochs at its start, before
 * redis:test and at its end) and of the latest `load:capacity` (its result holds the epochs before and after).
 */
export function epochWindows(stateRoot: string): EpochWindow[] {
  const epochs = listResults(stateRoot, 'load', 'epochs')
    .map(readResult)
    .filter((r) => snapshotOf(r) && labelOf(r)?.startsWith('npm-test:'))
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const startIdx = epochs.map(labelOf).lastIndexOf('npm-test:start');
  const after = startIdx >= 0 ? epochs.slice(startIdx) : [];
  const find = (label: string) => after.find((r) => labelOf(r) === label);
  const start = after[0];
  const mid = find('npm-test:before-redis');
  const end = find('npm-test:end');
  const test = 'npm test';
  const windows: EpochWindow[] = [];
  if (start && mid) {
    windows.push({ window: 'npm test: every package but redis:test', spurious: true, from: snapshotOf(start), to: snapshotOf(mid), command: test });
    windows.push({ window: 'npm test: redis:test (its failover suite fails masters over on purpose)', spurious: false, from: snapshotOf(mid), to: end && snapshotOf(end), command: test });
  } else {
    // A run with arguments (tools/test.sh takes no redis:test apart then) cannot tell spurious from deliberate.
    windows.push({ window: start ? 'npm test with arguments (redis:test not taken apart)' : 'npm test: every package but redis:test', spurious: !start, from: start && snapshotOf(start), to: end && snapshotOf(end), command: test });
  }
  const [capFile] = listResults(stateRoot, 'load', 'capacity');
  const cap = capFile ? (readResult(capFile).data as { epochs?: { before?: Snapshot; after?: Snapshot } } | undefined)?.epochs : undefined;
  windows.push({ window: 'load:capacity (every route)', spurious: true, from: cap?.before, to: cap?.after, command: 'npx nx run load:capacity' });
  return windows;
}

const failovers = (w: EpochWindow) => (w.from && w.to ? w.to.clusterEpoch - w.from.clusterEpoch : undefined);

/** The playbook section: one row per window, the spurious total, and how to record what is missing. */
export function renderSpuriousSection(windows: EpochWindow[]): string {
  const rows = windows.map((w) => {
    const n = failovers(w);
    if (n === undefined) return `| ${w.window} | not recorded: run \`${w.command}\` | | | |`;
    const masters = w.from!.masters.join(',') === w.to!.masters.join(',') ? 'no' : `${w.from!.masters.join(',')} -> ${w.to!.masters.join(',')}`;
    return `| ${w.window} | ${w.from!.at} .. ${w.to!.at} | ${w.from!.clusterEpoch} -> ${w.to!.clusterEpoch} | ${n}${w.spurious ? '' : ' (deliberate)'} | ${masters} |`;
  });
  const counted = windows.filter((w) => w.spurious && failovers(w) !== undefined);
  const total = counted.reduce((a, w) => a + failovers(w)!, 0);
  const missing = windows.filter((w) => w.spurious && failovers(w) === undefined);
  return [
    SPURIOUS_HEADING,
    '',
    'Every election, automatic or manual, raises the cluster\'s `cluster_current_epoch` by one; the counts are rises of the highest',
    'epoch of any node between two snapshots (`npx nx run load:epochs`, recorded by tools/test.sh and by `load:capacity`).',
    'redis:test is counted apart: its failover suite fails masters over on purpose (its tune and regress suites restart nodes too).',
    '',
    '| window | recorded | cluster epoch | failovers | masters changed |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    counted.length
      ? `Spurious failovers: ${total} (${counted.map(runOf).join(' + ')})${missing.length ? `; not recorded yet: run ${missing.map((w) => `\`${w.command}\``).join(' and ')}, then \`npx nx run report:docs\`` : ''}.`
      : `Spurious failovers: not recorded yet: run ${missing.map((w) => `\`${w.command}\``).join(' and ')} (with the stack up), then \`npx nx run report:docs\`.`,
    '',
  ].join('\n');
}

/** The playbook with the section put before "## Runbook" (or replaced when already there). */
export function withSpuriousSection(playbook: string, section: string): string {
  const i = playbook.indexOf(SPURIOUS_HEADING);
  let text = playbook;
  if (i >= 0) {
    const next = text.indexOf('\n## ', i + SPURIOUS_HEADING.length);
    text = text.slice(0, i) + (next >= 0 ? text.slice(next + 1) : '');
  }
  const at = text.indexOf('## Runbook');
  return at >= 0 ? `${text.slice(0, at)}${section}\n${text.slice(at)}` : `${text.trimEnd()}\n\n${section}`;
}
