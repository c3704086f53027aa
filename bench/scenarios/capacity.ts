import { defaultScenario } from './default.ts';
import type { Scenario } from './schema.ts';

/**
 * How many clients one load process holds at 1 event/s with zero loss: steps the audience up to
 * 5,000. Short polling is left out because at 5,000 clients it is a request-rate test, not a feed.
 */
export const capacityScenario: Scenario = {
  ...defaultScenario,
  name: 'capacity',
  description: 'ws, sse and long polling at 1 event/s with 1,000, 2,500 and 5,000 clients from one load process.',
  transports: ['long-poll', 'sse', 'ws'],
  matrix: { ...defaultScenario.matrix, exclude: undefined, shapes: [{ kind: 'steady', ratePerSec: 1 }], clients: [1000, 2500, 5000], pollIntervalMs: [1000] },
  timing: { warmupMs: 2000, measureMs: 5000, drainMs: 500, prewarmRequests: 5000 },
  repetitions: 1,
};
