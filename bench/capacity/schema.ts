/**
 * The result's capacity section (--capacity): the service level and search settings asked for, the
 * machine the limits are judged against, and per search (one per transport and deployment) every step
 * in the order it ran, with its verdict, why, and the figures the verdict and the named limit rest on.
 * Each step is also an ordinary job in the result (`jobId`): its runs carry every metric.
 */
import { z } from 'zod';
import { TRANSPORT_NAMES } from '../../servers/contract/protocol.ts';
import { deploymentParamsShape } from '../deployment-params.ts';

export const CAPACITY_RESOURCES = [
  'server-cpu',
  'load-cpu',
  'broker-cpu',
  'memory',
  'descriptors',
  'ports',
  'connect-backlog',
  'publisher',
  // The level broke (latency, say) with no resource near a limit it can be read against.
  'unidentified',
] as const;

const limitSchema = z.object({
  resource: z.enum(CAPACITY_RESOURCES),
  /** The audience of the step it was named at. */
  clients: z.number().int(),
  detail: z.string(),
});
export type CapacityLimit = z.infer<typeof limitSchema>;

const stepSchema = z.object({
  clients: z.number().int().positive(),
  /** The job holding this step's runs. */
  jobId: z.string(),
  /** null: no run of the step finished (interrupted), so it has no verdict. */
  pass: z.boolean().nullable(),
  /** Why it failed, one sentence per broken condition (empty when it passed). */
  reasons: z.array(z.string()),
  /**
   * The figures of its worst completed run (ms, fractions, bytes, counts; see bench/capacity/step-figures.ts).
   * Absent figures were not measured (an errored run, a metric the job does not have).
   */
  figures: z.record(z.string(), z.number()),
});
export type CapacityStep = z.infer<typeof stepSchema>;

const searchSchema = z.object({
  /** The job id without its audience: what every step of this search shares. */
  key: z.string(),
  transport: z.enum(TRANSPORT_NAMES),
  ...deploymentParamsShape,
  /** Events per second per client (the job's mean rate), for the projection. */
  ratePerSec: z.number(),
  steps: z.array(stepSchema),
  largestPass: z.number().int().nullable(),
  firstFail: z.number().int().nullable(),
  /** null while the search runs (or when it was interrupted). */
  ended: z.enum(['narrowed', 'cap-reached', 'step-limit', 'failed-at-smallest']).nullable(),
  /** What gave out at the first failing step (or the descriptors when the search stopped at their cap). */
  limit: limitSchema.nullable(),
  /** A resource already near its limit at the largest passing step, if any. */
  nearLimit: limitSchema.nullable(),
});
export type CapacitySearch = z.infer<typeof searchSchema>;

export const capacitySchema = z.object({
  serviceLevel: z.object({
    /** A step fails when any completed run's p99 latency is above this. */
    p99Ms: z.number().positive(),
    /** ...or it lost any event, had any client error or any client not connected. */
    maxLossFraction: z.literal(0),
    maxClientErrors: z.literal(0),
  }),
  settings: z.object({
    start: z.number().int().positive(),
    /** The cap asked for (--capacity-max). */
    requestedMax: z.number().int().positive(),
    /** The cap used: requestedMax, lowered to what the hard descriptor limit allows per process. */
    max: z.number().int().positive(),
    factor: z.number(),
    resolution: z.number(),
    maxSteps: z.number().int().positive(),
  }),
  machine: z.object({
    cores: z.number().int().positive(),
    memoryBytes: z.number(),
    /** The hard open-files limit per process (null: unknown). */
    descriptorHardLimit: z.number().nullable(),
    /** Ephemeral ports one source address can connect from (ip_local_port_range; null: unknown). */
    ephemeralPorts: z.number().nullable(),
  }),
  searches: z.array(searchSchema),
});
export type CapacitySection = z.infer<typeof capacitySchema>;
