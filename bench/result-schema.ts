/**
 * The result file: one versioned JSON document, validated with zod on write and on read. This is the
 * only thing reports/ depends on, so a report can be re-rendered from a saved file years later.
 * Raw numbers with explicit units; no formatted strings.
 */
import { z } from 'zod';
import { pathParamsShape } from './network-path.ts';
import { wireParamsShape } from './wire-params.ts';
import { workloadParamsShape } from './workload-params.ts';
import { deploymentParamsShape } from './deployment-params.ts';
import { serverGroupRecordSchema } from './server-group-record.ts';
import { runLoadSchema } from './load-run-schema.ts';
import { scenarioSchema } from './scenarios/schema.ts';
import { TRANSPORT_NAMES } from '../servers/contract/protocol.ts';
import { shapeSchema } from '../servers/contract/shape-schema.ts';
import { frameworkSchema } from '../servers/contract/server-config.ts';
import { serverLimitsSchema } from '../servers/contract/server-limits.ts';
import { formatZodIssues } from '../servers/contract/zod-issues.ts';
import { upgradeV1 } from './result-v1.ts';
import { capacitySchema } from './capacity/schema.ts';
import type { MetricKey } from './metrics.ts';

export type { MetricKey };

/**
 * 2: a run's warnings are structured (`warningSchema`) instead of sentences. Version-1 files still
 * load: parseResult upgrades them through bench/result-v1.ts.
 */
export const RESULT_SCHEMA_VERSION = 2;

export const unitSchema = z.enum([
  'us',
  'ms',
  'bytes',
  'count',
  'fraction',
  'events',
  'bytes/event',
  'bytes/client/s',
  'bytes/client',
  'requests/event',
  'requests/client/s',
  'cpu-ms/1000 events',
  // Idle cost (bench/idle-metrics.ts).
  'bytes/client/min',
  'requests/client/min',
  'count/client/min',
  'cpu-ms/client/min',
]);
export type Unit = z.infer<typeof unitSchema>;

/**
 * One figure of a run. `kind` tells a comparison how to treat it: `exact` figures (bytes, requests,
 * connections per event) are deterministic for a scenario, `noisy` ones (latency, CPU, memory) need
 * repeated runs and statistics.
 */
export const metricSchema = z.object({
  value: z.number(),
  unit: unitSchema,
  better: z.enum(['lower', 'higher']),
  kind: z.enum(['exact', 'noisy']),
});
export type Metric = z.infer<typeof metricSchema>;

/**
 * A run's metrics by key. The file holds a record of any keys: a result from a newer version with
 * metrics this one does not know still loads, and reports show those under their raw name and unit
 * (reached by `Object.keys`; see reports/aggregate.ts anyMetric).
 */
export type RunMetrics = Partial<Record<MetricKey, Metric>>;

export const percentileSummarySchema = z.object({
  count: z.number().int().nonnegative(),
  min: z.number(),
  mean: z.number(),
  p50: z.number(),
  p90: z.number(),
  p99: z.number(),
  p999: z.number(),
  max: z.number(),
});
export type PercentileSummary = z.infer<typeof percentileSummarySchema>;

/** An HdrHistogram kept whole (compressed base64), so runs can be merged and any percentile recomputed. */
export const encodedHistogramSchema = z.object({
  unit: z.enum(['us']),
  encoding: z.literal('hdr-compressed-base64'),
  data: z.string(),
  summary: percentileSummarySchema,
});
export type EncodedHistogram = z.infer<typeof encodedHistogramSchema>;

/** What can limit a run (bench/diagnosis.ts). */
const bottleneckResourceSchema = z.enum(['descriptors', 'connect-backlog', 'server-cpu', 'load-cpu', 'publisher']);
export type BottleneckResource = z.infer<typeof bottleneckResourceSchema>;

/**
 * Every warning a run can carry, one code each (bench/warnings.ts writes them, with their sentences).
 * A named bottleneck carries its resource in the code, so what it means is data, not text.
 * `unrecognised` comes from a version-1 sentence or a code this version does not know (`warningSchema`).
 */
const warningCodeSchema = z.enum([
  'events-lost',
  'events-duplicated',
  'events-out-of-order',
  'events-before-schedule',
  'clients-unconnected',
  'restart-past-window',
  'client-errors',
  'requests-refused',
  'load-saturated',
  'server-saturated',
  'publisher-late',
  'poll-ticks-skipped',
  'upstream-sends-skipped',
  'slow-consumers-dropped',
  'slow-readers-not-dropped',
  'no-events-in-window',
  'bottleneck-descriptors',
  'bottleneck-connect-backlog',
  'bottleneck-server-cpu',
  'bottleneck-load-cpu',
  'bottleneck-publisher',
  'network-inaccurate',
  'link-saturated',
  'connections-refused',
  'catch-up-capped',
  'soak-rss-growth',
  'server-stats-stale',
  'load-start-late',
  'unrecognised',
]);
export type WarningCode = z.infer<typeof warningCodeSchema>;
export const WARNING_CODES = warningCodeSchema.options;

/**
 * One warning of a run. `value` is the figure that triggered it and `limit` the threshold it crossed,
 * in that figure's own unit (events or clients as counts, saturation as a fraction of a core or of
 * the window, publisher lateness in µs); null where the code has none. `message` is the sentence for
 * display only: nothing reads meaning out of it.
 */
const knownWarningSchema = z.object({
  code: warningCodeSchema,
  /** `error`: the figures measured the machine, not a transport; `warning`: they are compromised; `note`: worth knowing. */
  severity: z.enum(['error', 'warning', 'note']),
  value: z.number().nullable(),
  limit: z.number().nullable(),
  message: z.string(),
});

/**
 * A code newer than this reader (a file written by a later version) loads as `unrecognised`, a note,
 * keeping its message, value and limit: the file still renders, as metrics unknown to this version
 * do, instead of failing to load for one warning. A missing or non-text code is still an error.
 */
const warningSchema = z.preprocess((w) => {
  if (typeof w !== 'object' || w === null || !('code' in w) || typeof w.code !== 'string') return w;
  if ((WARNING_CODES as readonly string[]).includes(w.code)) return w;
  return { ...w, code: 'unrecognised', severity: 'note' };
}, knownWarningSchema);
export type RunWarning = z.infer<typeof warningSchema>;

export const jobParamsSchema = z.object({
  transport: z.enum(TRANSPORT_NAMES),
  /** What serves HTTP: express or bare node:http. WebSocket always runs ws on node:http. */
  framework: frameworkSchema,
  clients: z.number().int().positive(),
  shape: shapeSchema,
  payloadBytes: z.number().int().nonnegative(),
  /** Short polling only. */
  pollIntervalMs: z.number().positive().nullable(),
  /** Long polling only. */
  longPollWaitMs: z.number().positive().nullable(),
  /** ws's permessage-deflate with the library's defaults (results before the compression axis). */
  perMessageDeflate: z.boolean(),
  /** What clients send and the server answers (bench/wire-params.ts). */
  ...wireParamsShape,
  /** What happens besides the feed: drops, a restart, no events, slow readers; keep-alives (bench/workload-params.ts). */
  ...workloadParamsShape,
  /** The network path: emulated network, TLS, reverse proxy (bench/network-path.ts). */
  ...pathParamsShape,
  /** Server processes and the broker their feed comes through (bench/deployment-params.ts). */
  ...deploymentParamsShape,
});
export type JobParams = z.infer<typeof jobParamsSchema>;

const decimalNs = z.string().regex(/^\d+$/, 'a decimal count of ns');

/**
 * The edges of a run's windows on the run's clock (process.hrtime, CLOCK_MONOTONIC, ns as decimal
 * strings) and whole-run socket totals, so a run can be held against a capture: the server's totals
 * cover every byte on its port (the load generator's JIT prewarm included), the clients' totals every
 * byte of the simulated clients from their first connect to their close.
 */
export const auditSchema = z.object({
  /** The server's TCP port on 127.0.0.1 (a capture filter: `tcp port N`). */
  serverPort: z.number().int().nonnegative(),
  /**
   * Where the clients connected when a path stood in front of the server (emulator or proxy): the
   * clients' bytes are on this port, the server's on serverPort. Absent on the direct path.
   */
  clientPort: z.number().int().nonnegative().optional(),
  /** Events scheduled in [windowStartNs, windowEndNs) are the delivery check's (latency, loss). */
  windowStartNs: decimalNs,
  windowEndNs: decimalNs,
  /** The per-event figures count from windowStartNs to countedUntilNs (>= windowEndNs). */
  countedUntilNs: decimalNs,
  /** Events received for the first time in the counting window: every per-event figure's denominator. */
  eventsReceived: z.number().int().nonnegative(),
  clientRun: z.object({
    bytesUp: z.number(),
    bytesDown: z.number(),
    tcpConnects: z.number(),
    httpRequests: z.number(),
    wsHandshakes: z.number(),
    eventsReceived: z.number(),
  }),
  serverRun: z.object({
    bytesIn: z.number(),
    bytesOut: z.number(),
    tcpAccepted: z.number(),
    httpRequests: z.number(),
    wsHandshakes: z.number(),
  }),
});
export type Audit = z.infer<typeof auditSchema>;

export const completedRunSchema = z.object({
  status: z.literal('completed'),
  repetition: z.number().int().positive(),
  startedAt: z.string(),
  /** From the run's start to its figures, before its teardown (which phasesMs.teardown times). */
  wallMs: z.number(),
  window: z.object({
    warmupMs: z.number(),
    /** The window as measured: the configured length aligned to whole event periods and poll intervals. */
    measureMs: z.number(),
    /** How long the run actually waited after the window for late events (adaptive, capped). */
    drainMs: z.number(),
    /** Seqs whose scheduled time fell in the measurement window; every client should get each. */
    firstSeq: z.number().int(),
    lastSeq: z.number().int(),
  }),
  metrics: z.record(z.string(), metricSchema) as z.ZodType<RunMetrics>,
  latency: encodedHistogramSchema,
  /**
   * Load on agents (other hosts, no shared clock): every latency figure of the run is within ± this
   * many µs (the largest clock uncertainty of its agents). Absent: one host, one clock.
   */
  latencyUncertaintyUs: z.number().nonnegative().optional(),
  /** The load agents that ran the run's clients, each with its clock offset to the publisher's host. */
  agents: z
    .array(
      z.object({
        name: z.string(),
        hostname: z.string(),
        /** Publisher's clock minus the agent's, ns (decimal string: a bigint). */
        clockOffsetNs: z.string(),
        /** The true offset is within clockOffsetNs ± this (half the best exchange's round trip). */
        clockUncertaintyUs: z.number().nonnegative(),
        clockExchanges: z.number().int().positive(),
        /** The offset measured again after the run; clockUncertaintyUs includes the drift |after - before| (clockDriftUs). */
        clockOffsetAfterNs: z.string().optional(),
        clockDriftUs: z.number().nonnegative().optional(),
      }),
    )
    .optional(),
  connectMs: percentileSummarySchema,
  firstEventMs: percentileSummarySchema,
  /** Raw window totals the per-event metrics were derived from. */
  totals: z.record(z.string(), z.number()),
  pinning: z.object({ server: z.string().nullable(), load: z.string().nullable() }),
  /** The run's load processes and source addresses (absent in results from before them). */
  load: runLoadSchema.optional(),
  /**
   * The open-file limit each process ran with (/proc/<pid>/limits, soft = hard: Node raises the soft
   * one), raised above the shell's when the plan needed it and pollbench may (bench/descriptors.ts).
   * Null where /proc could not say; absent in older results.
   */
  openFiles: z.object({ server: z.number().int().nullable(), load: z.number().int().nullable() }).optional(),
  warnings: z.array(warningSchema),
  /** What a run can be audited against (a packet capture, the schedule); absent in older results. */
  audit: auditSchema.optional(),
  /** The bounded connect phase (absent in results from before it existed). */
  connect: z
    .object({
      requested: z.number().int(),
      connected: z.number().int(),
      deadlineMs: z.number(),
      elapsedMs: z.number(),
      failures: z.object({
        timeout: z.number().int(),
        descriptors: z.number().int(),
        refused: z.number().int(),
        other: z.number().int(),
      }),
    })
    .optional(),
  /**
   * What the path's own parts did during the window: the network emulator (bench/network/) and the
   * reverse proxy. Absent on the direct loopback path, which has neither.
   */
  path: z
    .object({
      emulator: z
        .object({
          /** Where the emulator process was pinned (taskset CPU list; null: not pinned). */
          cpus: z.string().nullable(),
          /** Its CPU time over the window's wall time (1 = one core busy). */
          cpuFraction: z.number(),
          /** Timer lateness: when a chunk was written minus when the model said it departs (µs). */
          latenessP50Us: z.number(),
          latenessP99Us: z.number(),
          latenessMaxUs: z.number(),
          /** Mean one-way delay the emulator really applied per direction (ms), and what the profile asks. */
          appliedOneWayUpMs: z.number().nullable(),
          appliedOneWayDownMs: z.number().nullable(),
          configuredOneWayMs: z.number(),
          segmentsLost: z.number().int(),
          maxQueuedBytes: z.number().int(),
          /** Connections the emulator accepted during the window (0 for transports that stay connected). */
          connections: z.number().int(),
        })
        .optional(),
      proxy: z
        .object({
          /**
           * nginx master and workers: CPU time over the wall time between the two readings at the
           * window's edges (/proc counts whole 10 ms ticks: read it as ± 20 ms of CPU per window).
           */
          cpuFraction: z.number(),
          /**
           * TCP connections the server accepted from the first client connect to the end of the drain:
           * nginx's upstream connections (the JIT prewarm, straight to the server, is not in it).
           */
          serverTcpAccepted: z.number().int(),
        })
        .optional(),
    })
    .optional(),
  /** What limited this run (bench/diagnosis.ts); absent when nothing did. */
  bottleneck: z
    .object({
      resource: bottleneckResourceSchema,
      detail: z.string(),
    })
    .optional(),
  /**
   * Where the run's wall time went (orchestrator's hrtime, ms; see bench/phase-timer.ts). `start` is
   * spawn to both children ready, and may have begun while the previous run was torn down and its
   * result written: `startOverlapMs` says how much, so a sum over runs subtracts it once. Absent in
   * older results.
   */
  phasesMs: z
    .object({
      start: z.number(),
      prewarm: z.number(),
      connect: z.number(),
      warmup: z.number(),
      window: z.number(),
      drain: z.number(),
      snapshots: z.number(),
      teardown: z.number(),
    })
    .optional(),
  startOverlapMs: z.number().optional(),
  /** Several server processes (--server-processes N): each one's share of the window. Absent for one process. */
  serverGroup: serverGroupRecordSchema.optional(),
  /** A soak (--soak, bench/soak.ts): the server sampled through the window. Absent for ordinary runs. */
  soak: z
    .object({
      sampleMs: z.number(),
      samples: z.array(
        z.object({
          /** ms since the server's snapshot at the window's start. */
          atMs: z.number(),
          rssBytes: z.number(),
          heapUsedBytes: z.number(),
          /** process.getActiveResourcesInfo().length: handles and requests keeping the loop alive. */
          activeResources: z.number(),
          openSockets: z.number(),
        }),
      ),
    })
    .optional(),
});

export const erroredRunSchema = z.object({
  status: z.literal('errored'),
  repetition: z.number().int().positive(),
  startedAt: z.string(),
  phase: z.string(),
  error: z.string(),
});

export const abortedRunSchema = z.object({
  status: z.literal('aborted'),
  repetition: z.number().int().positive(),
  reason: z.string(),
});

export const runSchema = z.discriminatedUnion('status', [completedRunSchema, erroredRunSchema, abortedRunSchema]);
export type CompletedRun = z.infer<typeof completedRunSchema>;
export type Run = z.infer<typeof runSchema>;

export const jobSchema = z.object({
  id: z.string(),
  /** Jobs with the same parameter set differ only in transport (and poll interval): one table each. */
  parameterSet: z.string(),
  params: jobParamsSchema,
  runs: z.array(runSchema),
});
export type Job = z.infer<typeof jobSchema>;

export const calibrationSchema = z.object({
  /** Raw TCP round trip (8-byte echo) on loopback, same process layout and pinning as the jobs. */
  tcpRoundTripUs: percentileSummarySchema,
  /** Raw WebSocket round trip (8-byte message echo), ws on both ends, permessage-deflate off. */
  wsRoundTripUs: percentileSummarySchema,
  roundTrips: z.number().int(),
  /** WebSocket round trips each after `idleMs` of idle: the floor for low event rates (idle CPUs wake slowly). */
  wsIdleRoundTripUs: percentileSummarySchema,
  idleMs: z.number(),
  idleRoundTrips: z.number().int(),
  /**
   * Idle TCP round trips through each emulated network of the plan (nothing else on the machine
   * moving): what the emulator really adds, against the profile's round trip. Absent when the plan
   * has no emulated network.
   */
  networks: z
    .array(
      z.object({
        network: z.string(),
        configuredRttMs: z.number(),
        roundTripUs: percentileSummarySchema,
        /** Median measured minus (configured + the loopback TCP median), in ms. */
        offByMs: z.number(),
        /** Within 5% of the configured round trip or 1 ms, whichever is larger. */
        accurate: z.boolean(),
      }),
    )
    .optional(),
  /** TLS handshakes on loopback, fresh and resumed (what session resumption saves a reconnecting client). */
  tls: z
    .object({
      /** Means per handshake (socket bytes); session tickets the server sent after it, apart. */
      full: z.object({
        bytesUp: z.number(),
        bytesDown: z.number(),
        ticketBytesDown: z.number(),
        ms: percentileSummarySchema,
      }),
      resumed: z.object({
        bytesUp: z.number(),
        bytesDown: z.number(),
        ticketBytesDown: z.number(),
        ms: percentileSummarySchema,
        resumedFraction: z.number(),
      }),
      /** Bytes one TLS record adds to what it carries (TLS 1.3 AES-GCM: 22). */
      recordOverheadBytes: z.number(),
      /** Protocol, cipher and key-exchange group negotiated (the group sets the handshake's size). */
      negotiated: z
        .object({ protocol: z.string().nullable(), cipher: z.string(), group: z.string().nullable() })
        .optional(),
    })
    .optional(),
});
export type Calibration = z.infer<typeof calibrationSchema>;

export const contextSchema = z.object({
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  tool: z.object({ name: z.literal('pollbench'), version: z.string() }),
  gitSha: z.string().nullable(),
  gitDirty: z.boolean().nullable(),
  node: z.string(),
  os: z.object({ platform: z.string(), release: z.string(), arch: z.string() }),
  cpu: z.object({ model: z.string(), count: z.number().int(), speedMHz: z.number() }),
  memoryBytes: z.number(),
  packages: z.record(z.string(), z.string()),
  pinning: z.object({
    available: z.boolean(),
    serverCpus: z.string().nullable(),
    loadCpus: z.string().nullable(),
    note: z.string(),
  }),
  profile: z.enum(['default', 'quick']),
  scenario: scenarioSchema,
  command: z.array(z.string()),
  /** Only in results of gate tests: a regression injected into the servers on purpose. */
  inject: z.object({ extraResponseHeaderBytes: z.number(), pushDelayMs: z.number() }).optional(),
  /** --allow-origin: browser origins every feed server served besides its own (absent: its own only). */
  allowOrigins: z.array(z.string()).optional(),
  /**
   * Where the feed was published: one publisher process per plan, outside the server, pinned to
   * `cpus` (the load generator's). Absent in older results, whose servers ran the schedule themselves.
   */
  publisher: z.object({ process: z.literal('per-plan'), cpus: z.string().nullable() }).optional(),
  /** The reverse proxy when the plan used one: its version and the configuration of its first run (ports differ per run). */
  proxy: z.object({ name: z.literal('nginx'), version: z.string(), config: z.string() }).optional(),
  /** TLS when the plan used it: how the per-plan certificate was made and what it is. */
  tls: z.object({ certificate: z.string(), maker: z.string() }).optional(),
  /** The emulated networks: what the model does and where the emulator runs. */
  network: z.object({ emulatorCpus: z.string().nullable(), note: z.string() }).optional(),
  /** --broker redis: the plan's redis-server (version, arguments, address, pinning); absent without a redis job. */
  broker: z
    .object({
      name: z.literal('redis'),
      version: z.string(),
      args: z.array(z.string()),
      url: z.string(),
      cpus: z.string().nullable(),
    })
    .optional(),
  /** The limits every feed server of the plan enforced (servers/contract/server-limits.ts); absent before issue 12. */
  serverLimits: serverLimitsSchema.optional(),
});
export type Context = z.infer<typeof contextSchema>;

export const resultSchema = z.object({
  schemaVersion: z.literal(RESULT_SCHEMA_VERSION),
  context: contextSchema,
  /** null when the run was interrupted before calibration finished. */
  calibration: calibrationSchema.nullable(),
  /** `complete` only when every planned run ended (completed or errored). */
  status: z.enum(['running', 'complete', 'interrupted']),
  jobs: z.array(jobSchema),
  /**
   * Plan-level time (ms, hrtime): the whole plan, bundling the child processes, calibration, and
   * validating and writing the result file after every run. Absent in older results.
   */
  planTiming: z
    .object({ wallMs: z.number(), bundleMs: z.number(), calibrationMs: z.number(), saveMs: z.number() })
    .optional(),
  /** The capacity search (--capacity, bench/capacity/); absent for ordinary plans. */
  capacity: capacitySchema.optional(),
});
export type Result = z.infer<typeof resultSchema>;

/**
 * Parses and validates a result document, upgrading a version-1 file first; throws a readable error
 * listing what is wrong.
 */
export function parseResult(json: unknown): Result {
  const parsed = resultSchema.safeParse(upgradeV1(json));
  if (!parsed.success) {
    throw new Error(
      `not a valid pollbench result (schema v${RESULT_SCHEMA_VERSION}): ${formatZodIssues(parsed.error.issues, 10)}`,
    );
  }
  return parsed.data;
}
