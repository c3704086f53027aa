import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderConsole } from '../../reports/console.ts';
import { renderMarkdown } from '../../reports/markdown.ts';
import { renderHtml } from '../../reports/html.ts';
import { escapeHtml } from '../../reports/escape.ts';
import { bytesRows, rttRows } from '../../reports/chart-data.ts';
import { parameterSetText, summarizeAll } from '../../reports/aggregate.ts';
import { pathText } from '../../reports/path-text.ts';
import { summarizeResult } from '../../reports/summary.ts';
import { pathLabel } from '../../bench/network-path.ts';
import { parseResult, type Result } from '../../bench/result-schema.ts';
import { FOUR_G, HOSTILE, LATENCY_MS, PATHS, pathResult } from '../helpers/path-result.ts';

const FOUR_G_TEXT = 'over 4g: 150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up';

const fixture = (name: string): Result =>
  parseResult(JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')));

let html: Promise<string> | undefined;
const pathHtml = () => (html ??= renderHtml(pathResult()));

test('a path in words: the network with its figures, TLS, the proxy; the direct path has none', () => {
  assert.equal(pathText(PATHS[0]!), '');
  assert.equal(pathText(PATHS[1]!), FOUR_G_TEXT);
  assert.equal(pathText(PATHS[2]!), `${FOUR_G_TEXT}; TLS; behind nginx`);
  assert.equal(pathText({ ...PATHS[0]!, tls: true }), 'over loopback; TLS');
  assert.equal(
    pathText({
      network: { ...FOUR_G, name: 'lossy', jitterMs: 20, downKbps: 12_000, upKbps: null, lossPct: 1 },
      tls: false,
      proxy: 'none',
    }),
    'over lossy: 150 ms RTT, ±20 ms jitter, 12 Mbit/s down, 1% loss',
  );
  const jobs = pathResult().jobs;
  assert.equal(parameterSetText(jobs[0]!), '1 event/s to 10 clients, 100-byte payload');
  assert.equal(
    parameterSetText(jobs.at(-1)!),
    `1 event/s to 10 clients, 100-byte payload, ${FOUR_G_TEXT}; TLS; behind nginx`,
  );
});

test('console: each table heading names its path in words; the loopback one as before', () => {
  const lines = renderConsole(pathResult()).split('\n');
  const headings = lines.filter((l) => l.startsWith('== '));
  assert.deepEqual(headings, [
    '== rate=1/s clients=10 payload=100B ==  (median of 2 runs; [min-max] across runs)',
    `== rate=1/s clients=10 payload=100B${pathLabel(PATHS[1]!)} ==  ${FOUR_G_TEXT}  (median of 2 runs; [min-max] across runs)`,
    `== rate=1/s clients=10 payload=100B${pathLabel(PATHS[2]!)} ==  ${FOUR_G_TEXT}; TLS; behind nginx  (median of 2 runs; [min-max] across runs)`,
  ]);
});

test('the headline is measured on the first emulated network, and says so', () => {
  const h = summarizeResult(pathResult()).headline;
  assert.ok(h);
  assert.equal(h.parameterSet, `rate=1/s clients=10 payload=100B${pathLabel(PATHS[1]!)}`);
  assert.equal(h.path, FOUR_G_TEXT);
  assert.equal(h.parameterText, `1 event/s to 10 clients, 100-byte payload, ${FOUR_G_TEXT}`);
  // The figures are the 4g jobs' (path index 1), not loopback's.
  assert.equal(h.reference.latencyP50Ms, LATENCY_MS['short-poll 1000ms']![1]![0]);
  assert.equal(h.rows.find((r) => r.transport === 'ws')!.latencyP50Ms, LATENCY_MS['ws']![1]![0]);
  assert.match(h.pathChoice, /first emulated network/);

  const md = renderMarkdown(pathResult());
  assert.ok(md.includes(`**Headline** at 1 event/s to 10 clients, 100-byte payload, ${FOUR_G_TEXT}, compared`), md);
  assert.ok(md.includes('The headline is measured over 4g: 150 ms RTT'), md);
});

test('the headline on a loopback-only result is unchanged (no path, no path sentence)', () => {
  const h = summarizeResult(fixture('small-result.json')).headline!;
  assert.equal(h.path, '');
  assert.equal(h.pathChoice, '');
});

test('the HTML headline names the path', async () => {
  const page = await pathHtml();
  const headline = page.match(/<section id="headline">([\s\S]*?)<\/section>/)![1]!;
  assert.ok(
    headline.includes(`At <strong>1 event/s to 10 clients, 100-byte payload, ${FOUR_G_TEXT}</strong>`),
    headline,
  );
  assert.ok(headline.includes('the first emulated network'), headline);
});

test("RTT chart rows: x is the profile's round trip (loopback 0), y the median and p99 of each transport", () => {
  const rows = rttRows(summarizeResult(pathResult()));
  const plain = '1/s, 10 clients, 100 B payload';
  // TLS behind nginx ran on 4g only: a panel with one round trip has nothing to draw, so there is none.
  assert.deepEqual([...new Set(rows.map((r) => r.panel))], [plain]);
  const direct = PATHS.filter((path) => !path.tls);
  for (const [label, figures] of Object.entries(LATENCY_MS)) {
    PATHS.forEach((path, i) => {
      if (path.tls) return;
      const mine = rows.filter((r) => r.transport === label && r.panel === plain && r.rttMs === path.network.rttMs);
      assert.deepEqual(
        mine.map((r) => [r.stat, r.ms]),
        [
          ['p50', figures[i]![0]],
          ['p99', figures[i]![1]],
        ],
        `${label} path ${i}`,
      );
    });
  }
  assert.equal(rows.length, Object.keys(LATENCY_MS).length * direct.length * 2);
  // One network only: no chart.
  assert.deepEqual(rttRows(summarizeResult(fixture('small-result.json'))), []);
});

test('two paths of one cell are two panels of the per-set charts', () => {
  const sets = new Set(bytesRows(summarizeResult(pathResult())).map((r) => r.set));
  assert.equal(sets.size, PATHS.length);
  assert.equal(summarizeAll(pathResult()).length, Object.keys(LATENCY_MS).length * PATHS.length);
});

test('the HTML report draws the RTT chart, with a line per transport and both percentiles', async () => {
  const page = await pathHtml();
  const network = page.match(/<section id="network">([\s\S]*?)<\/section>/)?.[1];
  assert.ok(network, 'a network section');
  assert.ok(network.includes('data-chart="rtt"'));
  assert.ok(page.includes('<a href="#network">Network</a>'));
  // Every point's aria label carries its values: ws at 150 ms RTT, median 75.5 ms.
  assert.match(
    network,
    /aria-label="network round trip[^"]*: 150; latency \(ms\): 75\.5; transport: ws; stat: p50; network: 4g"/,
  );
  // The latency chart titles name the path too.
  assert.ok(
    page.includes(escapeHtml(`Latency distribution: 1 event/s to 10 clients, 100-byte payload, ${FOUR_G_TEXT}`)),
  );
  const small = await renderHtml(fixture('small-result.json'));
  assert.ok(!small.includes('data-chart="rtt"'));
});

test('the methods show the path: profiles, emulator, certificate, proxy with its configuration, calibration; all escaped', async () => {
  const page = await pathHtml();
  const methods = page.match(/<section id="methods">([\s\S]*?)<\/section>/)![1]!;
  assert.equal((page.match(/<script>/g) ?? []).length, 1, 'only the report script');
  assert.ok(!page.includes(HOSTILE));
  for (const fact of [
    'Network profiles</dt><dd>loopback (nothing added); 4g: 150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up',
    'TLS on and off; no proxy and behind nginx',
    escapeHtml(`user-space relay ${HOSTILE} (on CPU 1)`),
    '4g: idle TCP round trip p50 150.8 ms, p99 152.4 ms against 150 ms configured (off by +0.76 ms',
    'accurate; the bar is 5% of the configured round trip or 1 ms, whichever is larger',
    escapeHtml(`self-signed EC P-256 for 127.0.0.1 ${HOSTILE} (made by openssl 3.0.15)`),
    'full: 429 B up, 783 B down (then 574 B of session tickets), p50 3.20 ms; resumed: 732 B up, 241 B down (then 0 B of tickets), p50 1.10 ms (100% of reconnects resumed); every TLS record adds 22 B to what it carries',
    'nginx 1.22.1',
    `<pre style="overflow-x:auto;font-size:12px">${escapeHtml(`events {}\nhttp { server { listen 1234; } } # ${HOSTILE}`)}</pre>`,
  ])
    assert.ok(methods.includes(fact), fact);
  assert.ok(
    page.includes(`<code>${escapeHtml(pathLabel(PATHS[2]!).trim())}</code> is over 4g`),
    'path legend above the job table',
  );

  const md = renderMarkdown(pathResult());
  assert.ok(md.includes('### Network path'));
  assert.ok(
    md.includes('- **Network profiles**: loopback (nothing added); 4g: 150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up'),
    md,
  );
  assert.ok(md.includes('\\<script\\>alert(1)\\</script\\>'), 'markup escaped in Markdown');
  assert.ok(md.includes(`Conditions: \`${pathLabel(PATHS[1]!).trim()}\` is over 4g`), md);
});

test('a loopback-only result has no path facts, legend or network section', async () => {
  const result = fixture('small-result.json');
  const page = await renderHtml(result);
  assert.ok(!page.includes('Network path'));
  assert.ok(!page.includes('id="network"'));
  assert.ok(!renderMarkdown(result).includes('Network path'));
  assert.ok(!renderMarkdown(result).includes('Conditions:'));
});

test('console: the calibration floor adds the round trip through each network and the TLS handshakes', () => {
  const text = renderConsole(pathResult());
  assert.ok(
    text.includes(
      '  TCP round trip over 4g: p50 150.8 ms  p99 152.4 ms  (configured 150 ms; off by 0.76 ms: accurate)',
    ),
    text,
  );
  assert.ok(
    text.includes('  TLS handshake, full      p50 3.20 ms  429 B up, 783 B down  (+574 B session tickets)'),
    text,
  );
  assert.ok(text.includes('  TLS handshake, resumed   p50 1.10 ms  732 B up, 241 B down  (100% resumed)'), text);
  assert.ok(text.includes('  TLS record overhead      22 B per record'), text);
});

test("the latency section shows the path's own parts per job: applied delay against configured, emulator and proxy load", async () => {
  const page = await pathHtml();
  const latency = page.match(/<section id="latency">([\s\S]*?)<\/section>/)![1]!;
  const table = latency.match(/<table class="sortable path-parts">([\s\S]*?)<\/table>/)?.[1];
  assert.ok(table, 'a path-parts table');
  const rows = [...table.matchAll(/<tr><td>([^<]*)<\/td><td>([^<]*)<\/td>([\s\S]*?)<\/tr>/g)].map((m) => ({
    set: m[1]!,
    transport: m[2]!,
    cells: [...m[3]!.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((c) => c[1]!),
  }));
  // Only the jobs over 4g (two paths x four transports); loopback jobs have no path figures.
  assert.equal(rows.length, 8);
  const heads = [...table.matchAll(/<th scope="col">([^<]*)<\/th>/g)].map((m) => m[1]!);
  const at = (row: (typeof rows)[number], head: string) => row.cells[heads.indexOf(head) - 2];
  const ws = rows.find((r) => r.transport === 'ws' && !r.set.includes('tls'))!;
  // Two runs: applied up 75 and 76 ms -> median 75.5; lateness p99 400 and 600 us -> 0.50 ms; CPU 2% and 4% -> 3%.
  assert.equal(at(ws, 'configured one way (ms)'), '75.0');
  assert.equal(at(ws, 'applied one way up (ms)'), '75.5');
  assert.equal(at(ws, 'applied one way down (ms)'), '75.2');
  assert.equal(at(ws, 'emulator timer lateness p99 (ms)'), '0.50');
  assert.equal(at(ws, 'emulator CPU (share of a core)'), '3%');
  assert.equal(at(ws, 'proxy CPU (share of a core)'), 'n/a');
  const behind = rows.find((r) => r.transport === 'ws' && r.set.includes('tls'))!;
  assert.equal(at(behind, 'proxy CPU (share of a core)'), '5%');
  assert.equal(at(behind, 'server TCP accepts (from the proxy)'), '4');
  assert.ok(!(await renderHtml(fixture('small-result.json'))).includes('path-parts'));
});
