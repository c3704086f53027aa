/**
 * The HTML report in a real browser: headless Chromium from Debian (/usr/bin/chromium, driven by
 * playwright-core) opens it from disk with the network off, and must find no console errors, no
 * failed or outgoing requests, every chart drawn with a non-zero size, and working table sorting.
 * Saves a full-page screenshot under test-output/browser/ for a human to look at.
 *
 * Without Chromium the test is skipped locally (with a message saying how to install it) and fails
 * under CI (CI=true), where .ci/run installs it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { parseResult } from '../../bench/result-schema.ts';
import { renderHtml } from '../../reports/html.ts';
import { pathResult } from '../helpers/path-result.ts';

const CHROMIUM = process.env['POLLBENCH_CHROMIUM'] ?? '/usr/bin/chromium';
const OUT_DIR = path.resolve('test-output/browser');
const fixture = (name: string) =>
  parseResult(JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')));

const missing = !existsSync(CHROMIUM);
if (missing && process.env['CI']) {
  test('Chromium is installed for the browser test', () => {
    assert.fail(`${CHROMIUM} not found: .ci/run installs it with apt-get install chromium`);
  });
}

const skip = missing && !process.env['CI'] ? `no ${CHROMIUM}: apt-get install chromium to run the browser test` : false;

test(
  'the HTML report renders offline in Chromium: charts drawn, no errors, no requests, sortable tables',
  { skip, timeout: 120_000 },
  async () => {
    const html = await renderHtml(fixture('small-result.json'), {
      baseline: { result: fixture('loss-result.json'), name: 'loss-result.json' },
    });
    await checkInBrowser('report', html, [
      'latency-1',
      'latency-2',
      'bytes',
      'requests',
      'server-cpu',
      'server-memory',
      'matrix-1',
      'scalability',
    ]);
  },
);

test(
  'a report over network paths renders in Chromium too, with its latency-against-round-trip chart',
  { skip, timeout: 120_000 },
  async () => {
    await checkInBrowser('paths-report', await renderHtml(pathResult()), ['latency-1', 'latency-3', 'rtt', 'bytes']);
  },
);

/** Opens the report from disk, offline, and checks it; saves it and a full-page screenshot as `name`. */
async function checkInBrowser(name: string, html: string, expectedCharts: string[]): Promise<void> {
  mkdirSync(OUT_DIR, { recursive: true });
  const file = path.join(OUT_DIR, `${name}.html`);
  writeFileSync(file, html);

  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      timeout: 60_000,
    });
    const context = await browser.newContext({ offline: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    const failed: string[] = [];
    const outgoing: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') consoleErrors.push(`${msg.type()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => consoleErrors.push(`page error: ${err.message}`));
    page.on('requestfailed', (req) => failed.push(`${req.url()}: ${req.failure()?.errorText}`));
    page.on('request', (req) => {
      if (!req.url().startsWith('file://')) outgoing.push(req.url());
    });

    await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 30_000 });

    assert.deepEqual(consoleErrors, [], 'no console errors or warnings');
    assert.deepEqual(failed, [], 'no failed requests');
    assert.deepEqual(outgoing, [], 'the report loads nothing but itself');

    const charts = await page.$$eval('figure.chart', (figures) =>
      figures.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return {
          id: f.getAttribute('data-chart'),
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          marks: svg?.querySelectorAll('path, rect, line').length ?? 0,
        };
      }),
    );
    const ids = charts.map((c) => c.id);
    for (const expected of expectedCharts) assert.ok(ids.includes(expected), `chart ${expected} in ${ids.join(', ')}`);
    for (const c of charts) {
      assert.ok(c.width > 100 && c.height > 100, `chart ${c.id} drawn at ${c.width}x${c.height}`);
      assert.ok(c.marks > 10, `chart ${c.id} has marks (${c.marks})`);
    }

    // The headline is the first thing on the page and names the comparison.
    const lede = await page.textContent('#headline .lede');
    assert.match(lede ?? '', /compared with short polling every \d+ ms/);
    assert.equal(await page.locator('#headline .card').count(), 3);

    // Sorting the job table by median latency puts the rows in ascending order of the raw value.
    const jobs = page.locator('table.jobs');
    const headers = await jobs.locator('thead th').allTextContents();
    const column = headers.indexOf('latency p50 (ms)');
    assert.ok(column > 0, `latency column in ${headers.join(' | ')}`);
    await jobs.locator('thead th').nth(column).click();
    const values = await jobs
      .locator('tbody tr')
      .evaluateAll((rows, i) => rows.map((r) => Number(r.children[i]!.getAttribute('data-v'))), column);
    assert.deepEqual(
      values,
      [...values].sort((a, b) => a - b),
      'ascending after one click',
    );
    assert.equal(await jobs.locator('thead th').nth(column).getAttribute('aria-sort'), 'ascending');

    await page.screenshot({ path: path.join(OUT_DIR, `${name}.png`), fullPage: true });
    assert.ok(existsSync(path.join(OUT_DIR, `${name}.png`)));
  } finally {
    await browser?.close();
  }
}
