import type { Scenario } from './schema.ts';

/**
 * The comparison `npm run bench` makes: all four transports at a low and a high event rate, a small
 * and a large audience, a 256-byte payload, short polling at 1 s and at 250 ms. About 6.5 minutes on
 * a 2-core machine (60 runs of ~6 s: each run starts two fresh processes). Warm-up: an HTTP round trip here fell from ~370 µs to ~53 µs over the first 5,000
 * requests, so polling servers get 5,000 requests before anything is measured.
 */
export const defaultScenario: Scenario = {
  name: 'default',
  description: 'All four transports at 1 and 20 events/s, 50 and 500 clients, 256-byte payload; short polling every 1000 ms and 250 ms.',
  transports: ['short-poll', 'long-poll', 'sse', 'ws'],
  matrix: {
    shapes: [
      { kind: 'steady', ratePerSec: 1 },
      { kind: 'steady', ratePerSec: 20 },
    ],
    clients: [50, 500],
    payloadBytes: [256],
    pollIntervalMs: [1000, 250],
  },
  framework: 'express',
  longPollWaitMs: 30_000,
  perMessageDeflate: false,
  ringCapacity: 10_000,
  timing: { warmupMs: 500, measureMs: 3000, drainMs: 100, prewarmRequests: 5000 },
  repetitions: 3,
};
