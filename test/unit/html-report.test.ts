import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderHtml } from '../../reports/html.ts';
import { escapeHtml } from '../../reports/escape.ts';
import { labelWithUnit, orderMetricKeys } from '../../reports/metric-catalog.ts';
import { compareWithBaseline } from '../../reports/baseline.ts';
import { summarizeResult } from '../../reports/summary.ts';
import { parseResult, type Result } from '../../bench/result-schema.ts';
import { runWarning } from '../../bench/warnings.ts';

const fixture = (name: string): Result =>
  parseResult(JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')));

// Rendering runs vega for every chart (about a second); the plain report of small-result is shared.
let smallHtml: Promise<string> | undefined;
const small = () => (smallHtml ??= renderHtml(fixture('small-result.json')));

const count = (text: string, pattern: RegExp) =>
  text.match(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`))?.length ??
  0;

/** The inside of `<section id="...">` (sections do not nest). */
function section(html: string, id: string): string | undefined {
  return html.match(new RegExp(`<section id="${id}"[^>]*>([\\s\\S]*?)</section>`))?.[1];
}
const sectionTag = (html: string, id: string) => html.match(new RegExp(`<section id="${id}"[^>]*>`))?.[0];
const sectionIds = (html: string) => [...html.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1]);

/** Rows of the first table in a piece of HTML: [the <tr> attributes, the cells' inner HTML]. */
function bodyRows(html: string): { attrs: string; cells: string[] }[] {
  const body = html.match(/<tbody>([\s\S]*?)<\/tbody>/)?.[1] ?? '';
  return [...body.matchAll(/<tr([^>]*)>([\s\S]*?)<\/tr>/g)].map((m) => ({
    attrs: m[1]!,
    cells: [...m[2]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]!),
  }));
}
const headCells = (html: string) =>
  [...(html.match(/<thead>([\s\S]*?)<\/thead>/)?.[1] ?? '').matchAll(/<th[^>]*>([\s\S]*?)<\/th>/g)].map((m) => m[1]!);

test('one self-contained document with every section and one SVG per chart', async () => {
  const html = await small();
  assert.ok(html.startsWith('<!doctype html>'));
  assert.equal(count(html, /<!doctype html>/i), 1);
  assert.equal(count(html, /<\/html>/), 1);
  assert.deepEqual(sectionIds(html), ['headline', 'latency', 'costs', 'matrix', 'scalability', 'jobs', 'methods']);

  const figures = count(html, /<figure class="chart"/);
  assert.ok(figures >= 5, `${figures} charts`);
  assert.equal(count(html, /<svg/), figures);
  const svgs = [...html.matchAll(/<figure class="chart"[^>]*>(<svg[^>]*>)/g)].map((m) => m[1]!);
  assert.equal(svgs.length, figures, 'every figure starts with its svg');
  for (const svg of svgs) {
    const width = Number(svg.match(/ width="([^"]+)"/)?.[1]);
    const height = Number(svg.match(/ height="([^"]+)"/)?.[1]);
    assert.ok(width > 0 && height > 0, svg);
  }
  // The latency charts: one per parameter set; the matrix: one chart per figure compared.
  assert.equal(count(section(html, 'latency')!, /<figure class="chart"/), 2);
  assert.ok(count(section(html, 'matrix')!, /<figure class="chart"/) >= 4);
});

test('nothing is loaded from anywhere: no external resources, one inline script', async () => {
  const html = await small();
  assert.equal(count(html, /\ssrc=/i), 0, 'no src attributes');
  assert.equal(count(html, /<link/i), 0, 'no <link>');
  assert.equal(count(html, /@import/i), 0, 'no @import');
  for (const m of html.matchAll(/href="([^"]*)"/gi)) assert.ok(!/^\s*(https?:)?\/\//i.test(m[1]!), `href ${m[1]}`);
  for (const m of html.matchAll(/url\(([^)]*)\)/gi)) assert.ok(!/(https?:)?\/\//i.test(m[1]!), `url(${m[1]})`);
  assert.equal(count(html, /<script/i), 1);
  assert.match(html, /<script>[\s\S]*table\.sortable[\s\S]*<\/script>/);
  // The only http(s) strings are the SVG namespaces, never something to fetch.
  for (const m of html.matchAll(/https?:\/\/[^"'\s<>]*/g))
    assert.ok(['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink'].includes(m[0]), m[0]);
});

test('the methods section states the machine, versions and calibration from the result', async () => {
  const result = fixture('small-result.json');
  const methods = section(await small(), 'methods')!;
  assert.ok(methods);
  const ctx = result.context;
  assert.ok(methods.includes(`Node ${ctx.node}`), ctx.node);
  assert.ok(methods.includes(escapeHtml(ctx.cpu.model)), ctx.cpu.model);
  assert.ok(Object.keys(ctx.packages).length > 0);
  for (const [name, version] of Object.entries(ctx.packages))
    assert.ok(methods.includes(escapeHtml(`${name} ${version}`)), `${name} ${version}`);
  const cal = result.calibration!;
  assert.ok(methods.includes(`raw TCP p50 ${cal.tcpRoundTripUs.p50.toFixed(0)} us`));
  assert.ok(methods.includes(`raw WebSocket p50 ${cal.wsRoundTripUs.p50.toFixed(0)} us`));
  assert.ok(methods.includes(`idle p50 ${cal.wsIdleRoundTripUs.p50.toFixed(0)} us`));
  assert.ok(methods.includes('<h3>Metric definitions</h3>'));
});

test('the job table has one row per job and a column for every metric of the runs', async () => {
  const result = fixture('small-result.json');
  const jobs = section(await small(), 'jobs')!;
  const rows = bodyRows(jobs);
  assert.equal(rows.length, result.jobs.length);
  const keys = orderMetricKeys(
    result.jobs.flatMap((j) => j.runs.flatMap((r) => (r.status === 'completed' ? Object.keys(r.metrics) : []))),
  );
  assert.ok(keys.length >= 30);
  assert.deepEqual(headCells(jobs), [
    'parameter set',
    'transport',
    'runs completed',
    ...keys.map((k) => escapeHtml(labelWithUnit(k))),
  ]);
  rows.forEach((row, i) => {
    const job = result.jobs[i]!;
    assert.equal(row.cells.length, 3 + keys.length);
    assert.equal(row.cells[0], escapeHtml(job.parameterSet));
    assert.equal(row.cells[2], '2/2');
    assert.equal(row.attrs, '', 'no failed runs, no highlight');
  });
});

test('strings from the result are escaped: still exactly one script', async () => {
  const result = structuredClone(fixture('small-result.json'));
  const evil = '<script>alert(1)</script>';
  result.jobs[0]!.parameterSet = `${evil} "quoted" & more`;
  result.context.scenario.description = evil;
  const run = result.jobs[2]!.runs[0]!;
  assert.equal(run.status, 'completed');
  if (run.status === 'completed') run.warnings.push(runWarning('unrecognised', evil));
  // The scenario name cannot hold markup in a valid result...
  assert.throws(
    () =>
      parseResult({ ...result, context: { ...result.context, scenario: { ...result.context.scenario, name: evil } } }),
    /name/,
  );
  const parsed = parseResult(result);
  // ...but the renderer must not rely on that.
  parsed.context.scenario.name = evil;
  const html = await renderHtml(parsed);
  assert.equal(count(html, /<script/i), 1);
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.match(html, /<title>pollbench: scenario &quot;&lt;script&gt;/);
  assert.ok(section(html, 'warnings')!.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the warning, escaped');
  assert.ok(section(html, 'methods')!.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the description, escaped');
  assert.equal(
    bodyRows(section(html, 'jobs')!)[0]!.cells[0],
    '&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &amp; more',
  );
});

test('failed runs: a warnings block at the top and the job row marked', async () => {
  const result = fixture('errored-result.json');
  const html = await renderHtml(result);
  const ids = sectionIds(html);
  assert.equal(ids[1], 'warnings', 'right under the headline');
  const warnings = section(html, 'warnings')!;
  assert.match(warnings, /Failed or missing runs/);
  assert.equal(count(warnings, /failed during connect/), 2);
  assert.equal(count(warnings, /failed during measure/), 1);
  assert.match(html, /<a href="#warnings">Warnings<\/a>/);

  const rows = bodyRows(section(html, 'jobs')!);
  assert.equal(rows.length, result.jobs.length);
  const dead = result.jobs.findIndex((j) => j.runs.every((r) => r.status !== 'completed'));
  assert.ok(dead >= 0);
  assert.equal(rows[dead]!.attrs, ' class="partial"');
  assert.equal(rows[dead]!.cells[2], '0/2');
  assert.ok(rows[dead]!.cells.slice(3).every((c) => c === 'n/a'));
  const half = result.jobs.findIndex((j) => j.runs.filter((r) => r.status === 'completed').length === 1);
  assert.equal(rows[half]!.attrs, ' class="partial"');
  assert.equal(rows[half]!.cells[2], '1/2');
  assert.equal(rows.filter((r) => r.attrs === '').length, result.jobs.length - 2);
});

test('loss and saturation make the warnings block serious', async () => {
  const html = await renderHtml(fixture('loss-result.json'));
  const warnings = section(html, 'warnings')!;
  assert.match(warnings, /\blost \d+ of \d+ events/);
  assert.match(warnings, /load generator saturated/);
  assert.match(warnings, /Warnings: read before trusting the figures/);
  assert.match(sectionTag(html, 'warnings')!, /class="[^"]*\bserious\b/);
});

test('notes alone make a plain, folded notes block', async () => {
  const html = await renderHtml(fixture('quick-result.json'));
  const tag = sectionTag(html, 'warnings')!;
  assert.ok(tag);
  assert.doesNotMatch(tag, /serious/);
  assert.match(section(html, 'warnings')!, /<details><summary><strong>Notes<\/strong> \(1\)<\/summary>/);
  assert.equal(sectionIds(html).includes('matrix'), false, 'one parameter set: no matrix');
});

test('with a baseline, a comparison table with one row per job in both results', async () => {
  const current = fixture('small-result.json');
  const baseline = fixture('loss-result.json');
  const html = await renderHtml(current, { baseline: { result: baseline, name: 'loss-result.json' } });
  const ids = sectionIds(html);
  assert.deepEqual(ids.slice(-2), ['baseline', 'methods']);
  const section_ = section(html, 'baseline')!;
  assert.match(section_, /<code>loss-result\.json<\/code>/);
  const expected = compareWithBaseline(summarizeResult(current), baseline).rows.length;
  assert.equal(expected, current.jobs.filter((j) => baseline.jobs.some((b) => b.id === j.id)).length);
  assert.equal(bodyRows(section_).length, expected);
  assert.match(html, /<a href="#baseline">Baseline<\/a>/);
  assert.equal(sectionIds(await small()).includes('baseline'), false);
});

test('a result where every run failed still renders: no headline, no matrix, no 2010 table', async () => {
  const result = structuredClone(fixture('small-result.json'));
  for (const job of result.jobs)
    job.runs = job.runs.map((r) => ({
      status: 'errored' as const,
      repetition: r.repetition,
      startedAt: result.context.startedAt,
      phase: 'connect',
      error: 'server exited (code 1)',
    }));
  const html = await renderHtml(parseResult(result));
  assert.ok(html.startsWith('<!doctype html>'));
  assert.match(section(html, 'headline')!, /No headline/);
  const ids = sectionIds(html);
  assert.equal(ids.includes('matrix'), false);
  assert.equal(ids.includes('scalability'), false);
  assert.equal(count(html, /<svg/), 0);
  assert.match(section(html, 'latency')!, /No completed run/);
  assert.equal(bodyRows(section(html, 'jobs')!).length, result.jobs.length);
  assert.equal(count(section(html, 'warnings')!, /failed during connect/), 20);
});

test('the latency section carries a table of what latency is made of: publisher lateness and server loop delay per job', async () => {
  const r = fixture('quick-result.json');
  const ws = r.jobs.find((j) => j.params.transport === 'ws')!;
  const run = ws.runs[0]!;
  if (run.status !== 'completed') throw new Error('fixture ws run must be completed');
  run.metrics['publisher_lateness_p99_us'] = { value: 4_321, unit: 'us', better: 'lower', kind: 'noisy' };
  const html = await renderHtml(r);
  const section = html.slice(html.indexOf('<section id="latency">'), html.indexOf('<section id="costs">'));
  const table = section.slice(
    section.indexOf('<table class="sortable latency-parts">'),
    section.indexOf('</table>', section.indexOf('latency-parts')),
  );
  assert.ok(table.length > 0, 'a latency-parts table in the latency section');
  assert.equal((table.match(/<tr>/g) ?? []).length, r.jobs.length + 1, 'a header and one row per job');
  assert.ok(table.includes(escapeHtml(labelWithUnit('publisher_lateness_p99_us'))));
  assert.ok(table.includes(escapeHtml(labelWithUnit('server_loop_delay_p99_us'))));
  const wsRow = table.split('<tr>').find((row) => row.includes('>ws<'))!;
  assert.match(wsRow, /data-v="4\.321"/, 'ws publisher lateness 4.321 ms');
});
