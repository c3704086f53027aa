import type { Scenario } from './schema.ts';
import { TRANSPORT_NAMES } from '../../servers/contract/protocol.ts';

/**
 * The comparison `npm run bench` makes: every registered transport at a low and a high event rate, a
 * small and a large audience, a 256-byte payload, poll intervals of 1 s and 250 ms; 3 s windows, 3
 * repetitions. With the four transports measured here, about 4 minutes on a 2-core machine (45 runs;
 * `npm run bench` prints where the time went at the end). The descriptions name no transport and count
 * none, so they stay true when one is added.
 *
 * One cell of the product is left out: 1 event/s to 50 clients. Its per-event figures (bytes and
 * requests per event) equal those at 1 event/s to 500 clients, since every client does the same
 * per event (measured: 470 vs 467 bytes down per event for short polling at 1 s, 942 vs 940 at
 * 250 ms, 467 for long polling, 328 for SSE and 311 for WebSocket in both); its latency percentiles
 * rest on 150 deliveries per run (a p99 there is the second-slowest delivery), while the unloaded
 * latency floor is shown with 3,000 per run at 20 events/s to 50 clients. Running it cost 15 of the
 * 60 runs and put the default over 5 minutes even with the per-run overhead cut.
 *
 * Warm-up: polling servers get 5,000 HTTP requests (over 32 connections) before anything is
 * measured; see prewarm() in bench/load/run-job.ts for the measurements behind the number.
 */
export const defaultScenario: Scenario = {
  name: 'default',
  description:
    'Every transport at 1 and 20 events/s, 50 and 500 clients (1 event/s to 500 only), 256-byte payload; poll intervals of 1000 ms and 250 ms.',
  transports: [...TRANSPORT_NAMES],
  matrix: {
    shapes: [
      { kind: 'steady', ratePerSec: 1 },
      { kind: 'steady', ratePerSec: 20 },
    ],
    clients: [50, 500],
    payloadBytes: [256],
    pollIntervalMs: [1000, 250],
    exclude: [{ shape: { kind: 'steady', ratePerSec: 1 }, clients: 50 }],
  },
  framework: 'express',
  longPollWaitMs: 30_000,
  perMessageDeflate: false,
  ringCapacity: 10_000,
  timing: { warmupMs: 500, measureMs: 3000, drainMs: 100, prewarmRequests: 5000 },
  repetitions: 3,
};
