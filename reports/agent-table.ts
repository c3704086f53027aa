/**
 * "Load agents" (`npm run agent`; CompletedRun.agents, latencyUncertaintyUs): per run whose clients
 * ran on other hosts, each agent's clock offset to the publisher's host with its uncertainty, and the
 * run's latency figures with the bound they carry: a latency is a receive stamp on the agent's clock
 * shifted by that offset, so it is off by at most the largest uncertainty of the run's agents.
 */
import { runTable, usAsMs, type ScaleTable } from './scale-table.ts';
import type { JobSummary } from './aggregate.ts';

const CAPTION =
  "Runs whose clients ran on load agents (other hosts, other clocks). Each agent's clock offset is the publisher's clock minus the agent's, measured NTP-style over the given exchanges; the true offset lies within ± the uncertainty (half the best exchange's round trip, measured before and after the run, widened by how far the two offsets drifted apart). The run's latencies are receive stamps shifted by that offset, so each is within ± the largest uncertainty of the run's agents.";

/** "± 35 µs" (one decimal below 10 µs, as the console's row reads). */
const bound = (us: number) => `± ${us < 10 ? us.toFixed(1) : us.toFixed(0)} µs`;

/**
 * A bigint ns offset, signed (which clock is ahead): µs below a millisecond, as offsets between
 * hosts on one network are ("+2.3 µs", "-250 µs"), ms above ("+1.23 ms").
 */
function signedOffset(offsetNs: string): string {
  const us = Number(BigInt(offsetNs)) / 1000;
  const size = Math.abs(us) >= 1000 ? usAsMs(us) : `${Math.abs(us) < 10 ? us.toFixed(1) : us.toFixed(0)} µs`;
  return `${us > 0 ? '+' : ''}${size}`;
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
              `${a.name} (${a.hostname}): ${signedOffset(a.clockOffsetNs)} ${bound(a.clockUncertaintyUs)}, ${a.clockExchanges}`,
          )
          .join('; '),
      ];
    },
  );
}
