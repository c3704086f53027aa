/**
 * A run's load processes in the result file (bench/load-group.ts): each one's slice of the clients
 * and its own cost, and the source addresses the clients bound to. Optional in a run: results from
 * before it read as one load process whose figures are the run's load_cpu_fraction.
 */
import { z } from 'zod';

export const runLoadSchema = z.object({
  /** One entry per load process, in client order (bench/load/merge-reports.ts LoadProcessFigures). */
  processes: z.array(
    z.object({
      name: z.string(),
      /** Its clients: global indices [firstClient, firstClient + clients). */
      firstClient: z.number().int().nonnegative(),
      clients: z.number().int().nonnegative(),
      /** CPU time over the window's wall time (1 = one core busy). */
      cpuFraction: z.number(),
      loopDelayP99Us: z.number(),
      /** Several processes: how long after the shared window start it read its window counters, µs. */
      startLagUs: z.number().optional(),
    }),
  ),
  /** Client i bound to sourceAddresses[i mod length] (bench/source-addresses.ts); absent: the system picked. */
  sourceAddresses: z.array(z.string()).optional(),
});
