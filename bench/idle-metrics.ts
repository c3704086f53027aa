/**
 * What an idle client costs (issue 12's idle workload: no event in the window), per client per
 * minute: bytes at its sockets up and down, HTTP answers, keep-alives the server sent, and server CPU.
 * Nothing is delivered, so no per-event figure exists for such a run (bench/metrics.ts deletes them and
 * the latency figures); these take their place, and exist for idle jobs only.
 *
 * Checkable by arithmetic: short polling's requests per minute are 60,000 / pollIntervalMs, long
 * polling's 60,000 / longPollWaitMs (each wait expires with an empty answer), and the bytes are those
 * times one request and one empty answer; WebSocket's are pings per minute times 2 B down and 6 B up;
 * SSE's comments per minute times 3 B (8 B with HTTP/1.1 chunked framing), nothing up.
 */
import { exact, noisy } from './metric-value.ts';
import type { LoadReport } from './load/ipc.ts';
import type { ServerStats } from '../servers/contract/server-ipc.ts';
import type { Metric } from './result-schema.ts';

export interface IdleInputs {
  load: LoadReport;
  start: ServerStats;
  end: ServerStats;
  /** The clients measured (those connected by the deadline), at least 1. */
  clients: number;
}

export function idleMetrics({ load, start, end, clients }: IdleInputs) {
  const w = load.window;
  // The load generator's counting span, and the server's own between its two snapshots.
  const clientMin = Number(BigInt(load.countedUntilNs) - BigInt(load.startNs)) / 60e9;
  const serverMin = Number(BigInt(end.process.atNs) - BigInt(start.process.atNs)) / 60e9;
  const perClientMin = (x: number, minutes: number) => (minutes > 0 ? x / clients / minutes : 0);
  const cpuMs =
    (end.process.cpuUserUs + end.process.cpuSystemUs - start.process.cpuUserUs - start.process.cpuSystemUs) / 1000;
  const keepAlives = (end.counters.keepAlivesSent ?? 0) - (start.counters.keepAlivesSent ?? 0);
  return {
    idle_bytes_up_per_client_per_min: exact(perClientMin(w.bytesUp, clientMin), 'bytes/client/min'),
    idle_bytes_down_per_client_per_min: exact(perClientMin(w.bytesDown, clientMin), 'bytes/client/min'),
    idle_requests_per_client_per_min: exact(perClientMin(w.httpResponses, clientMin), 'requests/client/min'),
    // Counted by the server over its own span (read over IPC a moment apart from the clients').
    idle_keep_alives_per_client_per_min: noisy(perClientMin(keepAlives, serverMin), 'count/client/min'),
    idle_server_cpu_ms_per_client_per_min: noisy(perClientMin(cpuMs, serverMin), 'cpu-ms/client/min'),
  } satisfies Record<string, Metric>;
}
