/**
 * What a run with load agents records (CompletedRun.agents and latencyUncertaintyUs): each agent's
 * clock offset with its uncertainty, and the bound every latency figure of the run carries. A latency
 * is a receive stamp shifted by the agent's offset minus the publisher's emit stamp, so it is off by
 * at most that agent's uncertainty; over several agents, by the largest of theirs. The offset is
 * measured before the run and applied throughout, and measured again after it: the clocks drifted
 * apart by the difference meanwhile, so the uncertainty is the larger of the two measurements' plus
 * that drift (a drift that is steady over the run's minutes stays within it at every instant).
 */
import type { CompletedRun } from '../result-schema.ts';
import type { AgentClock, LoadReport } from '../load/ipc.ts';
import { RemoteLoad } from './remote-load.ts';

type AgentFigures = Pick<CompletedRun, 'agents' | 'latencyUncertaintyUs'>;

const driftUs = (before: AgentClock, after: AgentClock) =>
  Math.abs(Number(BigInt(after.offsetNs) - BigInt(before.offsetNs))) / 1000;

function uncertaintyUs(before: AgentClock, after: AgentClock | undefined): number {
  if (!after) return before.uncertaintyNs / 1000;
  return Math.max(before.uncertaintyNs, after.uncertaintyNs) / 1000 + driftUs(before, after);
}

/** Nothing for local load processes (one clock: no uncertainty to add). */
export function agentFigures(members: readonly { load: object; report: LoadReport }[]): AgentFigures {
  const agents = members.flatMap(({ load, report }) =>
    load instanceof RemoteLoad && report.clock
      ? [
          {
            name: load.agent.name,
            hostname: load.agent.hostname,
            clockOffsetNs: report.clock.offsetNs,
            clockUncertaintyUs: uncertaintyUs(report.clock, report.clockAfter),
            clockExchanges: report.clock.exchanges,
            ...(report.clockAfter && {
              clockOffsetAfterNs: report.clockAfter.offsetNs,
              clockDriftUs: driftUs(report.clock, report.clockAfter),
            }),
          },
        ]
      : [],
  );
  if (agents.length === 0) return {};
  return { agents, latencyUncertaintyUs: Math.max(...agents.map((a) => a.clockUncertaintyUs)) };
}
