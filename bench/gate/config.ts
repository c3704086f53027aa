/**
 * The regression gate's thresholds: a config file (JSON, validated with zod) over built-in defaults,
 * and command-line overrides over both. Per-metric settings refine the global ones.
 */
import { z } from 'zod';
import { formatZodIssues } from '../../servers/zod-issues.ts';

export const metricRuleSchema = z.object({
  /** Whether a regression of this metric fails the gate (others are reported, never fail it). */
  gate: z.boolean().optional(),
  /** Noisy metrics: smallest relative change worth a verdict (0.1 = 10%). */
  minEffect: z.number().min(0).max(100).optional(),
  /** Noisy metrics: smallest absolute change worth a verdict, in the metric's stored unit. */
  minAbsolute: z.number().min(0).optional(),
  /** Exact metrics: relative tolerance (0.01 = 1%). */
  tolerance: z.number().min(0).max(100).optional(),
  /** Exact metrics: absolute tolerance, in the metric's stored unit. */
  absoluteTolerance: z.number().min(0).optional(),
});
export type MetricRule = z.infer<typeof metricRuleSchema>;

export const compareConfigSchema = z.object({
  /** Family-wise significance level for the noisy metrics (Holm-Bonferroni over all gated tests). */
  alpha: z.number().gt(0).lt(1).default(0.05),
  minEffect: z.number().min(0).max(100).default(0.1),
  tolerance: z.number().min(0).max(100).default(0.01),
  /** Fewer completed runs than this on either side: the metric is "not comparable". */
  minRuns: z.number().int().min(2).default(3),
  metrics: z.record(z.string(), metricRuleSchema).default({}),
});
export type CompareConfig = z.infer<typeof compareConfigSchema>;

/**
 * Defaults from this machine's same-code comparisons: below these floors a change is noise (a few
 * hundred microseconds of latency, a few CPU milliseconds per 1,000 events, a couple of KiB per
 * client), and the harness's own figures (load generator, publisher, connection storms) describe the
 * run, not the code under test, so they never fail the gate.
 */
export const DEFAULT_RULES: Record<string, MetricRule> = {
  latency_p50_us: { minAbsolute: 300 },
  latency_p90_us: { minAbsolute: 500 },
  latency_p99_us: { minAbsolute: 1000 },
  latency_p999_us: { gate: false },
  latency_max_us: { gate: false },
  latency_mean_us: { minAbsolute: 300 },
  server_cpu_ms_per_1000_events: { minAbsolute: 5 },
  server_cpu_fraction: { gate: false },
  server_event_loop_utilization: { gate: false },
  server_heap_per_client_bytes: { minEffect: 0.25, minAbsolute: 4096 },
  server_rss_per_client_bytes: { gate: false },
  server_loop_delay_p99_us: { gate: false },
  connect_p50_ms: { gate: false },
  connect_p99_ms: { gate: false },
  first_event_p50_ms: { gate: false },
  first_event_p99_ms: { gate: false },
  publisher_lateness_p99_us: { gate: false },
  publisher_lateness_max_us: { gate: false },
  feed_arrival_lag_p99_us: { gate: false },
  load_cpu_fraction: { gate: false },
  load_loop_delay_p99_us: { gate: false },
  // Counts that follow from the window and the audience, not from the code's efficiency.
  events_expected: { gate: false },
  events_delivered: { gate: false },
  // Any lost, duplicated or reordered event is a regression: tolerance zero.
  events_lost: { tolerance: 0, absoluteTolerance: 0 },
  events_duplicated: { tolerance: 0, absoluteTolerance: 0 },
  events_out_of_order: { tolerance: 0, absoluteTolerance: 0 },
  loss_fraction: { tolerance: 0, absoluteTolerance: 0 },
  // Connection churn in the window: one more reconnect is a regression.
  tcp_connections_in_window: { absoluteTolerance: 0 },
  ws_handshakes_in_window: { absoluteTolerance: 0 },
  // Cross-checks counted on the server: its window edges are read over IPC a moment apart from the
  // client's, so a response straddling an edge moves 1-2% between runs (measured). The client-side
  // bytes and requests per event are the gated figures.
  server_bytes_out_per_event: { gate: false },
  server_http_requests_per_event: { gate: false },
  // Bytes before the first event include whatever the server had already sent when it was counted
  // (an SSE replay, a first event in the same read): same code, 90% apart between runs (measured).
  connect_bytes_per_client: { gate: false },
  // Polls that straddle an event by a few ms move an event between polls: requests and empty
  // responses per event wobble by about a percent at rates near the poll frequency.
  empty_responses_per_event: { tolerance: 0.05, absoluteTolerance: 0.02 },
  http_requests_per_event: { tolerance: 0.02 },
  http_requests_per_client_per_s: { tolerance: 0.02 },
};

/** Absolute tolerance for exact metrics without a rule: half a unit (a byte, a request per 200 events). */
export const DEFAULT_ABSOLUTE_TOLERANCE: Record<string, number> = {
  'bytes/event': 1,
  'bytes/client/s': 1,
  'bytes/client': 1,
  'requests/event': 0.005,
  'requests/client/s': 0.005,
  events: 0.5,
  count: 0.5,
  fraction: 0,
};

export interface ResolvedRule {
  gate: boolean;
  minEffect: number;
  minAbsolute: number;
  tolerance: number;
  absoluteTolerance: number;
}

export function ruleFor(config: CompareConfig, metric: string, unit: string): ResolvedRule {
  const own = config.metrics[metric] ?? {};
  const builtIn = DEFAULT_RULES[metric] ?? {};
  const pick = <K extends keyof MetricRule>(key: K): MetricRule[K] => own[key] ?? builtIn[key];
  return {
    gate: pick('gate') ?? true,
    minEffect: pick('minEffect') ?? config.minEffect,
    minAbsolute: pick('minAbsolute') ?? 0,
    tolerance: pick('tolerance') ?? config.tolerance,
    absoluteTolerance: pick('absoluteTolerance') ?? DEFAULT_ABSOLUTE_TOLERANCE[unit] ?? 0,
  };
}

export class ConfigError extends Error {}

/** Validates a config document (from a file); throws ConfigError with every problem listed. */
export function parseCompareConfig(json: unknown): CompareConfig {
  const parsed = compareConfigSchema.safeParse(json ?? {});
  if (!parsed.success) throw new ConfigError(formatZodIssues(parsed.error.issues));
  return parsed.data;
}
