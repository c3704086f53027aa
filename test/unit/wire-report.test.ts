import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tinyResult } from '../helpers/tiny-result.ts';
import { summarizeResult } from '../../reports/summary.ts';
import { wireBytesRows } from '../../reports/wire-bytes.ts';
import { scalabilityOf } from '../../reports/scalability.ts';
import { renderMarkdown } from '../../reports/markdown.ts';
import { wireText } from '../../reports/wire-text.ts';
import { headlineOf } from '../../reports/headline.ts';
import { DEFAULT_WIRE } from '../../bench/wire-params.ts';

const bytes = (down: number, up: number) => ({
  bytes_down_per_event: down,
  bytes_up_per_event: up,
  overhead_bytes_down_per_event: down - 150,
  events_delivered: 100,
});

/** Short polling over HTTP/1.1 and HTTP/2 with browser headers, and WebSocket (HTTP/1.1 only). */
function result() {
  return tinyResult([
    { transport: 'short-poll', runs: [bytes(400, 300)] },
    { transport: 'ws', runs: [bytes(160, 0)] },
    {
      transport: 'short-poll',
      runs: [bytes(330, 40)],
      params: { http: '2', framework: 'node' },
      label: ' http=2',
    },
    {
      transport: 'short-poll',
      runs: [bytes(500, 900)],
      params: { requestHeaders: '2010', responseHeaders: '2010' },
      label: ' headers=2010',
    },
  ]);
}

test('the wire in words: nothing on the defaults, every axis that differs named', () => {
  assert.equal(wireText(DEFAULT_WIRE, false), '');
  assert.equal(wireText({ ...DEFAULT_WIRE, http: '2' }, true), 'HTTP/2 (h2)');
  assert.equal(
    wireText({ ...DEFAULT_WIRE, http: '2', requestHeaders: 'browser', cookieBytes: 600, encoding: 'binary' }, false),
    "HTTP/2 (h2c); Chromium's request headers with a 600-byte cookie; binary events",
  );
});

test('the wire chart sets each transport side by side per wire, down and up, from the medians', () => {
  const { rows, variants } = wireBytesRows(summarizeResult(result()).jobs);
  assert.deepEqual(variants, ['HTTP/1.1 · minimal headers', 'HTTP/2 · minimal headers', 'HTTP/1.1 · 2010 headers']);
  const h2 = rows.filter((r) => r.variant.startsWith('HTTP/2'));
  assert.deepEqual(
    h2.map((r) => [r.transport, r.direction, r.bytes]),
    [
      ['short-poll 1000ms', 'down', 330],
      ['short-poll 1000ms', 'up', 40],
    ],
  );
  // An upstream job's feed bytes would repeat its twin's: it has no bar.
  const withUpstream = tinyResult([
    { transport: 'ws', runs: [bytes(160, 0)] },
    {
      transport: 'ws',
      runs: [bytes(160, 0)],
      params: { upstream: { intervalMs: 1000, messageBytes: 64 } },
      label: ' up',
    },
  ]);
  assert.deepEqual(wireBytesRows(summarizeResult(withUpstream).jobs).rows, []);
  // WebSocket has no HTTP/2 job: it appears under its HTTP/1.1 variant only.
  assert.ok(rows.filter((r) => r.transport === 'ws').every((r) => r.variant.startsWith('HTTP/1.1')));
});

test('the 2010 table measures on the default wire and adds the other wires of the same cell as rows', () => {
  const summary = summarizeResult(result());
  const table = scalabilityOf(summary.sets)!;
  assert.equal(table.parameterSet, 'rate=1/s clients=10 payload=100B');
  assert.deepEqual(
    table.rows.map((r) => [r.label, r.totalBytes]),
    [
      ['short-poll 1000ms', 700],
      ['ws', 160],
      ['short-poll 1000ms (HTTP/2 (h2c))', 370],
      ["short-poll 1000ms (the 2010 article's request headers; the 2010 article's response headers)", 1400],
    ],
  );
});

test('Markdown names each non-default wire in its legend', () => {
  const md = renderMarkdown(result());
  assert.ok(md.includes('Conditions: `http=2` is HTTP/2 (h2c)'), md);
});

test('the headline compares on the default wire and says the other wires are in the tables', () => {
  const withWs2010 = tinyResult([
    { transport: 'short-poll', runs: [{ ...bytes(400, 300), latency_p50_us: 500_000 }] },
    { transport: 'ws', runs: [{ ...bytes(160, 0), latency_p50_us: 1000 }] },
    {
      transport: 'short-poll',
      runs: [{ ...bytes(500, 900), latency_p50_us: 500_000 }],
      params: { requestHeaders: '2010', responseHeaders: '2010' },
      label: ' headers=2010',
    },
    {
      transport: 'ws',
      runs: [{ ...bytes(160, 0), latency_p50_us: 1000 }],
      params: { requestHeaders: '2010' },
      label: ' headers=2010',
    },
  ]);
  const h = headlineOf(summarizeResult(withWs2010).sets)!;
  assert.equal(h.parameterSet, 'rate=1/s clients=10 payload=100B');
  assert.match(h.pathChoice, /other wires this result measured are in the tables/);
});
