/**
 * Command-line options -> a resolved scenario, as a pure function (tested without spawning
 * anything). Any bad option or value is a UsageError with one clear sentence.
 */
import { parseArgs } from 'node:util';
import { scenarios } from './scenarios/index.ts';
import { ScenarioError, quickProfile, validateScenario } from './matrix.ts';
import type { Scenario } from './scenarios/schema.ts';
import type { Inject } from '../servers/contract/server-config.ts';
import { TRANSPORT_NAMES } from '../servers/contract/protocol.ts';
import { NETWORK_PRESETS, NetworkOptionError, parseNetworkOptions } from './network/profiles.ts';
import { proxySchema, type Proxy } from './network-path.ts';
import { WIRE_OPTIONS, WIRE_USAGE, WireOptionError, applyWireOptions } from './wire-cli.ts';
import { parseAllowOrigins } from './origin-args.ts';
import { LIMIT_OPTIONS, LIMIT_USAGE, LimitOptionError, parseLimitOptions } from './limit-flags.ts';
import type { ServerLimits } from '../servers/contract/server-limits.ts';
import {
  WORKLOAD_OPTIONS,
  WORKLOAD_USAGE,
  WorkloadOptionError,
  applyWorkloadOptions,
  bareRestartMeansDefault,
} from './workload-cli.ts';
import {
  DEPLOYMENT_OPTIONS,
  DEPLOYMENT_USAGE,
  DeploymentOptionError,
  applyDeploymentOptions,
  loadProcessesOption,
} from './deployment-cli.ts';
import { IDLE_OPTIONS, IDLE_USAGE, IdleOptionError, applyIdleOptions } from './idle-cli.ts';
import { CAPACITY_OPTIONS, CAPACITY_USAGE, CapacityOptionError, parseCapacityOptions } from './capacity/cli.ts';
import type { CapacityRequest } from './capacity/driver.ts';
import { AGENT_OPTIONS, AGENT_USAGE, AgentOptionError, agentHostOptions, type AgentHostOptions } from './agent-cli.ts';

export class UsageError extends Error {}

export const USAGE = `Usage: npm run bench -- [options]

Runs the live-feed comparison: every transport in the scenario, every parameter set, repeated and
interleaved, each run in a fresh server process and a fresh load-generator process. Prints a table
per parameter set and writes the full result (JSON, validated) to results/.

Options:
  --scenario <name>      scenario to run: ${Object.keys(scenarios).join(', ')} (default: default)
  --quick                preview profile: smallest audience, highest rate, short windows, 1 run (< 1 min)
  --transports <list>    comma-separated subset of: ${TRANSPORT_NAMES.join(', ')}
  --clients <list>       simulated clients per run, e.g. 50,500
  --rate <list>          steady event rates in events/s, e.g. 1,20 (replaces the scenario's shapes)
  --payload <list>       event payload sizes in bytes, e.g. 256
  --interval <list>      short-poll intervals in ms, e.g. 1000,250
  --duration <seconds>   measurement window per run
  --warmup <seconds>     workload warm-up per run before the window (excluded from the figures)
  --runs <n>             repetitions of every job (interleaved across transports)
  --framework <name>     HTTP server for polling and SSE: express (default) or node (bare node:http)
  --network <list>       emulated networks between clients and server, e.g. loopback,4g; profiles:
                         ${Object.keys(NETWORK_PRESETS).join(', ')}
  --rtt <ms> --jitter <ms> --down <rate> --up <rate> --loss <percent>
                         a custom network (added to --network's list), e.g. --rtt 80 --down 20mbit
  --tls [on|off|both]    https and wss with a certificate made for the run (--tls alone: on)
  --proxy <list>         none or nginx (Debian's nginx in front of the server), or both: none,nginx
${WIRE_USAGE}
  --allow-origin <list>  browser origins the servers also serve (scheme://host[:port], or * for any);
                         default: each server's own origin only (recorded in the result)
${LIMIT_USAGE}
${WORKLOAD_USAGE}
${IDLE_USAGE}
${DEPLOYMENT_USAGE}
${CAPACITY_USAGE}
${AGENT_USAGE}
  --out <dir>            where result files go (default: results)
  --json                 print the result document to stdout instead of the table
  --inject-regression <spec>  test the CI gate: header=<bytes>,delay=<ms> adds padding to every HTTP
                         response and a delay before every push (recorded in the result; never
                         for real measurements)
  -h, --help             show this help

Exit codes: 0 all runs completed; 1 some run failed; 2 bad usage or too few file descriptors
for the plan (it needs about clients x 1.1 + 100 per process); 130 interrupted (Ctrl-C).
Finished runs are always on disk, even after Ctrl-C or a crash.`;

export interface CliOptions {
  scenario: Scenario;
  profile: 'default' | 'quick';
  outDir: string;
  json: boolean;
  inject?: Inject;
  /** --allow-origin: origins every feed server serves besides its own (absent: its own only). */
  allowOrigins?: string[];
  /** Server limits the options set (the rest stay at DEFAULT_SERVER_LIMITS). */
  limits?: Partial<ServerLimits>;
  /** --load-processes: load processes per job; absent: chosen from the clients and the cores. */
  loadProcesses?: number;
  /** --capacity (or --scenario capacity): the search to run (bench/capacity/). */
  capacity?: CapacityRequest;
  /** --agents, --netns-agents: the load runs on load agents (bench/agent/hosts.ts). */
  agentHosts?: AgentHostOptions;
}

/** The inverse of parseInject: the option value that asks for `inject`. */
export function formatInject(inject: Inject): string {
  const parts = [
    ...(inject.extraResponseHeaderBytes > 0 ? [`header=${inject.extraResponseHeaderBytes}`] : []),
    ...(inject.pushDelayMs > 0 || inject.extraResponseHeaderBytes === 0 ? [`delay=${inject.pushDelayMs}`] : []),
  ];
  return parts.join(',');
}

/** "header=200,delay=5" -> an injected regression; either part may be left out. */
export function parseInject(spec: string): Inject {
  const inject: Inject = { extraResponseHeaderBytes: 0, pushDelayMs: 0 };
  for (const part of spec.split(',').map((p) => p.trim())) {
    const m = /^(header|delay)=([0-9]+(?:\.[0-9]+)?)$/.exec(part);
    if (!m) throw new UsageError(`--inject-regression: "${part}" is not header=<bytes> or delay=<ms>`);
    const value = Number(m[2]);
    if (m[1] === 'header') {
      if (!Number.isInteger(value) || value < 24 || value > 60_000)
        throw new UsageError('--inject-regression: header=<bytes> must be a whole number from 24 to 60000');
      inject.extraResponseHeaderBytes = value;
    } else {
      if (value > 10_000) throw new UsageError('--inject-regression: delay=<ms> must be at most 10000');
      inject.pushDelayMs = value;
    }
  }
  return inject;
}

function list(name: string, raw: string | undefined, parse: (s: string) => number): number[] | undefined {
  if (raw === undefined) return undefined;
  const parts = raw.split(',').map((s) => s.trim());
  if (parts.some((p) => p === ''))
    throw new UsageError(`--${name} needs a comma-separated list of numbers, got "${raw}"`);
  return parts.map((p) => {
    const n = parse(p);
    if (!Number.isFinite(n)) throw new UsageError(`--${name}: "${p}" is not a number`);
    return n;
  });
}

const number = (s: string) => (/^[0-9]*\.?[0-9]+$/.test(s) ? Number(s) : Number.NaN);
const integer = (s: string) => (/^[0-9]+$/.test(s) ? Number(s) : Number.NaN);

const TLS_CHOICES: Readonly<Record<string, boolean[]>> = { on: [true], off: [false], both: [false, true] };

/** `--tls` is a flag that may take a value: given alone (last, or before another option) it means on. */
function bareTlsMeansOn(argv: string[]): string[] {
  return argv.map((arg, i) =>
    arg === '--tls' && (i + 1 >= argv.length || argv[i + 1]!.startsWith('-')) ? '--tls=on' : arg,
  );
}

/** Returns null when help was asked for. */
export function parseCli(argv: string[]): CliOptions | null {
  let values;
  try {
    ({ values } = parseArgs({
      args: bareRestartMeansDefault(bareTlsMeansOn(argv)),
      strict: true,
      allowPositionals: false,
      options: {
        scenario: { type: 'string' },
        quick: { type: 'boolean' },
        transports: { type: 'string' },
        clients: { type: 'string' },
        rate: { type: 'string' },
        payload: { type: 'string' },
        interval: { type: 'string' },
        duration: { type: 'string' },
        warmup: { type: 'string' },
        runs: { type: 'string' },
        framework: { type: 'string' },
        network: { type: 'string' },
        rtt: { type: 'string' },
        jitter: { type: 'string' },
        down: { type: 'string' },
        up: { type: 'string' },
        loss: { type: 'string' },
        tls: { type: 'string' },
        proxy: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean' },
        'inject-regression': { type: 'string' },
        'allow-origin': { type: 'string' },
        ...WIRE_OPTIONS,
        ...LIMIT_OPTIONS,
        ...WORKLOAD_OPTIONS,
        ...IDLE_OPTIONS,
        ...DEPLOYMENT_OPTIONS,
        ...CAPACITY_OPTIONS,
        ...AGENT_OPTIONS,
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    // node's messages are clear but long; keep the first sentence.
    throw new UsageError((err as Error).message.split(/\.\s/)[0]!.replace(/\.$/, ''));
  }
  if (values.help) return null;

  // --capacity alone searches the capacity scenario's cells.
  const name = values.scenario ?? (values.capacity ? 'capacity' : 'default');
  const base = scenarios[name];
  if (!base) throw new UsageError(`unknown scenario "${name}"; choose one of: ${Object.keys(scenarios).join(', ')}`);
  let s: Scenario = structuredClone(base);
  if (values.quick) s = quickProfile(s);

  if (values.transports !== undefined) {
    const names = values.transports.split(',').map((t) => t.trim());
    const known: readonly string[] = TRANSPORT_NAMES;
    const bad = names.find((t) => !known.includes(t));
    if (bad !== undefined)
      throw new UsageError(`--transports: unknown transport "${bad}"; choose from ${known.join(', ')}`);
    s.transports = names as Scenario['transports'];
  }
  const clients = list('clients', values.clients, integer);
  if (clients) s.matrix.clients = clients;
  const rates = list('rate', values.rate, number);
  if (rates) s.matrix.shapes = rates.map((ratePerSec) => ({ kind: 'steady', ratePerSec }));
  const payloads = list('payload', values.payload, integer);
  if (payloads) s.matrix.payloadBytes = payloads;
  // Chosen axes are a matrix of their own: the scenario's excluded cells were about its axes.
  if (clients || rates || payloads) {
    // Wires the scenario ran in some cells only (named by an exclusion) go with those exclusions.
    const cellWires = (s.matrix.exclude ?? []).some((cell) => cell.http !== undefined || cell.headers !== undefined);
    if (cellWires) {
      delete s.matrix.http;
      delete s.matrix.headers;
    }
    delete s.matrix.exclude;
  }
  const intervals = list('interval', values.interval, integer);
  if (intervals) s.matrix.pollIntervalMs = intervals;
  const [duration] = list('duration', values.duration, number) ?? [];
  if (duration !== undefined) s.timing.measureMs = Math.round(duration * 1000);
  const [warmup] = list('warmup', values.warmup, number) ?? [];
  if (warmup !== undefined) s.timing.warmupMs = Math.round(warmup * 1000);
  const [runs] = list('runs', values.runs, integer) ?? [];
  if (runs !== undefined) s.repetitions = runs;
  if (values.framework !== undefined) {
    if (values.framework !== 'express' && values.framework !== 'node')
      throw new UsageError(`--framework must be express or node, got "${values.framework}"`);
    s.framework = values.framework;
  }

  try {
    const networks = parseNetworkOptions(values);
    if (networks) {
      s.matrix.networks = networks;
      // Cells excluded on the scenario's networks were about those networks.
      if (s.matrix.exclude) s.matrix.exclude = s.matrix.exclude.filter((cell) => cell.network === undefined);
      if (s.matrix.exclude?.length === 0) delete s.matrix.exclude;
    }
  } catch (err) {
    if (err instanceof NetworkOptionError) throw new UsageError(err.message);
    throw err;
  }
  if (values.tls !== undefined) {
    const tls = TLS_CHOICES[values.tls];
    if (!tls) throw new UsageError(`--tls must be on, off or both, got "${values.tls}"`);
    s.matrix.tls = tls;
  }
  if (values.proxy !== undefined) {
    const known: readonly string[] = proxySchema.options;
    const proxies = values.proxy.split(',').map((p) => p.trim());
    const bad = proxies.find((p) => !known.includes(p));
    if (bad !== undefined) throw new UsageError(`--proxy: unknown proxy "${bad}"; choose from ${known.join(', ')}`);
    s.matrix.proxies = proxies as Proxy[];
  }

  try {
    applyWireOptions(s, values);
  } catch (err) {
    if (err instanceof WireOptionError) throw new UsageError(err.message);
    throw err;
  }
  try {
    applyWorkloadOptions(s, values);
  } catch (err) {
    if (err instanceof WorkloadOptionError) throw new UsageError(err.message);
    throw err;
  }

  let loadProcesses: number | undefined;
  try {
    applyDeploymentOptions(s, values);
    loadProcesses = loadProcessesOption(values);
  } catch (err) {
    if (err instanceof DeploymentOptionError) throw new UsageError(err.message);
    throw err;
  }

  try {
    s = validateScenario(s);
    s = validateScenario(applyIdleOptions(s, values));
  } catch (err) {
    if (err instanceof ScenarioError) throw new UsageError(`invalid value: ${err.message.replace(/^matrix\./, '')}`);
    if (err instanceof IdleOptionError) throw new UsageError(err.message);
    throw err;
  }
  const inject = values['inject-regression'] !== undefined ? parseInject(values['inject-regression']) : undefined;
  const allowOrigins = values['allow-origin'] === undefined ? undefined : originsOption(values['allow-origin']);
  let limits: Partial<ServerLimits>;
  try {
    limits = parseLimitOptions(values);
  } catch (err) {
    if (err instanceof LimitOptionError) throw new UsageError(err.message);
    throw err;
  }
  let capacity: CapacityRequest | undefined;
  try {
    capacity = parseCapacityOptions(values, name);
  } catch (err) {
    if (err instanceof CapacityOptionError) throw new UsageError(err.message);
    throw err;
  }
  let agentHosts: AgentHostOptions | undefined;
  try {
    agentHosts = agentHostOptions(values, s);
  } catch (err) {
    if (err instanceof AgentOptionError) throw new UsageError(err.message);
    throw err;
  }
  return {
    scenario: s,
    profile: values.quick ? 'quick' : 'default',
    outDir: values.out ?? 'results',
    json: values.json ?? false,
    ...(inject ? { inject } : {}),
    ...(allowOrigins ? { allowOrigins } : {}),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
    ...(loadProcesses !== undefined ? { loadProcesses } : {}),
    ...(capacity ? { capacity } : {}),
    ...(agentHosts ? { agentHosts } : {}),
  };
}

function originsOption(value: string): string[] {
  try {
    return parseAllowOrigins(value);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
