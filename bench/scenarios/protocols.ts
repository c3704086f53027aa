import { defaultScenario } from './default.ts';
import type { Scenario } from './schema.ts';

/**
 * What real clients send, one wire axis at a time (issue 11): the default exchange, then HTTP/2, the
 * browser's and the 2010 article's headers on each HTTP version, lean response headers, binary
 * events, compression with and without context takeover, a random payload that cannot compress, and
 * clients that also send messages up. One cell (2 events/s to 100 clients, 256-byte payload, loopback,
 * cleartext, so HTTP/2 is h2c; add `--tls` for h2), on bare node:http and node:http2, so that every row differs from the first in one
 * choice only. 44 jobs, 3 repetitions: about 10.5 minutes on a 2-core machine (measured).
 */
export const protocolsScenario: Scenario = {
  ...defaultScenario,
  name: 'protocols',
  description:
    "Every transport at 2 events/s to 100 clients, 256-byte payload, on loopback, one wire choice at a time: the default, HTTP/2, Chromium's and the 2010 article's headers on HTTP/1.1 and HTTP/2, lean response headers, binary events, compression with and without context takeover, a random binary payload compressed, and clients sending a 64-byte message every second; short polling every 1000 ms.",
  matrix: {
    shapes: [{ kind: 'steady', ratePerSec: 2 }],
    clients: [100],
    payloadBytes: [256],
    pollIntervalMs: [1000],
    wires: [
      {},
      { http: '2' },
      { requestHeaders: 'browser' },
      { requestHeaders: 'browser', http: '2' },
      { requestHeaders: '2010' },
      { requestHeaders: '2010', http: '2' },
      { responseHeaders: 'lean' },
      { encoding: 'binary' },
      { compression: 'on' },
      { compression: 'on-no-takeover' },
      { encoding: 'binary', payloadContent: 'random', compression: 'on' },
      { upstream: { intervalMs: 1000, messageBytes: 64 } },
    ],
  },
  // node:http, so that HTTP/1.1 and HTTP/2 (node:http2; express 5 has none) differ in the version only.
  framework: 'node',
  timing: { ...defaultScenario.timing, measureMs: 3000 },
};
