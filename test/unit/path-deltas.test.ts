/**
 * What the path adds: twins differing in one path axis, paired, with hand-worked differences from
 * the figures test/helpers/path-result.ts gives each path (latency per path index, TLS record bytes,
 * nginx header bytes, server CPU and connections), and the "works" verdict when a transport loses
 * events or errors behind nginx.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseResult, type CompletedRun, type Job, type Result } from '../../bench/result-schema.ts';
import { summarizeAll } from '../../reports/aggregate.ts';
import { renderConsole } from '../../reports/console.ts';
import { renderHtml } from '../../reports/html.ts';
import { renderMarkdown } from '../../reports/markdown.ts';
import { pathDeltas, type PathDeltaGroup } from '../../reports/path-deltas.ts';
import { NGINX_HEADER_BYTES, pathResult, TLS_RECORD_BYTES, TWIN_PATHS } from '../helpers/path-result.ts';

const FOUR_G_TEXT = 'over 4g: 150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up';
const deltasOf = (result: Result) => pathDeltas(summarizeAll(result));
const rowOf = (g: PathDeltaGroup, transport: string) => g.rows.find((r) => r.transport === transport)!;
const jobOf = (result: Result, where: (p: Job['params']) => boolean) => result.jobs.find((j) => where(j.params))!;
const behindNginx = (transport: string) => (p: Job['params']) => p.transport === transport && p.proxy === 'nginx';

test('every axis with a twin gets a group: nginx over 4g with TLS, TLS over 4g, 4g over loopback', () => {
  const groups = deltasOf(pathResult(TWIN_PATHS));
  assert.deepEqual(
    groups.map((g) => [g.axis, g.change, g.changeText, g.held, g.parameterSet]),
    [
      ['proxy', 'behind nginx', 'behind nginx', 'over 4g, TLS', 'rate=1/s clients=10 payload=100B'],
      ['tls', 'with TLS', 'with TLS', 'over 4g, no proxy', 'rate=1/s clients=10 payload=100B'],
      ['network', 'over 4g', FOUR_G_TEXT, 'cleartext, no proxy', 'rate=1/s clients=10 payload=100B'],
    ],
  );
  for (const g of groups)
    assert.deepEqual(
      g.rows.map((r) => r.transport),
      ['short-poll 1000ms', 'long-poll', 'sse', 'ws'],
    );
  // Without the TLS-only twin, 4g with TLS behind nginx differs from 4g in two axes: no pair.
  assert.deepEqual(
    deltasOf(pathResult()).map((g) => g.axis),
    ['network'],
  );
});

test('the differences, worked by hand from the fixture', () => {
  const [nginx, tls, net] = deltasOf(pathResult(TWIN_PATHS));
  // Behind nginx (index 3 -> 2): ws latency 76 -> 77 ms p50, 151 -> 160 p99; short polling's responses
  // lose nginx's 10 header bytes; server CPU 1200 -> 900; nginx pools 1 connection per client to 0.4.
  const ws = rowOf(nginx!, 'ws');
  assert.equal(ws.works, true);
  assert.equal(ws.reason, '');
  assert.equal(ws.latencyP50Ms.value, 1);
  assert.equal(ws.latencyP99Ms.value, 9);
  assert.equal(ws.bytesDownPerEvent.value, 0);
  const poll = rowOf(nginx!, 'short-poll 1000ms');
  assert.equal(poll.bytesDownPerEvent.value, NGINX_HEADER_BYTES);
  assert.equal(poll.bytesUpPerEvent.value, 0);
  assert.deepEqual(
    [poll.serverCpuMsPer1000Events.value, poll.serverCpuMsPer1000Events.from, poll.serverCpuMsPer1000Events.to],
    [-300, 1200, 900],
  );
  assert.deepEqual(poll.serverConnectionsPerClient, [1, 0.4]);
  assert.deepEqual([poll.tlsHandshakeBytes, poll.tlsHandshakeMs], [1212, 310]);
  // With TLS (index 1 -> 3): one record header per event down, per request up; short polling 575 ->
  // 578 ms p50, 1140 -> 1148 p99; server CPU 1000 -> 1200.
  const tlsPoll = rowOf(tls!, 'short-poll 1000ms');
  assert.equal(tlsPoll.latencyP50Ms.value, 3);
  assert.equal(tlsPoll.latencyP99Ms.value, 8);
  assert.equal(tlsPoll.bytesDownPerEvent.value, TLS_RECORD_BYTES);
  assert.equal(tlsPoll.bytesUpPerEvent.value, TLS_RECORD_BYTES);
  assert.equal(tlsPoll.serverCpuMsPer1000Events.value, 200);
  const tlsSse = rowOf(tls!, 'sse');
  assert.equal(tlsSse.bytesUpPerEvent.value, 0);
  assert.equal(tlsSse.latencyP50Ms.value, 1.5);
  assert.deepEqual(tlsSse.serverConnectionsPerClient, [1, 1]);
  // Over 4g (index 0 -> 1): long polling 2 -> 120 ms p50, 5 -> 290 p99; cleartext: no TLS figures.
  const longPoll = rowOf(net!, 'long-poll');
  assert.equal(longPoll.latencyP50Ms.value, 118);
  assert.equal(longPoll.latencyP99Ms.value, 285);
  assert.ok(Number.isNaN(longPoll.tlsHandshakeBytes));
  // Identical runs: no spread, so a non-zero difference is not within it.
  assert.equal(longPoll.latencyP50Ms.withinSpread, false);
});

test('the renderers: a console line per transport and change, Markdown and HTML tables per change', async () => {
  const result = pathResult(TWIN_PATHS);
  const text = renderConsole(result);
  assert.ok(
    text.includes(
      '    behind nginx: short-poll 1000ms works; latency p50 +2.00 ms, p99 +2.00 ms, bytes down/event -10 B, up 0 B, server CPU/1000 events -300 ms (1200 -> 900), server connections/client 1.00 -> 0.40, TLS handshake 1212 B, 310 ms',
    ),
    text,
  );
  assert.ok(text.includes('  with TLS (over 4g, no proxy), rate=1/s clients=10 payload=100B:'), text);
  assert.ok(
    text.includes(
      '    with TLS: ws works; latency p50 +0.50 ms, p99 +1.00 ms, bytes down/event +22 B, up 0 B, server CPU/1000 events +200 ms (500 -> 700), server connections/client 1.00 -> 1.00, TLS handshake 1212 B, 310 ms',
    ),
    text,
  );
  assert.ok(
    text.includes(
      '    over 4g: long-poll works; latency p50 +118 ms, p99 +285 ms, bytes down/event 0 B, up 0 B, server CPU/1000 events 0 ms (1000 -> 1000), server connections/client 1.00 -> 1.00\n',
    ),
    text,
  );
  // After the per-set tables.
  assert.ok(text.lastIndexOf('== rate=1/s') < text.indexOf('What the path adds'));

  const md = renderMarkdown(result);
  assert.ok(md.includes('### What the path adds'));
  assert.ok(md.includes(`**${FOUR_G_TEXT} (cleartext, no proxy)**, rate=1/s clients=10 payload=100B:`), md);
  assert.ok(md.includes('| sse | yes | +1.50 | +6.00 | +22 | 0 | +200 (500 → 700) | 1.00 → 1.00 | 1212 | 310 |'), md);
  // The network change has no TLS columns.
  const netTable = md.slice(md.indexOf(`**${FOUR_G_TEXT}`));
  assert.ok(netTable.includes('| server connections / client |\n'), netTable);

  const page = await renderHtml(result);
  const section = page.match(/<section id="path-deltas">([\s\S]*?)<\/section>/)?.[1];
  assert.ok(section, 'a path-deltas section');
  assert.ok(page.includes('<a href="#path-deltas">What the path adds</a>'));
  assert.deepEqual(
    [...section.matchAll(/<h3>([^<]*)<\/h3>/g)].map((m) => m[1]),
    ['behind nginx (over 4g, TLS)', 'with TLS (over 4g, no proxy)', `${FOUR_G_TEXT} (cleartext, no proxy)`],
  );
  assert.equal((section.match(/<table class="sortable path-deltas">/g) ?? []).length, 3);
  assert.ok(section.includes('<td class="num" data-v="-10">-10</td>'), 'nginx header bytes');
});

test('a transport that loses events or errors behind nginx does not work, and the reason says why', async () => {
  const result = pathResult(TWIN_PATHS);
  // ws behind nginx loses 3 events in its second run; sse's second run fails to connect.
  const ws = jobOf(result, behindNginx('ws'));
  (ws.runs[1] as CompletedRun).metrics.events_lost!.value = 3;
  const sse = jobOf(result, behindNginx('sse'));
  sse.runs[1] = {
    status: 'errored',
    repetition: 2,
    startedAt: '2026-11-27T11:00:00.000Z',
    phase: 'connect',
    error: 'unexpected response 502',
  };
  const nginx = deltasOf(result)[0]!;
  assert.equal(nginx.axis, 'proxy');
  const wsRow = rowOf(nginx, 'ws');
  assert.equal(wsRow.works, false);
  assert.equal(wsRow.reason, '3 events lost over 2 runs');
  const sseRow = rowOf(nginx, 'sse');
  assert.equal(sseRow.works, false);
  assert.equal(sseRow.reason, '1 of 2 runs did not complete (run 2 failed during connect: unexpected response 502)');
  // Its one completed run still gives differences.
  assert.equal(sseRow.latencyP50Ms.value, 78 - 77.5);
  assert.equal(rowOf(nginx, 'long-poll').works, true);

  const text = renderConsole(result);
  assert.ok(
    text.includes('    behind nginx: ws does not work (3 events lost over 2 runs); latency p50 +1.00 ms'),
    text,
  );
  assert.ok(
    text.includes(
      '    behind nginx: sse does not work (1 of 2 runs did not complete (run 2 failed during connect: unexpected response 502)); ',
    ),
    text,
  );
  assert.ok(renderMarkdown(result).includes('| ws | no: 3 events lost over 2 runs | +1.00 |'));
  const page = await renderHtml(result);
  assert.ok(page.includes('<tr class="partial"><td>ws</td><td>no: 3 events lost over 2 runs</td>'));
});

test('a failure the job without the change shares is said to be there without it too', () => {
  const result = pathResult(TWIN_PATHS);
  for (const where of [behindNginx('ws'), (p: Job['params']) => p.transport === 'ws' && p.tls && p.proxy === 'none'])
    (jobOf(result, where).runs[0] as CompletedRun).metrics.events_duplicated!.value = 2;
  const row = rowOf(deltasOf(result)[0]!, 'ws');
  assert.equal(row.works, false);
  assert.equal(
    row.reason,
    '2 events duplicated over 2 runs; without the change it does not work either (2 events duplicated over 2 runs)',
  );
});

test('a difference within both jobs\u2019 spread over runs is marked as noise', () => {
  const result = pathResult(TWIN_PATHS);
  // ws over 4g with TLS, no proxy: runs at 74 and 78 ms (median 76 as before); behind nginx 77 and 77.
  const from = jobOf(result, (p) => p.transport === 'ws' && p.tls && p.proxy === 'none');
  (from.runs[0] as CompletedRun).metrics.latency_p50_us!.value = 74_000;
  (from.runs[1] as CompletedRun).metrics.latency_p50_us!.value = 78_000;
  const ws = rowOf(deltasOf(result)[0]!, 'ws');
  assert.deepEqual(ws.latencyP50Ms, { value: 1, from: 76, to: 77, withinSpread: true });
  assert.equal(ws.latencyP99Ms.withinSpread, false);
  assert.ok(renderConsole(result).includes('    behind nginx: ws works; latency p50 ~+1.00 ms, p99 +9.00 ms'));
});

test('nothing at all for a result with only the direct path', async () => {
  const result = parseResult(
    JSON.parse(readFileSync(new URL('../fixtures/small-result.json', import.meta.url), 'utf8')),
  );
  assert.deepEqual(deltasOf(result), []);
  assert.ok(!renderConsole(result).includes('What the path adds'));
  assert.ok(!renderMarkdown(result).includes('What the path adds'));
  const page = await renderHtml(result);
  assert.ok(!page.includes('path-deltas'));
});
