import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MARKDOWN_LIMIT, renderMarkdown } from '../../reports/markdown.ts';
import { fmtMs, fmtTimes } from '../../reports/headline.ts';
import { summarizeResult } from '../../reports/summary.ts';
import { transportLabel } from '../../reports/aggregate.ts';
import { parseResult, type Result } from '../../bench/result-schema.ts';
import { runWarning } from '../../bench/warnings.ts';

const fixture = (name: string): Result =>
  parseResult(JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')));

/** The lines of the section under a `### ` heading that starts with `title`, up to the next heading. */
function section(text: string, title: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`### ${title}`));
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l.startsWith('### '));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** Table body rows of a section: lines starting with a pipe, minus the header and the alignment row. */
const tableRows = (lines: string[]) => lines.filter((l) => l.startsWith('| ')).slice(2);

/** Pipes that separate cells (a pipe escaped as `\|` belongs to the cell's text). */
const separators = (row: string) => row.match(/(?<!\\)\|/g)?.length ?? 0;

const ALL_JOBS_COLUMNS = 10;

test('the headline names WebSocket, SSE and long polling with the ratios against short polling', () => {
  const result = fixture('small-result.json');
  const text = renderMarkdown(result);
  const h = summarizeResult(result).headline!;
  assert.match(
    text,
    /\*\*Headline\*\* at 1 event\/s to 20 clients, 256-byte payload, compared with short polling every 1000 ms:/,
  );
  const bullets = text.split('\n').filter((l) => l.startsWith('- '));
  for (const [name, transport] of [
    ['WebSocket', 'ws'],
    ['Server-Sent Events', 'sse'],
    ['Long polling', 'long-poll'],
  ] as const) {
    const row = h.rows.find((r) => r.transport === transport)!;
    const bullet = bullets.find((b) => b.startsWith(`- ${name}: `));
    assert.ok(bullet, `a bullet for ${name}`);
    assert.ok(
      bullet.includes(
        `${fmtTimes(row.latencyTimes, 'lower')} latency (p50 ${fmtMs(row.latencyP50Ms)} vs ${fmtMs(h.reference.latencyP50Ms)})`,
      ),
      bullet,
    );
    assert.ok(
      bullet.includes(
        `${fmtTimes(row.bytesTimes, 'fewer')} bytes (${row.bytesPerEvent.toFixed(0)} B vs ${h.reference.bytesPerEvent.toFixed(0)} B per event)`,
      ),
      bullet,
    );
  }
  assert.match(
    bullets.find((b) => b.startsWith('- WebSocket'))!,
    /\d+x lower latency/,
  );
  assert.match(
    bullets.find((b) => b.startsWith('- WebSocket'))!,
    /no HTTP requests per event \(short polling: 1\.00\)/,
  );
  assert.match(
    bullets.find((b) => b.startsWith('- Long polling'))!,
    /as many HTTP requests \(1\.00 per event\)/,
  );
});

test('the job table has one row per job, every row with all its cells', () => {
  const result = fixture('small-result.json');
  const rows = tableRows(section(renderMarkdown(result), 'All jobs'));
  assert.equal(rows.length, result.jobs.length);
  result.jobs.forEach((job, i) => {
    const row = rows[i]!;
    assert.equal(separators(row), ALL_JOBS_COLUMNS + 1, row);
    const cells = row.slice(2, -2).split(' | ');
    assert.equal(cells[0], job.parameterSet);
    assert.equal(cells[1], transportLabel(job));
    assert.equal(cells.at(-1), `${job.runs.length}/${job.runs.length}`);
    assert.ok(!cells.includes('n/a'), row);
  });
  assert.equal(tableRows(section(renderMarkdown(fixture('quick-result.json')), 'All jobs')).length, 5);
});

test('a clean result has no warnings section; notes alone are listed as notes', () => {
  const small = fixture('small-result.json');
  assert.deepEqual(summarizeResult(small).notices, []);
  const text = renderMarkdown(small);
  assert.ok(!text.includes('### Warnings'), text);
  assert.ok(!text.includes('**Notes**'));

  const quick = fixture('quick-result.json');
  const notes = summarizeResult(quick).notices;
  assert.equal(notes.length, 1);
  assert.equal(notes[0]!.kind, 'note');
  const warnings = section(renderMarkdown(quick), 'Warnings');
  assert.ok(warnings.includes('**Notes**'), warnings.join('\n'));
  assert.ok(
    warnings.some((l) => l.startsWith('- long-poll, ') && l.includes('publisher ran up to')),
    warnings.join('\n'),
  );
});

test('failed runs are listed as warnings, and a job without completed runs shows n/a and 0/2', () => {
  const text = renderMarkdown(fixture('errored-result.json'));
  assert.match(text, /^### Warnings \(3\)$/m);
  const warnings = section(text, 'Warnings');
  assert.ok(warnings.includes('**Failed or missing runs**'));
  const items = warnings.filter((l) => l.startsWith('- '));
  assert.equal(
    items.filter(
      (l) => l.startsWith('- sse, rate=1/s clients=20 payload=256B: ') && l.includes('failed during connect'),
    ).length,
    2,
  );
  assert.equal(
    items.filter((l) => l.startsWith('- ws, rate=20/s clients=20 payload=256B: run 2 failed during measure')).length,
    1,
  );

  const rows = tableRows(section(text, 'All jobs'));
  const dead = rows.find((r) => r.startsWith('| rate=1/s clients=20 payload=256B | sse |'))!;
  assert.ok(dead.endsWith('| 0/2 |'), dead);
  assert.equal(dead.split(' | ').filter((c) => c === 'n/a').length, 7, dead);
  assert.ok(rows.find((r) => r.startsWith('| rate=20/s clients=20 payload=256B | ws |'))!.endsWith('| 1/2 |'));
});

test('loss and a saturated load generator are listed under their own headings, each after a blank line', () => {
  const text = renderMarkdown(fixture('loss-result.json'));
  const warnings = section(text, 'Warnings');
  const joined = warnings.join('\n');
  assert.match(joined, /\*\*Delivery problems \(loss, duplicates, disconnects\)\*\*/);
  assert.match(joined, /- long-poll, rate=20\/s clients=20 payload=256B: run 1: lost \d+ of \d+ events/);
  assert.match(
    joined,
    /\*\*Saturation or a disturbed machine: figures partly measure the limit, not the transport\*\*/,
  );
  assert.match(joined, /- short-poll 1000ms, rate=1\/s clients=20 payload=256B: run 1: load generator saturated/);
  // A bold line right under a list item would be read as a continuation of that item.
  warnings.forEach((line, i) => {
    if (line.startsWith('**')) assert.equal(warnings[i - 1], '', `blank line before ${line}`);
  });
});

test('pipes and HTML in a parameter set are escaped without breaking the table', () => {
  const result = structuredClone(fixture('small-result.json'));
  result.jobs[0]!.parameterSet = 'a|b <script>alert(1)</script> | c';
  const run = result.jobs[1]!.runs[0]!;
  assert.equal(run.status, 'completed');
  if (run.status === 'completed') run.warnings.push(runWarning('unrecognised', '<img src=x onerror=alert(1)> | pipe'));
  const text = renderMarkdown(parseResult(result));
  assert.ok(!/(?<!\\)</.test(text), 'no unescaped < anywhere');
  assert.ok(text.includes('\\<script\\>'));
  const rows = tableRows(section(text, 'All jobs'));
  assert.equal(rows.length, result.jobs.length);
  for (const row of rows) assert.equal(separators(row), ALL_JOBS_COLUMNS + 1, row);
  assert.ok(rows[0]!.startsWith('| a\\|b \\<script\\>alert(1)\\</script\\> \\| c | short-poll 1000ms |'), rows[0]);
  assert.ok(text.includes('\\<img src=x onerror=alert(1)\\> \\| pipe'), 'the warning is escaped too');
});

test('a result with 3,000 jobs and 3,000 warnings stays under the size limit and says what was left out', () => {
  const base = fixture('small-result.json');
  const big = structuredClone(base);
  big.jobs = Array.from({ length: 3000 }, (_, i) => {
    const job = structuredClone(base.jobs[i % base.jobs.length]!);
    job.id = `${job.id} copy ${i}`;
    job.parameterSet = `${job.parameterSet} copy ${Math.floor(i / base.jobs.length)}`;
    const run = job.runs[0]!;
    if (run.status === 'completed')
      run.warnings.push(
        runWarning('unrecognised', `run warning number ${i} with enough words to take some room in the list`),
      );
    return job;
  });
  const result = parseResult(big);
  assert.equal(summarizeResult(result).notices.length, 3000);
  const text = renderMarkdown(result);
  assert.ok(text.length < MARKDOWN_LIMIT, `${text.length} characters`);
  assert.ok(text.length < 65_000);
  const rows = tableRows(section(text, 'All jobs'));
  assert.ok(rows.length > 10 && rows.length < 3000, `${rows.length} rows shown`);
  for (const row of rows) assert.equal(separators(row), ALL_JOBS_COLUMNS + 1, row);
  assert.match(
    text,
    new RegExp(`_${3000 - rows.length} more jobs not shown to stay within the size limit; see the HTML report\\._`),
  );
  assert.match(text, /^### Warnings \(3000\)$/m);
  assert.match(text, /^- \.\.\. and 2960 more \(see the HTML report\)$/m);
});

test('with a huge baseline too, the summary stays under the limit and the cut is outside any table', () => {
  const base = fixture('small-result.json');
  const big = structuredClone(base);
  big.jobs = Array.from({ length: 3000 }, (_, i) => {
    const job = structuredClone(base.jobs[i % base.jobs.length]!);
    job.id = `${job.id} copy ${i}`;
    job.parameterSet = `${job.parameterSet} copy ${Math.floor(i / base.jobs.length)}`;
    return job;
  });
  const result = parseResult(big);
  const text = renderMarkdown(result, { baseline: { result, name: 'same.json' } });
  assert.ok(text.length < 65_000, `${text.length} characters`);
  assert.match(text, /^### Compared with `same\.json`$/m);
  const lines = text.split('\n');
  const note = lines.findIndex((l) => /^_\d+ more lines not shown to stay within the size limit\._$/.test(l));
  assert.ok(note > 0, 'says that baseline lines were left out');
  // Directly under a table row, the note would be read as one more row.
  assert.equal(lines[note - 1], '', 'blank line before the note');
});

test('with a baseline there is a "Compared with" table with one row per common job', () => {
  const current = fixture('small-result.json');
  const baseline = fixture('loss-result.json');
  const text = renderMarkdown(current, {
    baseline: { result: baseline, name: 'loss-result.json' },
    htmlReport: 'x.html',
  });
  const cmp = section(text, 'Compared with');
  assert.ok(cmp.length > 0, 'a Compared with section');
  assert.match(text, /^### Compared with `loss-result\.json`$/m);
  const rows = tableRows(cmp);
  assert.equal(rows.length, current.jobs.length);
  const lost = rows.find((r) => r.startsWith('| rate=20/s clients=20 payload=256B | long-poll |'))!;
  assert.ok(lost.includes('→'), lost);
  assert.ok(text.includes('Full report with charts: `x.html`'));
  // Without a baseline, no such section.
  assert.deepEqual(section(renderMarkdown(current), 'Compared with'), []);
});

test('a result where every run failed still renders, without a headline', () => {
  const result = structuredClone(fixture('small-result.json'));
  for (const job of result.jobs)
    job.runs = job.runs.map((r) => ({
      status: 'errored' as const,
      repetition: r.repetition,
      startedAt: result.context.startedAt,
      phase: 'connect',
      error: 'server exited',
    }));
  const text = renderMarkdown(parseResult(result));
  assert.match(text, /No headline/);
  const rows = tableRows(section(text, 'All jobs'));
  assert.equal(rows.length, result.jobs.length);
  for (const row of rows) assert.ok(row.endsWith('| 0/2 |'), row);
});
