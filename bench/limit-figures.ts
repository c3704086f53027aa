/**
 * What a run's server limits did (servers/contract/server-limits.ts), from the server's counters over
 * its whole life (a connection refused while clients connect, before the window, still shaped the
 * run) and the clients' catch-up pages in the window: totals when any limit was reached, and a
 * warning for each one reached. An ordinary run reaches none and gets nothing, so its totals stay as
 * they were.
 */
import type { CounterSnapshot } from '../servers/contract/server-ipc.ts';
import type { RunWarning } from './result-schema.ts';
import { warn } from './warnings.ts';

export function limitFigures(
  server: CounterSnapshot,
  clientCatchUpPages: number,
): { totals: Record<string, number>; warnings: RunWarning[] } {
  const refused = server.connectionsRefused ?? 0;
  const capped = server.catchUpCapped ?? 0;
  return {
    totals: {
      ...(refused > 0 && { serverConnectionsRefused: refused }),
      ...(capped > 0 && { serverCatchUpCapped: capped }),
      ...(clientCatchUpPages > 0 && { clientCatchUpPages }),
    },
    warnings: [
      ...(refused > 0 ? [warn.connectionsRefused(refused)] : []),
      ...(capped > 0 ? [warn.catchUpCapped(capped)] : []),
    ],
  };
}
