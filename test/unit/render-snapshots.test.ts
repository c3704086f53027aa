// Whole-output snapshots of the three renderers for every committed fixture, so a refactor that moves a
// number, a label, a row or a section fails here even where no hand-written assertion looks.
//
// HTML is normalised before comparing: each chart's SVG becomes its accessible labels (every data
// point's values, axis titles, legends) and its visible texts, one per line, and the rest of the markup
// is split one tag per line. Pixel geometry is left out because it only follows from those values.
//
// To accept an intended change: UPDATE_SNAPSHOTS=1 node --import tsx --test test/unit/render-snapshots.test.ts
// and review the diff of test/snapshots/ like any other change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { renderConsole } from '../../reports/console.ts';
import { renderMarkdown } from '../../reports/markdown.ts';
import { renderHtml } from '../../reports/html.ts';
import { bencherBmf, githubActionBenchmark } from '../../reports/exports.ts';
import { summarizeResult, summaryOf } from '../../reports/summary.ts';
import { parseResult, type Result } from '../../bench/result-schema.ts';

const FIXTURES = ['small-result', 'quick-result', 'loss-result', 'errored-result'];
const SNAPSHOTS = new URL('../snapshots/', import.meta.url);
const UPDATE = process.env.UPDATE_SNAPSHOTS === '1';

const fixture = (name: string): Result =>
  parseResult(JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), 'utf8')));

const attribute = (tag: string, name: string) => tag.match(new RegExp(`\\s${name}="([^"]*)"`))?.[1];

/** One chart: its size, then every aria-label and every text node, in document order. */
function normaliseSvg(svg: string): string {
  const open = svg.match(/^<svg[^>]*>/)![0];
  const lines = [`<svg width=${attribute(open, 'width')} height=${attribute(open, 'height')}>`];
  for (const m of svg.matchAll(/aria-label="([^"]*)"|<text[^>]*>([^<]*)<\/text>/g)) {
    lines.push(m[1] !== undefined ? `  label: ${m[1]}` : `  text: ${m[2]}`);
  }
  lines.push('</svg>');
  return lines.join('\n');
}

function normaliseHtml(html: string): string {
  const parts: string[] = [];
  let rest = html;
  for (;;) {
    const start = rest.indexOf('<svg');
    if (start < 0) break;
    const end = rest.indexOf('</svg>', start) + '</svg>'.length;
    parts.push(rest.slice(0, start).replace(/>\s*</g, '>\n<'), normaliseSvg(rest.slice(start, end)));
    rest = rest.slice(end);
  }
  parts.push(rest.replace(/>\s*</g, '>\n<'));
  return `${parts.join('\n')}\n`;
}

/** Compares with the stored snapshot and names the first line that differs (the whole texts are long). */
function matchSnapshot(file: string, actual: string): void {
  const url = new URL(file, SNAPSHOTS);
  if (UPDATE || !existsSync(url)) {
    if (!UPDATE) assert.fail(`no snapshot ${file}: run with UPDATE_SNAPSHOTS=1 to create it, then review it`);
    mkdirSync(SNAPSHOTS, { recursive: true });
    writeFileSync(url, actual);
    return;
  }
  const expected = readFileSync(url, 'utf8');
  if (actual === expected) return;
  const a = actual.split('\n');
  const e = expected.split('\n');
  const line = a.findIndex((text, i) => text !== e[i]);
  const at = line < 0 ? a.length : line;
  assert.fail(
    `${file} differs at line ${at + 1}:\n  expected: ${e[at] ?? '(end)'}\n  actual:   ${a[at] ?? '(end)'}\n` +
      'If the change is intended, rerun with UPDATE_SNAPSHOTS=1 and review the diff.',
  );
}

for (const name of FIXTURES) {
  test(`console output of ${name}`, () => matchSnapshot(`${name}.console.txt`, renderConsole(fixture(name))));

  test(`Markdown of ${name}`, () => matchSnapshot(`${name}.md`, renderMarkdown(fixture(name))));

  test(`HTML of ${name}, normalised`, async () =>
    matchSnapshot(`${name}.html.txt`, normaliseHtml(await renderHtml(fixture(name)))));
}

test('Markdown and HTML against a baseline', async () => {
  const current = fixture('small-result');
  const baseline = { result: fixture('quick-result'), name: 'quick-result.json' };
  matchSnapshot('small-vs-quick.md', renderMarkdown(current, { baseline, htmlReport: 'report.html' }));
  matchSnapshot('small-vs-quick.html.txt', normaliseHtml(await renderHtml(current, { baseline })));
});

test('the HTML normaliser keeps every data label and drops only geometry', () => {
  const svg =
    '<svg class="marks" width="10" height="20" viewBox="0 0 10 20"><path d="M0,0L5,5" aria-label="ms: 1.5"/>' +
    '<text transform="translate(3,4)">p99</text></svg>';
  assert.equal(
    normaliseHtml(`<p>a</p> <figure>${svg}</figure>`),
    '<p>a</p>\n<figure>\n<svg width=10 height=20>\n  label: ms: 1.5\n  text: p99\n</svg>\n</figure>\n',
  );
});

test('a summary built once renders every output exactly as the result does (bench and ci pass one)', async () => {
  const result = fixture('small-result');
  const summary = summarizeResult(result);
  assert.equal(summaryOf(summary), summary, 'a summary is used as given, not rebuilt');
  assert.equal(renderConsole(summary), renderConsole(result));
  assert.equal(renderMarkdown(summary), renderMarkdown(result));
  assert.equal(await renderHtml(summary), await renderHtml(result));
  assert.deepEqual(githubActionBenchmark(summary), githubActionBenchmark(result));
  assert.deepEqual(bencherBmf(summary), bencherBmf(result));
});
