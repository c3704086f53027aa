/**
 * Contract (servers/contract/). Imported by the scenarios (bench/scenarios/schema.ts), the result
 * schema (bench/result-schema.ts) and the publisher's IPC (publisher-ipc.ts): everything that
 * validates a feed shape.
 *
 * The one schema of a feed's shape. Apart from the schedule arithmetic (schedule.ts) because that is
 * imported by the load generator, which must not load zod: zod roughly doubled the load process's
 * code (1.26 to 2.01 MB bundled) and, measured, made HTTP clients' connect p50 3 ms -> 15-28 ms in
 * most runs of `npm run bench -- --quick --runs 3` (0 of 9 runs slow without it, 5 to 9 of 9 with it).
 */
import { z } from 'zod';

/**
 * A feed shape, as a scenario, the CLI, the publisher's spec and a result file's job all carry it.
 * The bounds are what the publisher accepts (the widest of the copies this schema replaced): a
 * scenario may ask for anything the publisher can run.
 */
export const shapeSchema = z.discriminatedUnion('kind', [
  /** `ratePerSec` events per second, evenly spaced. */
  z.object({ kind: z.literal('steady'), ratePerSec: z.number().positive().max(100_000) }),
  /** `size` events at once every `everyMs`. */
  z.object({
    kind: z.literal('burst'),
    size: z.number().int().min(1).max(100_000),
    everyMs: z.number().positive().max(3_600_000),
  }),
]);

export type ScheduleShape = z.infer<typeof shapeSchema>;
