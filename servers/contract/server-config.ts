/**
 * Contract (servers/contract/). Imported by the server process (servers/main.ts validates its argument
 * with it; servers/start.ts, servers/http-host.ts) and by what builds a server's config: the
 * orchestrator, the CLI's --inject-regression (bench/args.ts, bench/ci/against.ts) and the tests. The
 * scenario and result schemas take their framework enum from here, the throughput side benchmark its
 * Framework type.
 *
 * The server process's configuration, validated at the process boundary (it arrives as JSON on the
 * command line from the orchestrator, or from a human running servers/main.ts by hand).
 */
import { z } from 'zod';
import { TRANSPORT_NAMES } from './protocol.ts';
import {
  compressionSchema,
  eventEncodingSchema,
  httpVersionSchema,
  responseHeaderProfileSchema,
} from './wire-options.ts';
import { allowOriginsSchema, keepAliveSchema, serverLimitsSchema } from './server-limits.ts';
import { redisStreamSchema } from './broker-stream.ts';

/** What serves HTTP: express, or bare node:http (WebSocket always runs ws on node:http). */
export const frameworkSchema = z.enum(['express', 'node']);
export type Framework = z.infer<typeof frameworkSchema>;

/**
 * Where a feed server's events come from: a publisher outside the server process (servers/contract/feed-wire.ts;
 * bench/publisher/main.ts is one), a Redis stream the publisher appends to (`--broker redis`:
 * broker-stream.ts, servers/redis-upstream.ts), or 'in-process' for tests that append events by hand
 * through Feed.publish (a server process refuses it: nothing would ever publish).
 */
export const upstreamSchema = z.union([
  z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65_535) }),
  z.object({ redis: redisStreamSchema }),
  z.literal('in-process'),
]);
export type UpstreamConfig = z.infer<typeof upstreamSchema>;

export const feedConfigSchema = z.object({
  upstream: upstreamSchema,
  ringCapacity: z.number().int().min(1).max(10_000_000),
});

/**
 * Regressions injected on purpose, for proving that the CI gate catches them (never in a normal run):
 * padding added to every HTTP response's headers, and a fixed delay before every push to
 * subscribers (long polling, SSE, WebSocket; short polling reads the ring and is not delayed).
 */
export const injectSchema = z.object({
  extraResponseHeaderBytes: z.number().int().min(0).max(60_000).default(0),
  pushDelayMs: z.number().min(0).max(10_000).default(0),
});
export type Inject = z.infer<typeof injectSchema>;

/**
 * TLS for a server: its PEM certificate and key (bench/tls/certificate.ts makes a fresh pair per run).
 * Given, a feed server serves https (and wss on the same server) and an echo server TLS over TCP or
 * wss; bytes stay counted at the TCP socket, so they include the TLS records.
 */
const tlsSchema = z.object({ cert: z.string(), key: z.string() });

export const serverConfigSchema = z.discriminatedUnion('role', [
  z.object({
    role: z.literal('feed'),
    transport: z.enum(TRANSPORT_NAMES),
    framework: frameworkSchema,
    perMessageDeflate: z.boolean(),
    /** What real clients send and servers answer (wire-options.ts); absent = each one's default, the original behaviour. */
    http: httpVersionSchema.optional(),
    responseHeaders: responseHeaderProfileSchema.optional(),
    encoding: eventEncodingSchema.optional(),
    compression: compressionSchema.optional(),
    feed: feedConfigSchema,
    host: z.string().default('127.0.0.1'),
    /** Absent or 0: any free port; a server restarted mid-run (issue 12) binds its predecessor's port again. */
    port: z.number().int().min(0).max(65_535).optional(),
    /** Absent: the defaults of the implementing helpers (servers/contract/server-limits.ts). */
    limits: serverLimitsSchema.partial().optional(),
    allowOrigins: allowOriginsSchema.optional(),
    keepAlive: keepAliveSchema.optional(),
    inject: injectSchema.optional(),
    tls: tlsSchema.optional(),
    /**
     * Twin server processes sharing this one listening address (servers/cluster-primary.ts). Absent or
     * 1: this process serves alone, as before; N > 1: it becomes a cluster primary over N workers.
     */
    processes: z.number().int().min(1).max(64).optional(),
    /** How a cluster's connections reach its workers (servers/cluster-primary.ts says why 'rr' is the default). */
    clusterScheduling: z.enum(['rr', 'none']).optional(),
  }),
  // Calibration: the physical floor on this machine in the same process layout.
  z.object({
    role: z.literal('echo'),
    kind: z.enum(['tcp', 'ws']),
    host: z.string().default('127.0.0.1'),
    tls: tlsSchema.optional(),
  }),
]);

export type ServerConfig = z.infer<typeof serverConfigSchema>;
export type TlsConfig = z.infer<typeof tlsSchema>;
