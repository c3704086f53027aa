/**
 * The regression gate's thresholds: a config file (JSON, validated with zod) over built-in defaults,
 * and command-line overrides over both. Per-metric settings refine the global ones.
 */
import { z } from 'zod';
import { formatZodIssues } from '../../servers/contract/zod-issues.ts';
import { GATE_RULES } from '../../reports/metric-catalog.ts';

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

/** Built-in per-metric rules: each metric's `gate` in the catalog, which says why. */
export const DEFAULT_RULES: Record<string, MetricRule> = GATE_RULES;

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
