import type { Scenario } from './schema.ts';
import type { ScheduleShape } from '../../servers/contract/schedule.ts';
import { TRANSPORT_NAMES } from '../../servers/contract/protocol.ts';
import { defaultScenario } from './default.ts';
import { STEADY, WORKLOAD_KINDS, type Workload } from '../workload-params.ts';

/**
 * What happens when things go wrong (issue 12), every transport on loopback, express, 256-byte events
 * unless said otherwise:
 * - forced drops: 10 events/s to 200 clients; every 5 s a random 10% of them lose their connection
 *   (TCP reset) and stay offline 2 s, then resume. Next to the same cell without drops.
 * - a server restart: the same cell; the server process is killed mid-window and is back 1 s later
 *   on the same port.
 * - idle clients: 1,000 clients and no events; what holding them costs per minute.
 * - slow readers: 200 events/s of 4 KiB to 50 healthy clients plus 5 that never read (the issue's
 *   probe), next to the same cell without them: the healthy clients' p99 and the server's memory.
 * Keep-alives are set explicitly, as a deployment sets them: a WebSocket ping every 30 s and an SSE
 * comment line every 15 s (long polling's is its 30 s wait expiry, short polling's its empty answers
 * every second). The 30 s window is a whole number of keep-alive periods, so every idle client sends
 * the same number of them however its timers are phased.
 */
const CALM: ScheduleShape = { kind: 'steady', ratePerSec: 10 };
const FLOOD: ScheduleShape = { kind: 'steady', ratePerSec: 200 };

const DROPS: Workload = { kind: 'drops', everyMs: 5000, share: 0.1, offlineMs: 2000 };
const RESTART: Workload = { kind: 'restart', downMs: 1000 };
const IDLE: Workload = { kind: 'idle' };
const SLOW: Workload = { kind: 'slow-readers', count: 5 };

/** The cells run: a workload where it tells something, and the steady feed beside it. */
const CELLS: { shape: ScheduleShape; clients: number; payloadBytes: number; workloads: Workload[] }[] = [
  { shape: CALM, clients: 200, payloadBytes: 256, workloads: [STEADY, DROPS, RESTART] },
  { shape: CALM, clients: 1000, payloadBytes: 256, workloads: [IDLE] },
  { shape: FLOOD, clients: 50, payloadBytes: 4096, workloads: [STEADY, SLOW] },
];

const shapes = [CALM, FLOOD];
const clients = [...new Set(CELLS.map((c) => c.clients))];
const payloads = [...new Set(CELLS.map((c) => c.payloadBytes))];
const workloads = [STEADY, DROPS, RESTART, IDLE, SLOW];

/** Every other combination of the product, excluded (computed, so the list above stays the truth). */
const exclude = shapes.flatMap((shape) =>
  clients.flatMap((n) =>
    payloads.flatMap((payloadBytes) =>
      WORKLOAD_KINDS.filter((kind) => workloads.some((w) => w.kind === kind))
        .filter(
          (kind) =>
            !CELLS.some(
              (c) =>
                c.shape === shape &&
                c.clients === n &&
                c.payloadBytes === payloadBytes &&
                c.workloads.some((w) => w.kind === kind),
            ),
        )
        .map((workload) => ({ shape, clients: n, payloadBytes, workload })),
    ),
  ),
);

export const resilienceScenario: Scenario = {
  ...defaultScenario,
  name: 'resilience',
  description:
    'Every transport on loopback: 10 events/s to 200 clients steady, with 10% of them dropped every 5 s (2 s offline), and with the server restarted mid-window (1 s down); 1,000 idle clients with no events; 200 events/s of 4 KiB to 50 clients with and without 5 clients that never read. WebSocket ping every 30 s, SSE comment every 15 s; short polling every 1000 ms.',
  transports: [...TRANSPORT_NAMES],
  matrix: {
    shapes,
    clients,
    payloadBytes: payloads,
    pollIntervalMs: [1000],
    workloads,
    exclude,
  },
  keepAlive: { wsPingMs: 30_000, sseCommentMs: 15_000 },
  timing: { ...defaultScenario.timing, measureMs: 30_000, drainMs: 500 },
  repetitions: 2,
};
