/**
 * Drives the capacity searches through the ordinary plan: the scenario at the start audience is the
 * plan's first batch (one job per transport and deployment, interleaved like any plan); when a batch
 * is done, each search's next audience (bench/capacity/search.ts) becomes a job of the same cell, so
 * every step is a real run in a fresh server and load process, kept in the result. Before each save
 * the result gets its capacity section: every step judged, the limit named, the settings stated.
 */
import { expandScenario, jobId, type PlannedJob } from '../matrix.ts';
import type { PlanExtension } from '../orchestrator.ts';
import type { CompletedRun, Job, Result } from '../result-schema.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { meanRate } from '../../servers/contract/schedule.ts';
import { nameLimit, type LimitContext } from './limit.ts';
import { serverCoresOf } from '../job-pinning.ts';
import { readListenCounters } from './machine.ts';
import type { CapacitySearch, CapacitySection } from './schema.ts';
import { searchState, type SearchSettings } from './search.ts';
import { judgeStep, type ListenDeltas } from './step.ts';

export interface CapacityRequest {
  p99Ms: number;
  /** undefined: the scenario's smallest audience. */
  start: number | undefined;
  max: number;
  factor: number;
  resolution: number;
  maxSteps: number;
}

/** A job's id without its audience: what the steps of one search share. */
const searchKey = (j: PlannedJob) => jobId({ ...j.params, clients: 1 }).replace(' clients=1 ', ' ');

/** The scenario with one audience (cells excluded by audience make no sense while the audience is searched). */
const atAudience = (s: Scenario, clients: number): Scenario => ({
  ...s,
  matrix: { ...s.matrix, clients: [clients], exclude: undefined },
});

export interface CapacityPlan {
  /** The plan's first batch: the scenario at the start audience. */
  scenario: Scenario;
  extension: PlanExtension;
  settings: SearchSettings;
}

export function capacityPlan(
  base: Scenario,
  request: CapacityRequest,
  machine: CapacitySection['machine'],
  /** The most clients the hard descriptor limit allows per process (null: unknown). */
  descriptorMax: number | null,
): CapacityPlan {
  const max = Math.max(1, Math.min(request.max, descriptorMax ?? request.max));
  const start = Math.min(request.start ?? Math.min(...base.matrix.clients), max);
  const settings: SearchSettings = {
    start,
    max,
    factor: request.factor,
    resolution: request.resolution,
    maxSteps: request.maxSteps,
  };
  const scenario = atAudience(base, start);
  const searches = expandScenario(scenario).map((j) => ({ key: searchKey(j), first: j, jobIds: [j.id] }));

  // Listen-queue counters around each run, summed over a step's repetitions.
  const before = new Map<string, ListenDeltas>();
  const listen = new Map<string, ListenDeltas>();
  const runKey = (id: string, rep: number) => `${rep} ${id}`;

  const judged = (result: Result, jobIds: string[]) => {
    const byId = new Map<string, Job>(result.jobs.map((j) => [j.id, j]));
    return jobIds
      .map((id) => byId.get(id))
      .filter((j): j is Job => j !== undefined)
      .map((job) => judgeStep(job, request.p99Ms, listen.get(job.id)));
  };
  const stateOf = (steps: ReturnType<typeof judged>) =>
    searchState(
      settings,
      steps.filter((s) => s.step.pass !== null).map((s) => ({ clients: s.step.clients, pass: s.step.pass! })),
    );

  const section = (result: Result): CapacitySection => ({
    serviceLevel: { p99Ms: request.p99Ms, maxLossFraction: 0, maxClientErrors: 0 },
    settings: { ...settings, requestedMax: request.max },
    machine,
    searches: searches.map(({ key, first, jobIds }): CapacitySearch => {
      const steps = judged(result, jobIds);
      const unfinished = steps.some((s) => s.step.pass === null);
      const state = stateOf(steps);
      const { params } = first;
      // The step's own run says which cores the server had and which source addresses its clients used.
      const ctx = (run: CompletedRun | null): LimitContext => ({
        machine,
        serverProcesses: params.serverProcesses,
        serverCores: serverCoresOf(run?.pinning.server ?? null, machine.cores),
        broker: params.broker,
        upstream: params.upstream !== null,
        sourceAddresses: run?.load?.sourceAddresses?.length ?? 0,
      });
      const stepAt = (clients: number | null) => steps.find((s) => s.step.clients === clients);
      const failing = stepAt(state.firstFail);
      const passing = stepAt(state.largestPass);
      let limit = failing ? nameLimit(failing.step, failing.run, ctx(failing.run), 'failed') : null;
      if (!limit && state.ended === 'cap-reached' && max < request.max)
        limit = {
          resource: 'descriptors',
          clients: max,
          detail: `the level still held at ${max} clients, the most the hard open-files limit of ${machine.descriptorHardLimit} allows per process (the plan's descriptor check); raise it to search further`,
        };
      return {
        key,
        transport: params.transport,
        broker: params.broker,
        serverProcesses: params.serverProcesses,
        ratePerSec: meanRate(params.shape),
        steps: steps.map((s) => s.step),
        largestPass: state.largestPass,
        firstFail: state.firstFail,
        ended: unfinished ? null : state.ended,
        limit,
        nearLimit: passing ? nameLimit(passing.step, passing.run, ctx(passing.run), 'near') : null,
      };
    }),
  });

  const extension: PlanExtension = {
    runStarted(id, rep) {
      const now = readListenCounters();
      if (now) before.set(runKey(id, rep), now);
    },
    runEnded(id, rep) {
      const start = before.get(runKey(id, rep));
      const end = readListenCounters();
      if (!start || !end) return;
      const sum = listen.get(id) ?? { listenOverflows: 0, listenDrops: 0 };
      listen.set(id, {
        listenOverflows: sum.listenOverflows + end.listenOverflows - start.listenOverflows,
        listenDrops: sum.listenDrops + end.listenDrops - start.listenDrops,
      });
    },
    more(result) {
      const added: PlannedJob[] = [];
      for (const search of searches) {
        const steps = judged(result, search.jobIds);
        // An interrupted step has no verdict: the search goes no further.
        if (steps.some((s) => s.step.pass === null)) continue;
        const { next } = stateOf(steps);
        if (next === null) continue;
        const job = expandScenario(atAudience(scenario, next)).find((j) => searchKey(j) === search.key);
        if (!job) continue;
        search.jobIds.push(job.id);
        added.push(job);
      }
      return added;
    },
    annotate(result) {
      result.capacity = section(result);
    },
  };
  return { scenario, extension, settings };
}
