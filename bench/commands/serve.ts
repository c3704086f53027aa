/**
 * `npm run serve`: one twin server with the live feed a bench run measures, for pointing your own
 * clients at it (a browser, k6, curl). The feed is published from this process (bench/publisher/
 * feed.ts, as the publisher process does for a plan) and the server runs as its own process
 * (servers/main.ts, as in a run, with the same config and limits), so the server's CPU is its own.
 *
 * Prints the URL it listens on and one line per endpoint with a curl example, then serves until
 * Ctrl-C or SIGTERM: both stop the server and the feed and exit 0. The server process exits by
 * itself if this one dies (it watches its IPC channel), so nothing is left behind.
 *
 * Loopback by default: any other address serves everyone who can reach the machine, so it needs
 * --public and says so on stderr.
 */
import { isIP } from 'node:net';
import { ManagedChild, stopAllChildren } from '../child.ts';
import { openFeed, type PublishedFeed } from '../publisher/feed.ts';
import { LIMIT_OPTIONS, LIMIT_USAGE, LimitOptionError, parseLimitOptions } from '../limit-flags.ts';
import { parseCommand, runCommand, wholeNumbers, type Command } from './runner.ts';
import { MAX_PAYLOAD_BYTES, MESSAGES_PATH, TRANSPORT_NAMES } from '../../servers/contract/protocol.ts';
import { TRANSPORT_TRAITS, type TransportName } from '../../servers/contract/transport-traits.ts';
import type { ServerConfig } from '../../servers/contract/server-config.ts';
import type { FromServer, ToServer } from '../../servers/contract/server-ipc.ts';

const NAME = 'pollbench serve';
const MAX_RATE = 100_000;

const USAGE = `Usage: npm run serve -- --transport <name> [options]

Runs one feed server with the live feed pollbench measures, until Ctrl-C, so your own clients can
use it. Prints its URL and how to ask each endpoint with curl.

Options:
  --transport <name>     ${TRANSPORT_NAMES.join(', ')}
  --framework <name>     express (default) or node (bare node:http); WebSocket always runs ws on node:http
  --host <address>       address to listen on (default 127.0.0.1)
  --public               allow an address other than loopback (anyone who can reach it is served)
  --port <n>             port to listen on, 0 for any free one (default 0)
  --rate <events/s>      steady event rate (default 1)
  --payload <bytes>      event payload size (default 256)
  --ring <events>        events the server holds for clients that resume (default 10000)
${LIMIT_USAGE}
  -h, --help             show this help`;

const COMMAND: Command = { name: NAME, usage: USAGE };

function usageError(message: string): number {
  process.stderr.write(`${NAME}: ${message}\n\n${USAGE}\n`);
  return 2;
}

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

const origin = (host: string, port: number) => `http://${isIP(host) === 6 ? `[${host}]` : host}:${port}`;

/** The endpoint lines: the transport's own request and the upstream messages' POST, each with a curl example. */
function endpointLines(transport: TransportName, base: string): string[] {
  const traits = TRANSPORT_TRAITS[transport];
  const url = `${base}${traits.byHand.path}${traits.byHand.query}`;
  const own =
    traits.httpStack === 'ws'
      ? `  ${traits.name}: ${url.replace(/^http:/, 'ws:')}\n    curl --include --no-buffer --http1.1 -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: cG9sbGJlbmNoLXNlcnZlMQ==' '${url}'`
      : `  ${traits.name}: GET ${url}\n    curl --include --no-buffer '${url}'`;
  const messages = `${base}${MESSAGES_PATH}`;
  return [
    own,
    `  Upstream messages: POST ${messages} (the answer is the message with the server's receive stamp)\n    curl --include --data '{"id":1,"sentNs":"0","body":"hi"}' '${messages}'`,
  ];
}

async function main(): Promise<number> {
  const parsed = parseCommand(COMMAND, process.argv.slice(2), {
    transport: { type: 'string' },
    framework: { type: 'string' },
    host: { type: 'string' },
    public: { type: 'boolean' },
    port: { type: 'string' },
    rate: { type: 'string' },
    payload: { type: 'string' },
    ring: { type: 'string' },
    ...LIMIT_OPTIONS,
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;

  const known: readonly string[] = TRANSPORT_NAMES;
  if (values.transport === undefined) return usageError(`--transport is required: one of ${known.join(', ')}`);
  if (!known.includes(values.transport))
    return usageError(`--transport: unknown transport "${values.transport}"; choose from ${known.join(', ')}`);
  const transport = values.transport as TransportName;
  const framework = values.framework ?? 'express';
  if (framework !== 'express' && framework !== 'node')
    return usageError(`--framework must be express or node, got "${framework}"`);
  const host = values.host ?? '127.0.0.1';
  if (host !== 'localhost' && isIP(host) === 0)
    return usageError(`--host must be an IP address or localhost, got "${host}"`);
  if (!isLoopback(host) && !values.public)
    return usageError(`--host ${host} serves anyone who can reach this machine; add --public to mean it`);
  const numbers = wholeNumbers(COMMAND, values, {
    port: [0, 65_535, 0],
    payload: [256, MAX_PAYLOAD_BYTES, 0],
    ring: [10_000, 10_000_000],
  });
  if (typeof numbers === 'number') return numbers;
  const rate = values.rate === undefined ? 1 : /^[0-9]*\.?[0-9]+$/.test(values.rate) ? Number(values.rate) : NaN;
  if (!(rate > 0 && rate <= MAX_RATE))
    return usageError(
      `--rate must be a number of events per second above 0 and at most ${MAX_RATE}, got "${values.rate}"`,
    );
  let limits;
  try {
    limits = parseLimitOptions(values);
  } catch (err) {
    if (err instanceof LimitOptionError) return usageError(err.message);
    throw err;
  }

  const feed: PublishedFeed = await openFeed({
    shape: { kind: 'steady', ratePerSec: rate },
    payloadBytes: numbers.payload,
    ringCapacity: numbers.ring,
  });
  const config: ServerConfig = {
    role: 'feed',
    transport,
    framework: TRANSPORT_TRAITS[transport].httpStack === 'ws' ? 'node' : framework,
    perMessageDeflate: false,
    feed: { upstream: { host: '127.0.0.1', port: feed.port }, ringCapacity: numbers.ring },
    host,
    port: numbers.port,
    limits,
  };
  const server = new ManagedChild<ToServer, FromServer>('server', '../servers/main.ts', [JSON.stringify(config)], null);

  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  const stopAll = async () => {
    await server.stop();
    await feed.close();
  };
  let port: number;
  try {
    ({ port } = await Promise.race([
      server.waitFor('ready', 30_000),
      stopped.then((signal) => Promise.reject(new Error(`${signal} before the server was ready`))),
    ]));
  } catch (err) {
    await stopAll();
    throw err;
  }

  const base = origin(host, port);
  if (!isLoopback(host))
    process.stderr.write(
      `${NAME}: warning: listening on ${host}, not loopback: anyone who can reach this machine is served\n`,
    );
  process.stdout.write(
    [
      `${NAME}: ${TRANSPORT_TRAITS[transport].name} (${config.framework}) listening on ${base}`,
      `  feed: ${rate} events/s of ${numbers.payload} B, the newest ${numbers.ring} held`,
      ...endpointLines(transport, base),
      'Ctrl-C stops it.',
      '',
    ].join('\n'),
  );

  const outcome = await Promise.race([
    stopped.then((signal) => ({ signal })),
    server.exited.then((info) => ({ exited: info })),
  ]);
  await stopAll();
  if ('exited' in outcome) {
    process.stderr.write(
      `${NAME}: the server exited (code ${outcome.exited.code}, signal ${outcome.exited.signal}): ${server.lastWords()}\n`,
    );
    return 1;
  }
  process.stderr.write(`${NAME}: ${outcome.signal}: stopped\n`);
  return 0;
}

runCommand(NAME, main, stopAllChildren);
