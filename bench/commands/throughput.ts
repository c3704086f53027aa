/**
 * `npm run bench:throughput`: raw HTTP throughput of an empty short poll on express and on bare
 * node:http (autocannon). Printing only; the measuring lives in bench/side/throughput.ts.
 */
import { pinSelfToLoadCores, runThroughput } from '../side/throughput.ts';
import { detectPinning, stopAllChildren } from '../child.ts';
import { median } from '../../reports/aggregate.ts';
import { parseCommand, runCommand, stopOnInterrupt, wholeNumbers, type Command } from './runner.ts';

const COMMAND: Command = {
  name: 'pollbench throughput',
  usage: `Usage: npm run bench:throughput -- [--duration <s>] [--connections <n>] [--runs <n>] [--json]
      requests/s of an empty short poll on express vs bare node:http (autocannon)
      defaults: --duration 5 --connections 50 --runs 3
Exit codes: 0 measured; 2 bad usage; 130 interrupted.`,
};

async function main(): Promise<number> {
  const parsed = parseCommand(COMMAND, process.argv.slice(2), {
    duration: { type: 'string' },
    connections: { type: 'string' },
    runs: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const n = wholeNumbers(COMMAND, values, { duration: [5, 3600], connections: [50, 10_000], runs: [3, 100] });
  if (typeof n === 'number') return n;

  const signal = stopOnInterrupt('pollbench throughput', 'finished runs are printed', stopAllChildren);
  const detected = detectPinning();
  pinSelfToLoadCores(detected);
  const { rows, pinning } = await runThroughput({
    pinning: detected,
    durationS: n.duration,
    connections: n.connections,
    repetitions: n.runs,
    signal,
  });
  await stopAllChildren();
  if (values.json) process.stdout.write(`${JSON.stringify({ pinning, rows }, null, 1)}\n`);
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
  return signal.aborted ? 130 : 0;
}

runCommand('pollbench throughput', main, stopAllChildren);
