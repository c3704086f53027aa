/**
 * `npm run bench:throughput`: raw HTTP throughput of the short-poll endpoint answering "nothing new"
 * (the most common poll), on express and on bare node:http with the same handler, measured with
 * autocannon. It shows how much of polling's server cost is the framework, which is why the main
 * run can switch frameworks. autocannon's latency is in whole milliseconds, so only its request rate
 * is used here; delivery latency always comes from our own hrtime stamps.
 */
import { spawnSync } from 'node:child_process';
import autocannon from 'autocannon';
import { ManagedChild, type Pinning } from '../child.ts';
import { PublisherProcess } from '../publisher/client.ts';
import { EVENTS_PATH } from '../../servers/contract/protocol.ts';
import type { FromServer, ToServer } from '../../servers/contract/server-ipc.ts';
import { frameworkSchema, type Framework, type ServerConfig } from '../../servers/contract/server-config.ts';
import { TRANSPORT_NAMES, TRANSPORT_TRAITS } from '../../servers/contract/transport-traits.ts';

export interface ThroughputRow {
  framework: Framework;
  repetition: number;
  /** Mean requests per second over the run (autocannon samples once per second). */
  requestsPerSec: number;
  requestsTotal: number;
  non2xx: number;
  errors: number;
}

export interface ThroughputOptions {
  /** Detected before the caller pins itself (pinning the caller first would hide the second core). */
  pinning: Pinning;
  durationS: number;
  connections: number;
  repetitions: number;
  signal: AbortSignal;
}

/** The transport that polls on an interval: every request it gets is answered at once, which is what is measured. */
const POLLED = TRANSPORT_NAMES.find((t) => TRANSPORT_TRAITS[t].pollIntervalAxis)!;

async function measureOnce(
  framework: Framework,
  options: ThroughputOptions,
  pinning: Pinning,
  publisher: PublisherProcess,
): Promise<Omit<ThroughputRow, 'repetition'>> {
  const feed = await publisher.openFeed(
    { shape: { kind: 'steady', ratePerSec: 1 }, payloadBytes: 256, ringCapacity: 1000 },
    options.signal,
  );
  const server: ManagedChild<ToServer, FromServer> = new ManagedChild(
    'server',
    '../servers/main.ts',
    [
      JSON.stringify({
        role: 'feed',
        transport: POLLED,
        framework,
        perMessageDeflate: false,
        feed: { upstream: { host: '127.0.0.1', port: feed.port }, ringCapacity: 1000 },
        host: '127.0.0.1',
      } satisfies ServerConfig),
    ],
    pinning.serverCpus,
  );
  try {
    const { port } = await server.waitFor('ready', 30_000, options.signal);
    // since far ahead of the feed: every answer is the empty list, the cheapest possible poll.
    const url = `http://127.0.0.1:${port}${EVENTS_PATH}?since=999999999`;
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        { url, connections: options.connections, duration: options.durationS, pipelining: 1 },
        (err, res) => {
          options.signal.removeEventListener('abort', onAbort);
          if (err) reject(err);
          else resolve(res);
        },
      );
      const onAbort = () => instance.stop();
      options.signal.addEventListener('abort', onAbort, { once: true });
    });
    return {
      framework,
      requestsPerSec: result.requests.average,
      requestsTotal: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
    };
  } finally {
    await server.stop();
  }
}

/** autocannon runs in the calling process: the CLI moves itself off the server's core with this. */
export function pinSelfToLoadCores(pinning: Pinning): void {
  if (pinning.loadCpus) spawnSync('taskset', ['-pc', pinning.loadCpus, String(process.pid)], { stdio: 'ignore' });
}

/** Frameworks alternate (express, node, express, node...) so drift hits both alike. */
export async function runThroughput(options: ThroughputOptions): Promise<{ rows: ThroughputRow[]; pinning: Pinning }> {
  const { pinning } = options;
  const rows: ThroughputRow[] = [];
  // The server's feed comes from a publisher process, as in the main run (1 event/s here).
  const publisher = new PublisherProcess(pinning.loadCpus);
  try {
    for (let repetition = 1; repetition <= options.repetitions && !options.signal.aborted; repetition++) {
      for (const framework of frameworkSchema.options) {
        if (options.signal.aborted) break;
        rows.push({ repetition, ...(await measureOnce(framework, options, pinning, publisher)) });
      }
    }
  } finally {
    await publisher.stop();
  }
  return { rows, pinning };
}
