/**
 * Contract (servers/contract/). The limits and the origin policy a feed server enforces against
 * hostile or careless clients (issue 12), and the keep-alive each transport sends to idle clients.
 * Every field is configurable (`npm run bench` / `npm run serve` flags), recorded in the result, and
 * its default is never reached by the default scenarios: a limit that shapes an ordinary run would
 * measure the limit instead of the transport.
 *
 * Imported by the server process (through server-config.ts) and by what builds a server's config.
 */
import { z } from 'zod';

export const serverLimitsSchema = z
  .object({
    /** Open client connections the server accepts at once; past it new connections are refused. */
    maxConnections: z.number().int().min(1).max(10_000_000),
    /** Most events one poll answer carries; a client further behind gets the oldest page and asks again. */
    catchUpMaxEvents: z.number().int().min(1).max(10_000_000),
    /** Bytes a WebSocket or SSE client may leave unread in the server's buffer before it is dropped. */
    slowConsumerMaxBytes: z
      .number()
      .int()
      .min(1024)
      .max(1 << 30),
    /** A connection that has not sent its whole request head by then is closed (node's headersTimeout). */
    headersTimeoutMs: z.number().int().min(100).max(600_000),
    /** A request that has not been received in full by then is answered 408 (node's requestTimeout). */
    requestTimeoutMs: z.number().int().min(100).max(600_000),
  })
  .strict();
export type ServerLimits = z.infer<typeof serverLimitsSchema>;

/** Browser Origins the server serves, besides its own; clients that send no Origin are always served. */
export const allowOriginsSchema = z.array(z.string().min(1)).max(100);

/**
 * What keeps an idle connection alive, per transport, set explicitly: a WebSocket ping every
 * `wsPingMs`, an SSE comment line every `sseCommentMs` (null: none, today's behaviour). Long polling's
 * is its wait expiry and short polling's its empty answers, already job parameters.
 */
export const keepAliveSchema = z
  .object({
    wsPingMs: z.number().int().min(100).max(3_600_000).nullable(),
    sseCommentMs: z.number().int().min(100).max(3_600_000).nullable(),
  })
  .strict();
export type KeepAlive = z.infer<typeof keepAliveSchema>;

/** No keep-alive traffic: what every result before issue 12 measured. */
export const NO_KEEP_ALIVE: KeepAlive = { wsPingMs: null, sseCommentMs: null };

/**
 * The defaults (helpers implementing each limit may tune these with their reasons): far above what the
 * default scenarios reach (the capacity scenario's largest audience, a poll's events at the highest
 * rate and interval, a burst's bytes), low enough that one hostile client cannot take the machine.
 */
export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  maxConnections: 100_000,
  catchUpMaxEvents: 2_000,
  slowConsumerMaxBytes: 4 * 1024 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
};
