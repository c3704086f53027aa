/**
 * What a run with load agents records (CompletedRun.agents and latencyUncertaintyUs): each agent's
 * clock offset with its uncertainty, and the bound every latency figure of the run carries. A latency
 * is a receive stamp shifted by the agent's offset minus the publisher's emit stamp, so it is off by
 * at most that agent's uncertainty; over several agents, by the largest of theirs.
 */
import type { CompletedRun } from '../result-schema.ts';
import type { LoadReport } from '../load/ipc.ts';
import { RemoteLoad } from './remote-load.ts';

type AgentFigures = Pick<CompletedRun, 'agents' | 'latencyUncertaintyUs'>;

/** Nothing for local load processes (one clock: no uncertainty to add). */
export function agentFigures(members: readonly { load: object; report: LoadReport }[]): AgentFigures {
  const agents = members.flatMap(({ load, report }) =>
    load instanceof RemoteLoad && report.clock
      ? [
          {
            name: load.agent.name,
            hostname: load.agent.hostname,
            clockOffsetNs: report.clock.offsetNs,
            clockUncertaintyUs: report.clock.uncertaintyNs / 1000,
            clockExchanges: report.clock.exchanges,
          },
        ]
      : [],
  );
  if (agents.length === 0) return {};
  return { agents, latencyUncertaintyUs: Math.max(...agents.map((a) => a.clockUncertaintyUs)) };
}
