import { TRANSPORT_NAMES, TRANSPORT_TRAITS } from '../../servers/contract/transport-traits.ts';
import { defaultScenario } from './default.ts';
import type { Scenario } from './schema.ts';

/**
 * How many clients one server and one load process hold at 1 event/s, and which resource gives out
 * first (each run names its bottleneck, bench/diagnosis.ts). Short polling is left out because at
 * thousands of clients it is a request-rate test, not a feed.
 *
 * Measured on this machine (2 vCPU, one core each for server and load, other benchmarks running):
 * - long polling: 5,000 clients put the express server at ~45-50% of its core, 10,000 at 95% (server
 *   CPU is its limit; 10,000 needed 24 s to connect and 98 connects timed out and were retried);
 * - SSE and WebSocket: 10,000 clients at 14% and 10% of a core, 18,000 at 25% and 18%. At 1 event/s
 *   their limit is file descriptors (one per client in each process: 18,090 clients fit this
 *   machine's hard limit of 20,000), not CPU; by CPU they would reach ~60,000 (SSE) and ~100,000 (ws).
 * Running this scenario runs the capacity search (bench/capacity/, `--capacity`): it starts at the
 * smallest audience here (1,000) and steps up until the service level breaks, whatever the rest of
 * the list says; the list stays so `--capacity-start` has the same default it had as a plain plan.
 */
export const capacityScenario: Scenario = {
  ...defaultScenario,
  name: 'capacity',
  description:
    'The transports without a poll interval (they hold their clients between events) at 1 event/s: the capacity search from 1,000 clients up until p99 passes the limit or an event or client is lost, and the resource that gave out.',
  // Every transport that holds its clients between events: one with a poll interval holds nothing.
  transports: TRANSPORT_NAMES.filter((t) => !TRANSPORT_TRAITS[t].pollIntervalAxis),
  matrix: {
    ...defaultScenario.matrix,
    exclude: undefined,
    // The default's second wire (Chromium's headers) belongs to its classic cell only, and its 4g path
    // to its 20/s cell: this scenario's cells run on loopback, as its description says.
    headers: undefined,
    networks: undefined,
    shapes: [{ kind: 'steady', ratePerSec: 1 }],
    clients: [1000, 5000, 10000],
    pollIntervalMs: [1000],
  },
  timing: { warmupMs: 2000, measureMs: 5000, drainMs: 500, prewarmRequests: 5000 },
  repetitions: 1,
};
