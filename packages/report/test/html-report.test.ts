import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { metricFromTrials, startResult, writeResult, type LoadedConfig } from '@devstack/core';
import { html, SECTION_IDS } from '../src/html-report';
import { copyJestFixtures, perfWorkspace, removeScratch, scratchWorkspace } from './perf-fixture';
import { loadConfig } from '@devstack/core';

/** Results of the verification runs the main job makes (vault security, TLS and network matrices). */
function productResults(config: LoadedConfig): void {
  const sec = startResult('vault', 'test');
  sec.checks.push({ name: 'postgres: role cannot read mysql secret', passed: true, observed: '403 permission denied' });
  sec.tables!.push({ title: 'AppRole security cases', head: ['service', 'case', 'verdict'], rows: [['postgres', 'cross-read refused', 'pass']] });
  writeResult(config.stateRoot, sec.finish());
  const tls = startResult('tls', 'matrix');
  tls.tables!.push({ title: 'TLS verification matrix (scenario x service)', head: ['scenario', 'postgres', 'redis'], rows: [['1 handshake with the devstack CA', 'pass', 'pass']] });
  writeResult(config.stateRoot, tls.finish());
  const net = startResult('network', 'matrix');
  net.checks.push({ name: 'app -> postgres allowed', passed: true }, { name: 'edge -> postgres denied', passed: false, detail: 'connected in 2 ms' });
  writeResult(config.stateRoot, net.finish());
  const cap = startResult('load', 'capacity');
  const steps = [
    { rate: 50, achievedRate: 50, passed: true, latency: { p50: 0.8, p95: 2, p99: 4 } },
    { rate: 100, achievedRate: 99, passed: true, latency: { p50: 1, p95: 3, p99: 7 } },
    { rate: 200, achievedRate: 160, passed: false, latency: { p50: 40, p95: 900, p99: 1500 } },
  ];
  cap.metrics.push(metricFromTrials('capacity_health_knee', 'req/s', 'higher', [100]));
  cap.data = {
    routes: [{ route: 'health', paths: ['/health'], sloP95Ms: 100, knee: 100, generatorBound: false, steps }],
    // load:capacity --runs 2
    spread: [{ route: 'health', knees: [90, 100], median: 95, maxDeviationPct: 5.3 }],
  };
  writeResult(config.stateRoot, cap.finish());
}

const WS = path.resolve(__dirname, '../../..');
const SHOT = path.join(WS, '.devstack', 'report', 'report-screenshot.png');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Open a file in headless Chromium; collect console errors and uncaught page errors. */
async function open(browser: BrowserContext, file: string, screenshot?: string) {
  const page = await browser.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => !r.url().startsWith('file:') && requests.push(r.url()));
  await page.goto(`file://${file}`, { waitUntil: 'load' });
  const ready = await page.getAttribute('body', 'data-ready');
  // Every section: present, laid out (non-zero height) and with content under its heading.
  // Runs in the page (no DOM types in this tsconfig): the page's own document, typed as much as used.
  const sections = await page.evaluate((ids: string[]) => ids.map((id) => {
    const el = (globalThis as unknown as { document: PageDocument }).document.getElementById(id);
    return { id, height: el ? el.getBoundingClientRect().height : 0, text: el ? el.innerText.split('\n').slice(1).join(' ').trim().length : 0, empty: el ? el.querySelectorAll('.empty').length : -1 };
  }), SECTION_IDS);
  const logCharts = await page.locator('#latency svg.log').count();
  const svgs = await page.locator('svg').count();
  const text = await page.locator('body').innerText();
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  await page.close();
  return { errors, requests, ready, svgs, text, sections, logCharts };
}

/** The slice of the DOM the section check reads (this tsconfig has no DOM lib). */
interface PageElement {
  getBoundingClientRect(): { height: number };
  innerText: string;
  querySelectorAll(selector: string): { length: number };
}
interface PageDocument {
  getElementById(id: string): PageElement | null;
}

describe('report:html in headless Chromium', () => {
  let browser: BrowserContext;
  let userDir: string;
  beforeAll(async () => {
    userDir = mkdtempSync(path.join(os.tmpdir(), 'report-chromium-'));
    // A fresh profile dir per run (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(userDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1100, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    removeScratch();
    await browser?.close();
    rmSync(userDir, { recursive: true, force: true });
  });

  it('renders every chart without console errors or network requests, and saves a screenshot', async () => {
    const ws = await perfWorkspace();
    copyJestFixtures(ws.config.stateRoot);
    productResults(ws.config);
    const result = await html({ config: ws.config });
    const file = String(result.data!.file);
    const page = readFileSync(file, 'utf8');
    // Self-contained: nothing to fetch.
    expect(page).not.toMatch(/<(link|img|iframe)\b|\bsrc=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    mkdirSync(path.dirname(SHOT), { recursive: true });
    const seen = await open(browser, file, SHOT);
    expect(seen.errors).toEqual([]);
    expect(seen.requests).toEqual([]);
    expect(seen.ready).toBe(String(SECTION_IDS.length));
    for (const s of seen.sections) {
      expect(s).toMatchObject({ id: s.id, empty: 0 });
      expect(s.height).toBeGreaterThan(30);
      expect(s.text).toBeGreaterThan(10);
    }
    // Latencies from 0.8 ms to 30 ms on one axis: log scale with decade ticks.
    expect(seen.logCharts).toBe(1);
    expect(seen.text).toContain('edge -> postgres denied');
    expect(seen.text).toContain('1 handshake with the devstack CA');
    // latency, tuning pair, failover timeline + bars, heatmap
    expect(seen.svgs).toBeGreaterThanOrEqual(5);
    expect(seen.text).toContain('Coverage matrix: 3/36 required cells (8.3%)');
    expect(seen.text).toContain('regressed');
    expect(seen.text).toContain('replica marked master');
    expect(seen.text).toContain('The whole search ran 2 times, one run after the other');
    expect(page).toContain('<tr><td>health</td><td>90</td><td>100</td><td>95</td><td>5.3%</td></tr>');
    expect(statSync(SHOT).size).toBeGreaterThan(10_000);
  });

  it('an empty workspace still renders every section, each saying how to fill it', async () => {
    const root = scratchWorkspace();
    const result = await html({ config: loadConfig({ root, env: {} }) });
    const seen = await open(browser, String(result.data!.file));
    expect(seen.errors).toEqual([]);
    expect(seen.sections.map((s) => s.id)).toEqual(SECTION_IDS);
    for (const s of seen.sections.filter((x) => x.id !== 'coverage')) expect(s).toMatchObject({ empty: 1 });
    expect(seen.text).toContain('No test counts yet: run `npm test`');
    expect(seen.text).toContain('Not run yet: npx nx run vault:security');
  });

  it('the console check catches a page that throws (the check can fail)', async () => {
    const bad = path.join(userDir, 'bad.html');
    writeFileSync(bad, '<!doctype html><body><script>undefinedFunction()</script></body>');
    const seen = await open(browser, bad);
    expect(seen.errors).toEqual([expect.stringContaining('undefinedFunction is not defined')]);
  });
});
