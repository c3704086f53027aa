import type { Scenario } from './schema.ts';

/** Events arrive in bursts (10 at once every second): where short polling coalesces for free. */
export const burstyScenario: Scenario = {
  name: 'bursty',
  description: 'Bursts of 10 events every 1000 ms to 200 clients, 256-byte payload; short polling every 1000 ms and 250 ms.',
  transports: ['short-poll', 'long-poll', 'sse', 'ws'],
  matrix: {
    shapes: [{ kind: 'burst', size: 10, everyMs: 1000 }],
    clients: [200],
    payloadBytes: [256],
    pollIntervalMs: [1000, 250],
  },
  framework: 'express',
  longPollWaitMs: 30_000,
  perMessageDeflate: false,
  ringCapacity: 10_000,
  timing: { warmupMs: 1000, measureMs: 5000, drainMs: 300, prewarmRequests: 5000 },
  repetitions: 3,
};
