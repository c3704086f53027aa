/**
 * "Load agents" (`npm run agent`; CompletedRun.agents, latencyUncertaintyUs): per run whose clients
 * ran on other hosts, each agent's clock offset to the publisher's host with its uncertainty, and the
 * run's latency figures with the bound they carry: a latency is a receive stamp on the agent's clock
 * shifted by that offset, so it is off by at most the largest uncertainty of the run's agents.
 */
import { runTable, usAsMs, type ScaleTable } from './scale-table.ts';
import type { JobSummary } from './aggregate.ts';

const CAPTION =
  "Runs whose clients ran on load agents (other hosts, other clocks). Each agent's clock offset is the publisher's clock minus the agent's, measured NTP-style over the given exchanges; the true offset lies within ± the uncertainty (half the best exchange's round trip). The run's latencies are receive stamps shifted by that offset, so each is within ± the largest uncertainty of the run's agents.";

/** "± 35 µs" (one decimal below 10 µs, as the console's row reads). */
const bound = (us: number) => `± ${us < 10 ? us.toFixed(1) : us.toFixed(0)} µs`;

/** A bigint ns offset as signed ms ("+1.23 ms"), the sign saying which clock is ahead. */
function signedMs(offsetNs: string): string {
  const us = Number(BigInt(offsetNs)) / 1000;
  return `${us > 0 ? '+' : ''}${usAsMs(us)}`;
}

export function agentTable(jobs: readonly JobSummary[]): ScaleTable | null {
  return runTable(
    jobs,
    {
      title: 'Load agents',
      caption: CAPTION,
      heads: ['latency p50', 'latency p99', 'agents (host): clock offset ± uncertainty, exchanges'],
    },
    (run) => {
      if (!run.agents?.length) return null;
      const within = bound(run.latencyUncertaintyUs ?? Math.max(...run.agents.map((a) => a.clockUncertaintyUs)));
      const latency = (key: 'latency_p50_us' | 'latency_p99_us') => {
        const v = run.metrics[key]?.value;
        return v === undefined ? '–' : `${usAsMs(v)} ${within}`;
      };
      return [
        latency('latency_p50_us'),
        latency('latency_p99_us'),
        run.agents
          .map(
            (a) =>
              `${a.name} (${a.hostname}): ${signedMs(a.clockOffsetNs)} ${bound(a.clockUncertaintyUs)}, ${a.clockExchanges}`,
          )
          .join('; '),
      ];
    },
  );
}
