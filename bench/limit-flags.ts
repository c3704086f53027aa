/**
 * The command-line options of the feed server's limits (servers/contract/server-limits.ts), shared
 * by `npm run bench` (bench/args.ts) and `npm run serve` (bench/commands/serve.ts): each a whole
 * number within the contract's bounds, or one sentence saying which.
 */
import { DEFAULT_SERVER_LIMITS, serverLimitsSchema, type ServerLimits } from '../servers/contract/server-limits.ts';

export class LimitOptionError extends Error {}

const FLAGS = {
  'max-connections': 'maxConnections',
  'catch-up-max-events': 'catchUpMaxEvents',
  'slow-consumer-max-bytes': 'slowConsumerMaxBytes',
  'headers-timeout-ms': 'headersTimeoutMs',
  'request-timeout-ms': 'requestTimeoutMs',
} as const satisfies Record<string, keyof ServerLimits>;

type LimitFlag = keyof typeof FLAGS;

/** parseArgs option specs of the limits, merged into a command's. */
export const LIMIT_OPTIONS = Object.fromEntries(Object.keys(FLAGS).map((flag) => [flag, { type: 'string' }])) as Record<
  LimitFlag,
  { type: 'string' }
>;

const d = DEFAULT_SERVER_LIMITS;
export const LIMIT_USAGE = `  --max-connections <n>  connections a server accepts at once; more are closed unserved (default ${d.maxConnections})
  --catch-up-max-events <n>  most events one poll answer carries; a client further behind gets pages
                         (default ${d.catchUpMaxEvents})
  --slow-consumer-max-bytes <n>  bytes a WebSocket or SSE client may leave unread before it is dropped
                         (default ${d.slowConsumerMaxBytes})
  --headers-timeout-ms <ms>  a connection that has not sent a whole request head by then gets 408 and
                         is closed (default ${d.headersTimeoutMs})
  --request-timeout-ms <ms>  the same for a whole request (default ${d.requestTimeoutMs}); neither cuts a
                         long-poll hold or a stream`;

/** The limits the options ask for (only those given), or a LimitOptionError naming the first bad one. */
export function parseLimitOptions(values: Partial<Record<LimitFlag, string>>): Partial<ServerLimits> {
  const out: Partial<ServerLimits> = {};
  for (const [flag, key] of Object.entries(FLAGS) as [LimitFlag, keyof ServerLimits][]) {
    const raw = values[flag];
    if (raw === undefined) continue;
    const field = serverLimitsSchema.shape[key];
    const n = /^[0-9]+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!field.safeParse(n).success)
      throw new LimitOptionError(
        `--${flag} must be a whole number from ${field.minValue} to ${field.maxValue}, got "${raw}"`,
      );
    out[key] = n;
  }
  const { headersTimeoutMs: head, requestTimeoutMs: whole } = { ...DEFAULT_SERVER_LIMITS, ...out };
  if (head > whole)
    throw new LimitOptionError(
      `--headers-timeout-ms (${head}) must not exceed --request-timeout-ms (${whole}): a request head is part of the request`,
    );
  return out;
}
