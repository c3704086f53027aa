// The "Processes and agents" tables (reports/scale-sections.ts): a committed fixture given a server
// group, load processes with source addresses and load agents, its Markdown as a whole-text snapshot,
// the figures checked by hand, and nothing at all for results without them.
// To accept an intended change: UPDATE_SNAPSHOTS=1 node --import tsx --test test/unit/scale-sections.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { renderMarkdown } from '../../reports/markdown.ts';
import { renderHtml } from '../../reports/html.ts';
import { summarizeAll } from '../../reports/aggregate.ts';
import { scaleMarkdown, scaleSection } from '../../reports/scale-sections.ts';
import { parseResult, type CompletedRun, type Result } from '../../bench/result-schema.ts';

const fixture = (name: string): Result =>
  parseResult(JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), 'utf8')));

const member = (
  role: 'primary' | 'worker',
  index: number,
  figures: { clients: number; cpu: number; alive?: boolean },
) => ({
  pid: 1000 + index,
  role,
  index,
  alive: figures.alive ?? true,
  cpuMs: figures.cpu * 2000,
  cpuFraction: figures.cpu,
  rssBytes: 60e6,
  heapUsedBytes: 20e6,
  subscribers: figures.clients,
  openSockets: figures.clients,
  tcpAccepted: figures.clients,
  bytesOut: figures.clients * 1000,
});

/** small-result with the 20 events/s jobs run on a server group, two load processes and two agents. */
function scaled(): Result {
  const r = fixture('small-result');
  const at20 = (transport: string) =>
    r.jobs.find(
      (j) => j.params.transport === transport && j.params.shape.kind === 'steady' && j.params.shape.ratePerSec === 20,
    )!;
  const runs = (transport: string) => at20(transport).runs.filter((x): x is CompletedRun => x.status === 'completed');

  const grouped = at20('ws');
  grouped.params = { ...grouped.params, broker: 'redis', serverProcesses: 2 };
  grouped.parameterSet += ' broker=redis servers=2';
  const [first, second] = runs('ws');
  first!.serverGroup = {
    workers: 2,
    scheduling: 'rr',
    workerRestarts: 0,
    exitsUncounted: 0,
    members: [
      member('primary', -1, { clients: 0, cpu: 0.05 }),
      member('worker', 1, { clients: 8, cpu: 0.1 }),
      member('worker', 0, { clients: 12, cpu: 0.3 }),
    ],
  };
  // Run 2: worker 1 died and its replacement took its slot; the dead one is listed, out of the balance.
  second!.serverGroup = {
    workers: 2,
    scheduling: 'none',
    workerRestarts: 1,
    exitsUncounted: 1,
    members: [
      member('primary', -1, { clients: 0, cpu: 0.01 }),
      member('worker', 0, { clients: 10, cpu: 0.2 }),
      member('worker', 1, { clients: 0, cpu: 0.05, alive: false }),
      member('worker', 1, { clients: 10, cpu: 0.2 }),
    ],
  };

  const [loaded, single] = runs('sse');
  loaded!.load = {
    processes: [
      { name: 'load-0', firstClient: 0, clients: 10, cpuFraction: 0.2, loopDelayP99Us: 1500, startLagUs: 120 },
      { name: 'load-1', firstClient: 10, clients: 10, cpuFraction: 0.9, loopDelayP99Us: 42_000, startLagUs: 3400 },
    ],
    sourceAddresses: ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'],
  };
  // One process on system-picked addresses: nothing to break down.
  single!.load = { processes: [{ name: 'load', firstClient: 0, clients: 20, cpuFraction: 0.3, loopDelayP99Us: 900 }] };

  const [remote] = runs('long-poll');
  remote!.agents = [
    { name: 'a1', hostname: 'host-a', clockOffsetNs: '1234567', clockUncertaintyUs: 35.2, clockExchanges: 8 },
    { name: 'a2', hostname: 'host-b', clockOffsetNs: '-2323', clockUncertaintyUs: 4.25, clockExchanges: 8 },
  ];
  remote!.latencyUncertaintyUs = 35.2;
  return r;
}

test('Markdown: server processes, load processes and load agents (snapshot)', () => {
  const result = scaled();
  const text = `${scaleMarkdown(summarizeAll(result), (t) => t).join('\n')}\n`;
  const url = new URL('../snapshots/scale-sections.md', import.meta.url);
  if (process.env.UPDATE_SNAPSHOTS === '1' || !existsSync(url)) {
    if (process.env.UPDATE_SNAPSHOTS !== '1')
      assert.fail('no snapshot scale-sections.md: run with UPDATE_SNAPSHOTS=1, then review it');
    writeFileSync(url, text);
  }
  assert.equal(text, readFileSync(url, 'utf8'));
  // By hand: sockets 12 and 8 (mean 10) -> 1.20x; CPU 30% and 10% (mean 20%) -> 1.50x; workers in slot order.
  assert.match(
    text,
    /\| 2 workers \+ primary \| round robin \| 12 \/ 8 \| 12 \/ 8 \| 30% \/ 10% \| 1\.20x, 1\.50x \| 5\.0% \| 0 \|/,
  );
  // The dead worker is shown but not balanced: 10 and 10 -> 1.00x.
  assert.match(
    text,
    /\| by the OS \| 10 \/ 0 \(exited\) \/ 10 \|.*\| 1\.00x, 1\.00x \| 1\.0% \| 1 \(1 without final figures\) \|/,
  );
  assert.match(text, /arrival lag is its workers' histograms merged: exact percentiles/);
  assert.match(
    text,
    /\| 2 \| 10 \/ 10 \| 20% \/ 90% \(busiest\) \| 1\.50 ms \/ 42\.0 ms \| 0\.12 ms \/ 3\.40 ms \| 127\.0\.0\.2 … 127\.0\.0\.6 \(5\) \|/,
  );
  assert.match(text, /a1 \(host-a\): \+1\.23 ms ± 35 µs, 8; a2 \(host-b\): -2\.3 µs ± 4\.3 µs, 8/);
  // Exactly the run with agents, the run with two load processes and the two group runs: 4 rows.
  assert.equal(text.split('\n').filter((l) => /^\| rate=20\/s/.test(l)).length, 4);
});

test('the latency figures of a run on agents carry its clock bound', () => {
  const result = scaled();
  const run = result.jobs
    .flatMap((j) => j.runs)
    .find((r): r is CompletedRun => r.status === 'completed' && !!r.agents)!;
  const ms = (us: number) => (us / 1000).toFixed(us >= 10_000 ? 1 : 2);
  const text = scaleMarkdown(summarizeAll(result), (t) => t).join('\n');
  assert.ok(
    text.includes(
      `| ${ms(run.metrics.latency_p50_us!.value)} ms ± 35 µs | ${ms(run.metrics.latency_p99_us!.value)} ms ± 35 µs |`,
    ),
  );
});

test('the summary and the HTML report have the tables only when a run has the data', async () => {
  const result = scaled();
  assert.match(renderMarkdown(result), /### Server processes[\s\S]*### Load processes[\s\S]*### Load agents/);
  const html = await renderHtml(result);
  const start = html.indexOf('<section id="scale">');
  assert.ok(start > 0);
  const part = html.slice(start, html.indexOf('</section>', start));
  assert.match(part, /<h3>Server processes<\/h3>/);
  assert.match(part, /<td class="num">20% \/ 90% \(busiest\)<\/td>/);
  assert.match(part, /a1 \(host-a\): \+1\.23 ms ± 35 µs, 8/);
  assert.match(html, /<a href="#scale">Processes<\/a>/);
  for (const name of ['small-result', 'quick-result', 'loss-result', 'errored-result']) {
    const old = summarizeAll(fixture(name));
    assert.deepEqual(
      scaleMarkdown(old, (t) => t),
      [],
      name,
    );
    assert.equal(scaleSection(old), '', name);
  }
});
