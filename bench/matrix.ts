/**
 * Scenario -> jobs, as a pure function. Each transport gets the cartesian product of the axes that
 * matter to it, as its traits say (servers/contract/transport-traits.ts: the poll interval only to short
 * polling, so ws is not run twice for two intervals).
 * Job ids are stable strings built from the parameters, so two result files can be joined by id.
 */
import { scenarioSchema, type Scenario } from './scenarios/schema.ts';
import { meanRate, type ScheduleShape } from '../servers/contract/schedule.ts';
import type { JobParams } from './result-schema.ts';
import { TRANSPORT_TRAITS } from '../servers/contract/transport-traits.ts';
import { formatZodIssues } from '../servers/contract/zod-issues.ts';
import { DIRECT_PATH, networkLabel, pathLabel, type PathParams } from './network-path.ts';

export interface PlannedJob {
  id: string;
  parameterSet: string;
  params: JobParams;
}

export class ScenarioError extends Error {}

export function shapeLabel(shape: ScheduleShape): string {
  return shape.kind === 'steady' ? `rate=${shape.ratePerSec}/s` : `burst=${shape.size}x/${shape.everyMs}ms`;
}

/** Validates a scenario; throws ScenarioError with every problem listed. */
export function validateScenario(input: unknown): Scenario {
  const parsed = scenarioSchema.safeParse(input);
  if (!parsed.success) {
    throw new ScenarioError(formatZodIssues(parsed.error.issues));
  }
  const s = parsed.data;
  const duplicated = (values: readonly unknown[]) =>
    new Set(values.map((v) => JSON.stringify(v))).size !== values.length;
  for (const [axis, values] of Object.entries(s.matrix)) {
    if (values !== undefined && duplicated(values)) throw new ScenarioError(`matrix.${axis}: values must not repeat`);
  }
  if (duplicated(s.transports)) throw new ScenarioError('transports: values must not repeat');
  if (s.matrix.networks && duplicated(s.matrix.networks.map(networkLabel)))
    throw new ScenarioError('matrix.networks: profiles must not repeat');
  for (const [i, cell] of (s.matrix.exclude ?? []).entries()) {
    if (
      cell.shape === undefined &&
      cell.clients === undefined &&
      cell.payloadBytes === undefined &&
      cell.network === undefined
    )
      throw new ScenarioError(`matrix.exclude.${i}: names no value, so it would exclude every cell`);
    if (cell.shape !== undefined && !s.matrix.shapes.some((shape) => sameShape(shape, cell.shape!)))
      throw new ScenarioError(`matrix.exclude.${i}.shape: ${shapeLabel(cell.shape)} is not in matrix.shapes`);
    if (cell.clients !== undefined && !s.matrix.clients.includes(cell.clients))
      throw new ScenarioError(`matrix.exclude.${i}.clients: ${cell.clients} is not in matrix.clients`);
    if (cell.payloadBytes !== undefined && !s.matrix.payloadBytes.includes(cell.payloadBytes))
      throw new ScenarioError(`matrix.exclude.${i}.payloadBytes: ${cell.payloadBytes} is not in matrix.payloadBytes`);
    if (
      cell.network !== undefined &&
      !(s.matrix.networks ?? [DIRECT_PATH.network]).some((n) => n.name === cell.network)
    )
      throw new ScenarioError(`matrix.exclude.${i}.network: ${cell.network} is not in matrix.networks`);
  }
  if (
    scenarioPaths(s).every((path) =>
      s.matrix.shapes.every((shape) =>
        s.matrix.clients.every((clients) =>
          s.matrix.payloadBytes.every((payloadBytes) => isExcluded(s, shape, clients, payloadBytes, path.network.name)),
        ),
      ),
    )
  ) {
    throw new ScenarioError('matrix.exclude: excludes every cell');
  }
  if (s.transports.some((t) => TRANSPORT_TRAITS[t].longPollWait) && s.longPollWaitMs < 100)
    throw new ScenarioError('longPollWaitMs: under 100 ms a long poll is a short poll');
  return s;
}

const sameShape = (a: ScheduleShape, b: ScheduleShape) => shapeLabel(a) === shapeLabel(b);

/** Whether the cell (shape, clients, payload, network) is left out by one of the scenario's matrix.exclude entries. */
export function isExcluded(
  s: Scenario,
  shape: ScheduleShape,
  clients: number,
  payloadBytes: number,
  network: string,
): boolean {
  return (s.matrix.exclude ?? []).some(
    (cell) =>
      (cell.shape === undefined || sameShape(cell.shape, shape)) &&
      (cell.clients === undefined || cell.clients === clients) &&
      (cell.payloadBytes === undefined || cell.payloadBytes === payloadBytes) &&
      (cell.network === undefined || cell.network === network),
  );
}

/** Every path of the scenario: network profiles x TLS x proxy, the direct loopback path first when present. */
export function scenarioPaths(s: Scenario): PathParams[] {
  const paths: PathParams[] = [];
  for (const network of s.matrix.networks ?? [DIRECT_PATH.network])
    for (const tls of s.matrix.tls ?? [DIRECT_PATH.tls])
      for (const proxy of s.matrix.proxies ?? [DIRECT_PATH.proxy]) paths.push({ network, tls, proxy });
  return paths;
}

export function expandScenario(input: Scenario): PlannedJob[] {
  const s = validateScenario(input);
  const jobs: PlannedJob[] = [];
  for (const path of scenarioPaths(s))
    for (const shape of s.matrix.shapes) {
      for (const clients of s.matrix.clients) {
        for (const payloadBytes of s.matrix.payloadBytes) {
          if (isExcluded(s, shape, clients, payloadBytes, path.network.name)) continue;
          const parameterSet = `${shapeLabel(shape)} clients=${clients} payload=${payloadBytes}B${pathLabel(path)}`;
          for (const transport of s.transports) {
            const traits = TRANSPORT_TRAITS[transport];
            const intervals = traits.pollIntervalAxis ? s.matrix.pollIntervalMs : [null];
            for (const pollIntervalMs of intervals) {
              const framework = traits.httpStack === 'ws' ? 'node' : s.framework;
              const params: JobParams = {
                transport,
                framework,
                clients,
                shape,
                payloadBytes,
                pollIntervalMs,
                longPollWaitMs: traits.longPollWait ? s.longPollWaitMs : null,
                perMessageDeflate: traits.httpStack === 'ws' ? s.perMessageDeflate : false,
                ...path,
              };
              jobs.push({ id: jobId(params), parameterSet, params });
            }
          }
        }
      }
    }
  return jobs;
}

export function jobId(p: JobParams): string {
  const parts = [p.transport, shapeLabel(p.shape), `clients=${p.clients}`, `payload=${p.payloadBytes}B`];
  if (p.pollIntervalMs !== null) parts.push(`interval=${p.pollIntervalMs}ms`);
  if (p.longPollWaitMs !== null) parts.push(`wait=${p.longPollWaitMs}ms`);
  parts.push(
    TRANSPORT_TRAITS[p.transport].httpStack === 'ws' ? (p.perMessageDeflate ? 'ws+deflate' : 'ws') : p.framework,
  );
  return parts.join(' ') + pathLabel(p);
}

/**
 * The order runs happen in: repetition by repetition, every job once per repetition, and the job
 * order rotated each repetition, so drift (thermal, other tenants) hits every transport alike.
 */
export function interleave<T>(jobs: readonly T[], repetitions: number): { job: T; repetition: number }[] {
  const order: { job: T; repetition: number }[] = [];
  for (let r = 0; r < repetitions; r++) {
    for (let i = 0; i < jobs.length; i++) {
      order.push({ job: jobs[(i + r) % jobs.length]!, repetition: r + 1 });
    }
  }
  return order;
}

/**
 * The --quick profile: the same transports and payloads, the smallest audience, the highest rate,
 * short windows and one repetition. A preview in under a minute, not a measurement to publish.
 */
export function quickProfile(s: Scenario): Scenario {
  const byRate = [...s.matrix.shapes].sort((a, b) => meanRate(b) - meanRate(a));
  const { exclude: _excludedCells, ...matrix } = s.matrix;
  return {
    ...s,
    // One cell, chosen above: the scenario's exclusions are about its full product.
    matrix: { ...matrix, shapes: [byRate[0]!], clients: [Math.min(...s.matrix.clients)] },
    // 1 s windows (windows round up to whole poll intervals: 1.5 s would run 2 s): 1,000 deliveries per
    // run at the default's highest rate and smallest audience, enough for a preview's p99; the preview
    // runs every transport on two paths within 45 s (2 s windows took 42 s of this machine's 45).
    timing: { warmupMs: 500, measureMs: 1000, drainMs: 200, prewarmRequests: 1000 },
    repetitions: 1,
  };
}
