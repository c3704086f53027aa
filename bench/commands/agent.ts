/**
 * `npm run agent -- --broker redis://HOST:PORT [--name N]`: a load agent for runs orchestrated on
 * another host (bench/agent/agent.ts). Runs until Ctrl-C or SIGTERM, which stop its load processes
 * (awaited) and remove its registration, or until the plan that released it stops its broker; exit 0.
 * Bad arguments or a broker it cannot reach: one line, exit 2. The broker lost during a plan: exit 1.
 */
import { stopAllChildren } from '../child.ts';
import { runAgent } from '../agent/agent.ts';
import { BrokerUnreachableError } from '../agent/redis-link.ts';
import { parseCommand, runCommand, stopOnInterrupt, type Command } from './runner.ts';

const NAME = 'pollbench agent';

const USAGE = `Usage: npm run agent -- --broker redis://HOST:PORT [--name <name>]

Runs a load agent: it registers with the broker a benchmark run prints (npm run bench -- --agents K),
and for each run it is given measures its clock offset to the publisher's host and runs that run's
load, returning the report through the broker. Runs until Ctrl-C, or until the plan ends and stops
its broker.

Options:
  --broker <url>    redis://HOST:PORT of the run's broker (required)
  --name <name>     how results name this agent (default: the host's name)
  -h, --help        show this help`;

const COMMAND: Command = { name: NAME, usage: USAGE };

function usageError(message: string): number {
  process.stderr.write(`${NAME}: ${message}\n\n${USAGE}\n`);
  return 2;
}

async function main(): Promise<number> {
  const parsed = parseCommand(COMMAND, process.argv.slice(2), {
    broker: { type: 'string' },
    name: { type: 'string' },
  });
  if (typeof parsed === 'number') return parsed;
  const { broker, name } = parsed.values;
  if (broker === undefined) return usageError('--broker is required: redis://HOST:PORT of the run');
  let url: URL;
  try {
    url = new URL(broker);
  } catch {
    return usageError(`--broker must be a URL like redis://10.0.0.1:6379, got "${broker}"`);
  }
  if (url.protocol !== 'redis:' || !url.hostname || !url.port)
    return usageError(`--broker must be redis://HOST:PORT, got "${broker}"`);
  if (name !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(name))
    return usageError(`--name must be 1 to 64 letters, digits, dots, dashes or underscores, got "${name}"`);

  const signal = stopOnInterrupt(NAME, 'the run it serves loses this agent', stopAllChildren);
  try {
    await runAgent({
      url: broker,
      ...(name !== undefined ? { name } : {}),
      signal,
      log: (line) => process.stderr.write(`${NAME}: ${line}\n`),
    });
  } catch (err) {
    if (err instanceof BrokerUnreachableError) {
      process.stderr.write(`${NAME}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (signal.aborted) process.stderr.write(`${NAME}: stopped\n`);
  return 0;
}

runCommand(NAME, main, stopAllChildren);
