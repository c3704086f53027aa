/**
 * A run's path figures and the warnings they call for: what the network emulator and the proxy did
 * over the window (recorded with the run, so the emulator is never silently what was measured), and
 * whether the emulated network was the one the profile names.
 */
import type { Pinning } from './child.ts';
import type { RelayStats } from './network/relay.ts';
import type { RunningPath } from './path-runner.ts';
import type { CompletedRun, JobParams, RunMetrics, RunWarning } from './result-schema.ts';
import { warn } from './warnings.ts';

/**
 * Where the emulator runs: beside the load generator and publisher, on the clients' side of the
 * machine. Its work is the clients' network, so it must not take the server's core (whose CPU per
 * event is a headline figure); its own CPU and timer lateness are recorded per run, so a busy load
 * core shows up as lateness and a warning, never as silently slower transports.
 */
export function emulatorCpus(pinning: Pinning): string | null {
  return pinning.loadCpus;
}

/** Delay error the issue allows: 5% of the one-way delay, or 1 ms, whichever is larger. */
export function delayToleranceMs(oneWayMs: number): number {
  return Math.max(1, 0.05 * oneWayMs);
}

/** Above this share of an access link's rate, queueing on the link dominates latency. */
export const LINK_SATURATION_FRACTION = 0.9;

export function runPathFigures(
  path: RunningPath,
  emulator: RelayStats | null,
  proxy: { cpuUs: number; wallMs: number; serverTcpAccepted: number } | null,
): CompletedRun['path'] {
  if (!emulator && !path.proxy) return undefined;
  return {
    ...(emulator
      ? {
          emulator: {
            cpus: path.emulatorCpus,
            cpuFraction: emulator.wallMs > 0 ? emulator.cpuUs / 1000 / emulator.wallMs : 0,
            latenessP50Us: emulator.latenessUs.p50,
            latenessP99Us: emulator.latenessUs.p99,
            latenessMaxUs: emulator.latenessUs.max,
            appliedOneWayUpMs: emulator.appliedOneWayMs.up.count ? emulator.appliedOneWayMs.up.mean : null,
            appliedOneWayDownMs: emulator.appliedOneWayMs.down.count ? emulator.appliedOneWayMs.down.mean : null,
            configuredOneWayMs: emulator.configuredOneWayMs,
            segmentsLost: emulator.segmentsLost,
            maxQueuedBytes: emulator.maxQueuedBytes,
            connections: emulator.connections,
          },
        }
      : {}),
    ...(proxy
      ? {
          proxy: {
            cpuFraction: proxy.wallMs > 0 ? proxy.cpuUs / 1000 / proxy.wallMs : 0,
            serverTcpAccepted: proxy.serverTcpAccepted,
          },
        }
      : {}),
  };
}

export function pathWarnings(params: JobParams, figures: CompletedRun['path'], metrics: RunMetrics): RunWarning[] {
  const warnings: RunWarning[] = [];
  const emulator = figures?.emulator;
  if (emulator && params.network.rttMs > 0) {
    const limit = delayToleranceMs(params.network.rttMs / 2);
    // Without jitter the applied delay must equal the profile's one way: its mean error says it all.
    // With jitter, in-order delivery legitimately adds waits behind slower-drawn chunks (path-model.ts),
    // so only the emulator's own timing error counts against it.
    const applied = [emulator.appliedOneWayUpMs, emulator.appliedOneWayDownMs].filter((v) => v !== null);
    const offMs =
      params.network.jitterMs === 0 && applied.length > 0
        ? Math.max(...applied.map((v) => Math.abs(v - emulator.configuredOneWayMs)))
        : emulator.latenessP50Us / 1000;
    if (offMs > limit) warnings.push(warn.networkInaccurate(offMs, limit, emulator.latenessP99Us / 1000));
  }
  const links = [
    ['down', params.network.downKbps, metrics.bytes_down_per_client_per_s?.value],
    ['up', params.network.upKbps, metrics.bytes_up_per_client_per_s?.value],
  ] as const;
  for (const [direction, kbps, bytesPerS] of links) {
    if (kbps === null || bytesPerS === undefined) continue;
    const used = (bytesPerS * 8) / 1000 / kbps;
    if (used > LINK_SATURATION_FRACTION) warnings.push(warn.linkSaturated(direction, used, LINK_SATURATION_FRACTION));
  }
  return warnings;
}
