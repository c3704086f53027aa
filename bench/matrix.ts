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
import { DEFAULT_COOKIE_BYTES, DEFAULT_WIRE, wireLabel, type WireParams } from './wire-params.ts';
import { DEFAULT_DEPLOYMENT, deploymentLabel } from './deployment-params.ts';
import { DEFAULT_WORKLOAD, STEADY, workloadLabel, type Workload } from './workload-params.ts';
import { NO_KEEP_ALIVE, type KeepAlive } from '../servers/contract/server-limits.ts';
import { restartWindowProblem, scenarioRestartWindowMs } from './restart-window.ts';
import type { TransportTraits } from '../servers/contract/transport-traits.ts';

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
  const restartProblem = restartWindowProblem(s);
  if (restartProblem) throw new ScenarioError(restartProblem);
  const productAxes = (
    ['http', 'headers', 'responseHeaders', 'encodings', 'payloadContents', 'compression', 'upstream'] as const
  ).filter((axis) => s.matrix[axis] !== undefined);
  if (s.matrix.wires && productAxes.length > 0)
    throw new ScenarioError(
      `matrix.wires: an explicit wire list replaces ${productAxes.join(', ')}; give one or the other`,
    );
  if (s.matrix.networks && duplicated(s.matrix.networks.map(networkLabel)))
    throw new ScenarioError('matrix.networks: profiles must not repeat');
  for (const [i, cell] of (s.matrix.exclude ?? []).entries()) {
    if (
      cell.shape === undefined &&
      cell.clients === undefined &&
      cell.payloadBytes === undefined &&
      cell.network === undefined &&
      cell.http === undefined &&
      cell.headers === undefined &&
      cell.workload === undefined
    )
      throw new ScenarioError(`matrix.exclude.${i}: names no value, so it would exclude every cell`);
    if (cell.shape !== undefined && !s.matrix.shapes.some((shape) => sameShape(shape, cell.shape!)))
      throw new ScenarioError(`matrix.exclude.${i}.shape: ${shapeLabel(cell.shape)} is not in matrix.shapes`);
    if (cell.clients !== undefined && !s.matrix.clients.includes(cell.clients))
      throw new ScenarioError(`matrix.exclude.${i}.clients: ${cell.clients} is not in matrix.clients`);
    if (cell.payloadBytes !== undefined && !s.matrix.payloadBytes.includes(cell.payloadBytes))
      throw new ScenarioError(`matrix.exclude.${i}.payloadBytes: ${cell.payloadBytes} is not in matrix.payloadBytes`);
    const wires = scenarioWires(s);
    if (cell.http !== undefined && !wires.some((w) => w.http === cell.http))
      throw new ScenarioError(`matrix.exclude.${i}.http: ${cell.http} is not among the scenario's wires`);
    if (cell.headers !== undefined && !wires.some((w) => w.requestHeaders === cell.headers))
      throw new ScenarioError(`matrix.exclude.${i}.headers: ${cell.headers} is not among the scenario's wires`);
    if (cell.workload !== undefined && !(s.matrix.workloads ?? [STEADY]).some((w) => w.kind === cell.workload))
      throw new ScenarioError(`matrix.exclude.${i}.workload: ${cell.workload} is not in matrix.workloads`);
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
          s.matrix.payloadBytes.every(
            (payloadBytes) =>
              isExcluded(s, shape, clients, payloadBytes, path.network.name) ||
              // An entry naming a wire or a workload excludes only its cells: every one of them excluded is the cell.
              scenarioWires(s).every((wire) =>
                (s.matrix.workloads ?? [STEADY]).every((workload) =>
                  isExcluded(s, shape, clients, payloadBytes, path.network.name, wire, workload),
                ),
              ),
          ),
        ),
      ),
    )
  ) {
    throw new ScenarioError('matrix.exclude: excludes every cell');
  }
  // The HTTP clients send messages as HTTP/1.1 POSTs with undici's own headers (bench/clients/
  // http-messages.ts): under HTTP/2 or a browser's headers that would be measured under a wrong label.
  const httpClients = s.transports.some((t) => TRANSPORT_TRAITS[t].httpStack === 'framework');
  const unmeasurable = scenarioWires(s).find((w) => w.upstream && (w.http === '2' || w.requestHeaders !== 'minimal'));
  if (httpClients && unmeasurable)
    throw new ScenarioError(
      `upstream: messages from HTTP clients are measured over HTTP/1.1 with minimal headers only, not with http ${unmeasurable.http} and ${unmeasurable.requestHeaders} headers`,
    );
  // Response header profiles are the server's; behind a proxy the clients read the proxy's headers.
  const ownResponse = scenarioWires(s).find((w) => w.responseHeaders !== 'default');
  if (ownResponse && (s.matrix.proxies ?? []).some((p) => p !== 'none'))
    throw new ScenarioError(
      `responseHeaders: the ${ownResponse.responseHeaders} response headers are the server's, but behind a proxy the clients read the proxy's own; measure them without --proxy`,
    );
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
  wire?: WireParams,
  workload?: Workload,
): boolean {
  return (s.matrix.exclude ?? []).some(
    (cell) =>
      (cell.shape === undefined || sameShape(cell.shape, shape)) &&
      (cell.clients === undefined || cell.clients === clients) &&
      (cell.payloadBytes === undefined || cell.payloadBytes === payloadBytes) &&
      (cell.network === undefined || cell.network === network) &&
      // An entry naming a wire axis excludes only that wire's cells (and never the cell as a whole).
      (cell.http === undefined || (wire !== undefined && cell.http === wire.http)) &&
      (cell.headers === undefined || (wire !== undefined && cell.headers === wire.requestHeaders)) &&
      // Likewise a workload's kind: that workload's cells only.
      (cell.workload === undefined || (workload !== undefined && cell.workload === workload.kind)),
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

/**
 * Every wire the scenario asks for: its explicit list when it has one, else the product of the wire
 * axes (each axis absent = its default alone).
 */
export function scenarioWires(s: Scenario): WireParams[] {
  const m = s.matrix;
  const cookie = s.cookieBytes ?? DEFAULT_COOKIE_BYTES;
  const complete = (w: Omit<WireParams, 'cookieBytes'>): WireParams => ({
    ...w,
    cookieBytes: w.requestHeaders === 'browser' ? cookie : 0,
    // The 2010 set is request and response headers together: its 871 bytes need both.
    responseHeaders: w.requestHeaders === '2010' ? '2010' : w.responseHeaders,
  });
  if (m.wires) return m.wires.map((variant) => complete({ ...DEFAULT_WIRE, ...variant }));
  const wires: WireParams[] = [];
  for (const http of m.http ?? [DEFAULT_WIRE.http])
    for (const requestHeaders of m.headers ?? [DEFAULT_WIRE.requestHeaders])
      for (const responseHeaders of m.responseHeaders ?? [DEFAULT_WIRE.responseHeaders])
        for (const encoding of m.encodings ?? [DEFAULT_WIRE.encoding])
          for (const payloadContent of m.payloadContents ?? [DEFAULT_WIRE.payloadContent])
            for (const compression of m.compression ?? [DEFAULT_WIRE.compression])
              for (const upstream of m.upstream ?? [DEFAULT_WIRE.upstream])
                wires.push(
                  complete({ http, requestHeaders, responseHeaders, encoding, payloadContent, compression, upstream }),
                );
  return wires;
}

/**
 * The wire a transport really runs for a requested one: HTTP/2 only where its traits allow it, the
 * response header profile only on a framework's HTTP server (ws writes its own 101 answer).
 */
function wireFor(traits: TransportTraits, w: WireParams): WireParams {
  return {
    ...w,
    http: traits.http2 ? w.http : '1.1',
    responseHeaders: traits.httpStack === 'framework' ? w.responseHeaders : 'default',
  };
}

/** Only the keep-alive the transport's server sends (its trait); the others are none. */
function keepAliveFor(traits: TransportTraits, k: KeepAlive): KeepAlive {
  return { ...NO_KEEP_ALIVE, ...(traits.keepAlive ? { [traits.keepAlive]: k[traits.keepAlive] } : {}) };
}

export function expandScenario(input: Scenario): PlannedJob[] {
  const s = validateScenario(input);
  const jobs: PlannedJob[] = [];
  const ids = new Set<string>();
  for (const path of scenarioPaths(s))
    for (const shape of s.matrix.shapes) {
      for (const clients of s.matrix.clients) {
        for (const payloadBytes of s.matrix.payloadBytes) {
          if (isExcluded(s, shape, clients, payloadBytes, path.network.name)) continue;
          for (const requested of scenarioWires(s))
            for (const workload of s.matrix.workloads ?? [STEADY])
              for (const deployment of s.matrix.deployments ?? [DEFAULT_DEPLOYMENT]) {
                if (isExcluded(s, shape, clients, payloadBytes, path.network.name, requested, workload)) continue;
                const load = { workload, keepAlive: s.keepAlive ?? DEFAULT_WORKLOAD.keepAlive };
                const parameterSet = `${shapeLabel(shape)} clients=${clients} payload=${payloadBytes}B${wireLabel(requested)}${workloadLabel(load)}${pathLabel(path)}${deploymentLabel(deployment)}`;
                for (const transport of s.transports) {
                  const traits = TRANSPORT_TRAITS[transport];
                  const wire = wireFor(traits, requested);
                  const intervals = traits.pollIntervalAxis ? s.matrix.pollIntervalMs : [null];
                  for (const pollIntervalMs of intervals) {
                    // express 5 has no HTTP/2: an HTTP/2 job runs the same handlers on node:http2.
                    const framework = traits.httpStack === 'ws' || wire.http === '2' ? 'node' : s.framework;
                    const params: JobParams = {
                      transport,
                      framework,
                      clients,
                      shape,
                      payloadBytes,
                      pollIntervalMs,
                      longPollWaitMs: traits.longPollWait ? s.longPollWaitMs : null,
                      perMessageDeflate: traits.httpStack === 'ws' && (s.perMessageDeflate ?? false),
                      ...wire,
                      workload,
                      keepAlive: keepAliveFor(traits, load.keepAlive),
                      ...path,
                      ...deployment,
                    };
                    const id = jobId(params);
                    // A transport an axis does not apply to runs once, in the first cell that asks for it.
                    if (ids.has(id)) continue;
                    ids.add(id);
                    jobs.push({ id, parameterSet, params });
                  }
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
  return parts.join(' ') + wireLabel(p) + workloadLabel(p) + pathLabel(p) + deploymentLabel(p);
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
  // One cell on the scenario's first wire: its other wires (and exclusions) are about its full product;
  // wire options given on the command line still apply (they come after this profile).
  const {
    exclude: _excludedCells,
    http: _http,
    headers: _headers,
    responseHeaders: _responseHeaders,
    encodings: _encodings,
    payloadContents: _payloadContents,
    compression: _compression,
    upstream: _upstream,
    wires,
    ...matrix
  } = s.matrix;
  return {
    ...s,
    // One cell, chosen above: the scenario's exclusions are about its full product.
    matrix: {
      ...matrix,
      ...(wires && { wires: [wires[0]!] }),
      shapes: [byRate[0]!],
      clients: [Math.min(...s.matrix.clients)],
    },
    // 1 s windows (windows round up to whole poll intervals: 1.5 s would run 2 s): 1,000 deliveries per
    // run at the default's highest rate and smallest audience, enough for a preview's p99; the preview
    // runs every transport on two paths within 45 s (2 s windows took 42 s of this machine's 45).
    // A restart job needs a longer one (bench/restart-window.ts): every job gets it, timing is the scenario's.
    timing: {
      warmupMs: 500,
      measureMs: Math.max(1000, scenarioRestartWindowMs(s)),
      drainMs: 200,
      prewarmRequests: 1000,
    },
    repetitions: 1,
  };
}
