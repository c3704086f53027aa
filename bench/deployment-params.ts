/**
 * How the system under test is deployed (issue 13): how many server processes share the listening
 * address, and the broker their feed comes through. `memory` is the publisher's own feed read over
 * its TCP wire (servers/contract/feed-wire.ts), every result before this axis; `redis` is a Redis
 * Stream the publisher appends to and every server process reads (bench/broker/). An axis of the
 * matrix like the wire and the workload: part of a job's id, empty at its default, so older results
 * keep their ids.
 */
import { z } from 'zod';

export const BROKER_KINDS = ['memory', 'redis'] as const;
export const brokerKindSchema = z.enum(BROKER_KINDS);
export type BrokerKind = z.infer<typeof brokerKindSchema>;

/** The most server processes one job may ask for (a sanity bound, not a tuning). */
export const MAX_SERVER_PROCESSES = 64;
const serverProcessesSchema = z.number().int().min(1).max(MAX_SERVER_PROCESSES);

export interface Deployment {
  broker: BrokerKind;
  serverProcesses: number;
}

/** One deployment of the matrix's `deployments` axis. */
export const deploymentSchema = z
  .object({ broker: brokerKindSchema, serverProcesses: serverProcessesSchema })
  .strict()
  .refine((d) => deploymentProblem(d) === null, { message: 'more than one server process needs broker redis' });

/** Job fields of the deployment; results written before these existed ran one process on the memory feed. */
export const deploymentParamsShape = {
  broker: brokerKindSchema.default('memory'),
  serverProcesses: serverProcessesSchema.default(1),
};

export const DEFAULT_DEPLOYMENT: Deployment = { broker: 'memory', serverProcesses: 1 };

/**
 * Why a deployment cannot run, or null. Several processes each holding their own copy of the
 * publisher's feed is not an architecture anyone deploys; they share one through a broker.
 */
export function deploymentProblem(d: Deployment): string | null {
  if (d.serverProcesses > 1 && d.broker !== 'redis')
    return `${d.serverProcesses} server processes need --broker redis: several processes share one feed through a broker`;
  return null;
}

/** The deployment's part of a job id or parameter set: empty at the default, else e.g. ` broker=redis servers=2`. */
export function deploymentLabel(d: Deployment): string {
  const parts: string[] = [];
  if (d.broker !== 'memory') parts.push(`broker=${d.broker}`);
  if (d.serverProcesses !== 1) parts.push(`servers=${d.serverProcesses}`);
  return parts.map((part) => ` ${part}`).join('');
}
