/**
 * `npm run bench:micro`: per-event CPU costs of framing and decoding (tinybench). Printing only; the
 * measuring lives in bench/side/micro.ts.
 */
import { runMicro } from '../side/micro.ts';
import { MAX_PAYLOAD_BYTES } from '../../servers/contract/protocol.ts';
import { parseCommand, runCommand, wholeNumbers, type Command } from './runner.ts';

const COMMAND: Command = {
  name: 'pollbench micro',
  usage: `Usage: npm run bench:micro -- [--time <ms>] [--payload <bytes>] [--json]
      per-event CPU cost of framing and decoding (tinybench); defaults: --time 500 --payload 256
Exit codes: 0 measured; 2 bad usage.`,
};

async function main(): Promise<number> {
  const parsed = parseCommand(COMMAND, process.argv.slice(2), {
    time: { type: 'string' },
    payload: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const n = wholeNumbers(COMMAND, values, { time: [500, 60_000], payload: [256, MAX_PAYLOAD_BYTES] });
  if (typeof n === 'number') return n;
  const rows = await runMicro({ timeMs: n.time, payloadBytes: n.payload });
  if (values.json) process.stdout.write(`${JSON.stringify(rows, null, 1)}\n`);
  else {
    const width = Math.max(...rows.map((r) => r.task.length));
    process.stdout.write(`${'task'.padEnd(width)}  mean (ns)   p99 (ns)      ops/s   rme\n`);
    for (const r of rows) {
      process.stdout.write(
        `${r.task.padEnd(width)}  ${r.meanNs.toFixed(0).padStart(9)}  ${r.p99Ns.toFixed(0).padStart(9)}  ${Math.round(r.opsPerSec).toLocaleString('en-US').padStart(9)}  ${r.rmePercent.toFixed(1)}%\n`,
      );
    }
  }
  return 0;
}

runCommand('pollbench micro', main);
