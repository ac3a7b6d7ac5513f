import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { html } from '../src/html-report';
import { copyJestFixtures, perfWorkspace, removeScratch } from './perf-fixture';

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
  const svgs = await page.locator('svg').count();
  const text = await page.locator('body').innerText();
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  await page.close();
  return { errors, requests, ready, svgs, text };
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
    const result = await html({ config: ws.config });
    const file = String(result.data!.file);
    const page = readFileSync(file, 'utf8');
    // Self-contained: nothing to fetch.
    expect(page).not.toMatch(/<(link|img|iframe)\b|\bsrc=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    mkdirSync(path.dirname(SHOT), { recursive: true });
    const seen = await open(browser, file, SHOT);
    expect(seen.errors).toEqual([]);
    expect(seen.requests).toEqual([]);
    expect(seen.ready).toBe('6');
    // latency, tuning pair, failover timeline + bars, heatmap
    expect(seen.svgs).toBeGreaterThanOrEqual(5);
    expect(seen.text).toContain('Coverage matrix: 3/36 required cells (8.3%)');
    expect(seen.text).toContain('regressed');
    expect(seen.text).toContain('replica marked master');
    expect(statSync(SHOT).size).toBeGreaterThan(10_000);
  });

  it('the console check catches a page that throws (the check can fail)', async () => {
    const bad = path.join(userDir, 'bad.html');
    writeFileSync(bad, '<!doctype html><body><script>undefinedFunction()</script></body>');
    const seen = await open(browser, bad);
    expect(seen.errors).toEqual([expect.stringContaining('undefinedFunction is not defined')]);
  });
});
