import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DevstackError } from '@devstack/core';

/** One test case, reduced to what the report needs (no durations: the doc must be stable run to run). */
export interface TestCase {
  project: string;
  /** Suite file relative to its package root, e.g. suites/approle.suite.ts. */
  file: string;
  fullName: string;
  status: 'passed' | 'failed' | 'skipped';
}

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

export interface SuiteCounts extends Counts {
  project: string;
  file: string;
  /** The suite file itself failed to run (syntax error, a throw in beforeAll) with no case results. */
  runError?: string;
}

export interface ProjectCounts extends Counts {
  project: string;
  suites: SuiteCounts[];
}

/** The subset of jest's --json output we read. */
interface JestJson {
  testResults?: {
    name: string;
    status?: string;
    message?: string;
    assertionResults?: { fullName?: string; title: string; ancestorTitles?: string[]; status: string }[];
  }[];
}

export function emptyCounts(): Counts {
  return { passed: 0, failed: 0, skipped: 0 };
}

export function addCounts(into: Counts, c: Counts): Counts {
  into.passed += c.passed;
  into.failed += c.failed;
  into.skipped += c.skipped;
  return into;
}

/** jest statuses -> ours: pending, todo, skipped and disabled all count as skipped. */
export function normalizeStatus(s: string): TestCase['status'] {
  if (s === 'passed') return 'passed';
  if (s === 'failed') return 'failed';
  return 'skipped';
}

/** Path of a suite relative to its package: jest writes absolute paths (maybe from another checkout). */
export function suiteFile(absolute: string): string {
  const norm = absolute.split(path.sep).join('/');
  const m = /\/packages\/[^/]+\/(.+)$/.exec(norm);
  return m ? m[1] : path.basename(norm);
}

export function parseJestJson(project: string, json: JestJson): { cases: TestCase[]; suites: SuiteCounts[] } {
  const cases: TestCase[] = [];
  const suites: SuiteCounts[] = [];
  for (const suite of json.testResults ?? []) {
    const file = suiteFile(suite.name);
    const counts: SuiteCounts = { project, file, ...emptyCounts() };
    for (const a of suite.assertionResults ?? []) {
      const status = normalizeStatus(a.status);
      counts[status]++;
      cases.push({ project, file, fullName: a.fullName ?? [...(a.ancestorTitles ?? []), a.title].join(' '), status });
    }
    // A suite that crashed before any case ran has no assertion results: count it as one failure, visibly.
    if (suite.status === 'failed' && (suite.assertionResults ?? []).length === 0) {
      counts.failed++;
      counts.runError = firstLine(suite.message ?? 'suite failed to run');
    }
    suites.push(counts);
  }
  suites.sort((a, b) => a.file.localeCompare(b.file));
  return { cases, suites };
}

function firstLine(s: string): string {
  // Jest messages carry ANSI colours and stack traces; the report keeps one readable line.
  const plain = s.replace(/\u001b\[[0-9;]*m/g, '');
  return (plain.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? '').slice(0, 160);
}

export interface JestAggregate {
  projects: ProjectCounts[];
  cases: TestCase[];
  total: Counts;
}

/** Read every .devstack/results/jest/<project>.json. A malformed file is a config error naming the file. */
export function readJestResults(dir: string): JestAggregate {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
  const projects: ProjectCounts[] = [];
  const cases: TestCase[] = [];
  for (const f of files) {
    const project = f.replace(/\.json$/, '');
    let json: JestJson;
    try {
      json = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as JestJson;
    } catch (cause) {
      throw new DevstackError('BAD_INPUT', `${path.join(dir, f)} is not valid jest JSON.`, {
        cause,
        fix: `Re-run the package's tests: npx nx run ${project}:test`,
      });
    }
    const parsed = parseJestJson(project, json);
    const counts = parsed.suites.reduce((acc, s) => addCounts(acc, s), emptyCounts());
    projects.push({ project, ...counts, suites: parsed.suites });
    cases.push(...parsed.cases);
  }
  const total = projects.reduce((acc, p) => addCounts(acc, p), emptyCounts());
  return { projects, cases, total };
}
