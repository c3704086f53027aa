/**
 * `npm run bench:throughput` and `npm run bench:micro`: the two side measurements (raw HTTP
 * throughput per framework with autocannon, per-event CPU costs with tinybench). Printing only;
 * the measuring lives in bench/side/.
 */
import { parseArgs } from 'node:util';
import { runMicro } from '../side/micro.ts';
import { pinSelfToLoadCores, runThroughput } from '../side/throughput.ts';
import { detectPinning } from '../child.ts';
import { stopAllChildren } from '../child.ts';
import { median } from '../../reports/aggregate.ts';

const USAGE = `Usage:
  npm run bench:throughput -- [--duration <s>] [--connections <n>] [--runs <n>] [--json]
      requests/s of an empty short poll on express vs bare node:http (autocannon)
      defaults: --duration 5 --connections 50 --runs 3
  npm run bench:micro -- [--time <ms>] [--payload <bytes>] [--json]
      per-event CPU cost of framing and decoding (tinybench); defaults: --time 500 --payload 256`;

function usage(message: string): never {
  process.stderr.write(`pollbench: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function positiveInt(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max)
    usage(`--${name} must be a whole number from 1 to ${max}, got "${raw}"`);
  return Number(raw);
}

const [mode, ...rest] = process.argv.slice(2);
let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      duration: { type: 'string' },
      connections: { type: 'string' },
      runs: { type: 'string' },
      time: { type: 'string' },
      payload: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (err) {
  usage((err as Error).message.split(/\.\s/)[0]!);
}
if (values['help']) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const str = (k: string) => values[k] as string | undefined;

if (mode === 'micro') {
  const rows = await runMicro({
    timeMs: positiveInt('time', str('time'), 500, 60_000),
    payloadBytes: positiveInt('payload', str('payload'), 256, 1_048_576),
  });
  if (values['json']) process.stdout.write(`${JSON.stringify(rows, null, 1)}\n`);
  else {
    const width = Math.max(...rows.map((r) => r.task.length));
    process.stdout.write(`${'task'.padEnd(width)}  mean (ns)   p99 (ns)      ops/s   rme\n`);
    for (const r of rows) {
      process.stdout.write(
        `${r.task.padEnd(width)}  ${r.meanNs.toFixed(0).padStart(9)}  ${r.p99Ns.toFixed(0).padStart(9)}  ${Math.round(r.opsPerSec).toLocaleString('en-US').padStart(9)}  ${r.rmePercent.toFixed(1)}%\n`,
      );
    }
  }
} else if (mode === 'throughput') {
  const abort = new AbortController();
  process.on('SIGINT', () => abort.abort());
  const detected = detectPinning();
  pinSelfToLoadCores(detected);
  const { rows, pinning } = await runThroughput({
    pinning: detected,
    durationS: positiveInt('duration', str('duration'), 5, 3600),
    connections: positiveInt('connections', str('connections'), 50, 10_000),
    repetitions: positiveInt('runs', str('runs'), 3, 100),
    signal: abort.signal,
  });
  await stopAllChildren();
  if (values['json']) process.stdout.write(`${JSON.stringify({ pinning, rows }, null, 1)}\n`);
  else {
    process.stdout.write(`empty short poll (GET ${'/events'} answering []), ${pinning.note}\n`);
    for (const r of rows)
      process.stdout.write(
        `  run ${r.repetition} ${r.framework.padEnd(8)} ${Math.round(r.requestsPerSec).toLocaleString('en-US').padStart(8)} req/s  (${r.non2xx} non-2xx, ${r.errors} errors)\n`,
      );
    const med = (f: string) => median(rows.filter((r) => r.framework === f).map((r) => r.requestsPerSec));
    if (rows.length >= 2)
      process.stdout.write(
        `median: express ${Math.round(med('express'))} req/s, node:http ${Math.round(med('node'))} req/s: node:http answers ${(med('node') / med('express')).toFixed(2)}x as many\n`,
      );
  }
  if (abort.signal.aborted) process.exit(130);
} else {
  usage(mode === undefined ? 'say which: throughput or micro' : `unknown mode "${mode}"`);
}
