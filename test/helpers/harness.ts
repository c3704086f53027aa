/** Helpers shared by the integration tests: server configs, and bounded waits that never hang a run. */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { makePayload } from '../../servers/contract/protocol.ts';
import type { ServerConfig, UpstreamConfig } from '../../servers/contract/server-config.ts';
import type { Framework } from '../../servers/contract/server-config.ts';
import type { TransportName } from '../../servers/transports/types.ts';

export const HOST = '127.0.0.1';

/** The payload of events tests publish by hand. */
export const TEST_PAYLOAD = makePayload(32);

/**
 * A feed server config for tests. By default its feed is 'in-process': the test publishes by hand
 * with server.feed.publish(now, TEST_PAYLOAD), deterministically. Pass an upstream (a publisher on
 * port 0, see bench/publisher/feed.ts) to test the real path.
 */
export function feedConfig(
  transport: TransportName,
  framework: Framework,
  upstream: UpstreamConfig = 'in-process',
): ServerConfig {
  return {
    role: 'feed',
    transport,
    // The ws server always runs on node:http; say so rather than pretend express matters.
    framework: transport === 'ws' ? 'node' : framework,
    perMessageDeflate: false,
    feed: { upstream, ringCapacity: 10_000 },
    host: HOST,
  };
}

/** Rejects after `ms` with `label`; the timer is always cleared so it never outlives the test. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${label}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` every 10 ms until it is true, failing after `ms` with the label (or its lazy text). */
export async function waitUntil(check: () => boolean, ms: number, label: string | (() => string)): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${ms} ms: ${typeof label === 'function' ? label() : label}`);
    await sleep(10);
  }
}

/** An open WebSocket whose messages (and their arrival times, performance.now()) are collected from the first frame on. */
export interface WsClient {
  ws: WebSocket;
  messages: string[];
  arrivals: number[];
  close(): Promise<void>;
}

export function openWs(port: number, path = '/ws'): Promise<WsClient> {
  const ws = new WebSocket(`ws://${HOST}:${port}${path}`, { perMessageDeflate: false });
  const messages: string[] = [];
  const arrivals: number[] = [];
  ws.on('message', (data) => {
    arrivals.push(performance.now());
    messages.push(data.toString());
  });
  const close = () =>
    withTimeout(
      new Promise<void>((done) => {
        if (ws.readyState === WebSocket.CLOSED) return done();
        ws.once('close', () => done());
        ws.terminate();
      }),
      5000,
      'closing WebSocket',
    );
  return withTimeout(
    new Promise<WsClient>((resolve, reject) => {
      ws.once('open', () => resolve({ ws, messages, arrivals, close }));
      ws.once('error', reject);
    }),
    5000,
    `opening ws://${HOST}:${port}${path}`,
  );
}
