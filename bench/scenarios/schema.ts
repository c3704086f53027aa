/**
 * What a scenario is: plain data. A parameter matrix (each axis a list of values), fixed settings,
 * timing and repetitions. matrix.ts expands it into jobs; nothing here runs anything.
 */
import { z } from 'zod';
import { MAX_PAYLOAD_BYTES, TRANSPORT_NAMES } from '../../servers/contract/protocol.ts';
import { shapeSchema } from '../../servers/contract/shape-schema.ts';
import { frameworkSchema } from '../../servers/contract/server-config.ts';
import { networkProfileSchema } from '../network/profiles.ts';
import { proxySchema } from '../network-path.ts';
import { upstreamWorkloadSchema, wireVariantSchema } from '../wire-params.ts';
import { WORKLOAD_KINDS, workloadSchema } from '../workload-params.ts';
import { deploymentSchema } from '../deployment-params.ts';
import { keepAliveSchema } from '../../servers/contract/server-limits.ts';
import {
  compressionSchema,
  eventEncodingSchema,
  httpVersionSchema,
  payloadContentSchema,
  requestHeaderProfileSchema,
} from '../../servers/contract/wire-options.ts';

const nonEmpty = <T extends z.ZodType>(item: T) => z.array(item).min(1, 'needs at least one value');

export const scenarioSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    description: z.string(),
    transports: nonEmpty(z.enum(TRANSPORT_NAMES)),
    matrix: z
      .object({
        shapes: nonEmpty(shapeSchema),
        // A sanity bound only: what a machine can run is checked before the run (the descriptor plan,
        // the ports of the source addresses), and the capacity search and its projection go far past 20,000.
        clients: nonEmpty(z.number().int().min(1).max(1_000_000)),
        payloadBytes: nonEmpty(z.number().int().min(0).max(MAX_PAYLOAD_BYTES)),
        /** Short polling only: the fixed schedule of polls, per client. */
        pollIntervalMs: nonEmpty(z.number().int().min(10).max(600_000)),
        /** Emulated networks between clients and server (bench/network/profiles.ts); absent: loopback only. */
        networks: nonEmpty(networkProfileSchema).optional(),
        /** TLS off, on, or both; absent: off. */
        tls: nonEmpty(z.boolean()).optional(),
        /** Reverse proxy in front of the server; absent: none. */
        proxies: nonEmpty(proxySchema).optional(),
        /** HTTP versions (bench/wire-params.ts); absent: 1.1. A transport without HTTP/2 runs once, on 1.1. */
        http: nonEmpty(httpVersionSchema).optional(),
        /** Request header profiles; absent: minimal. `2010` brings the article's response headers with it. */
        headers: nonEmpty(requestHeaderProfileSchema).optional(),
        /** Response header profiles of the HTTP servers, default or lean; absent: default. */
        responseHeaders: nonEmpty(z.enum(['default', 'lean'])).optional(),
        /** Event encodings; absent: json. */
        encodings: nonEmpty(eventEncodingSchema).optional(),
        /** Payload contents; absent: text. */
        payloadContents: nonEmpty(payloadContentSchema).optional(),
        /** Compression; absent: off. */
        compression: nonEmpty(compressionSchema).optional(),
        /** Upstream message workloads, null for none; absent: none. */
        upstream: nonEmpty(upstreamWorkloadSchema.nullable()).optional(),
        /**
         * An explicit list of wires instead of the product of the wire axes above (each entry names what
         * differs from the defaults), for comparing one axis at a time without running every combination.
         */
        wires: nonEmpty(wireVariantSchema).optional(),
        /** What happens besides the feed (bench/workload-params.ts); absent: steady. */
        workloads: nonEmpty(workloadSchema).optional(),
        /** Server processes and the broker they read the feed through (bench/deployment-params.ts); absent: one process, memory. */
        deployments: nonEmpty(deploymentSchema).optional(),
        /**
         * Cells of the product left out: a cell matching every field an entry names is not run
         * (for every transport). Each named value must be on its axis.
         */
        exclude: z
          .array(
            z
              .object({
                shape: shapeSchema.optional(),
                clients: z.number().int().optional(),
                payloadBytes: z.number().int().optional(),
                /** A network profile's name in `networks`. */
                network: z.string().optional(),
                /** A wire's HTTP version or request header profile: that wire's cells only. */
                http: httpVersionSchema.optional(),
                headers: requestHeaderProfileSchema.optional(),
                /** A workload's kind (bench/workload-params.ts): that workload's cells only. */
                workload: z.enum(WORKLOAD_KINDS).optional(),
              })
              .strict(),
          )
          .optional(),
      })
      .strict(),
    framework: frameworkSchema,
    /** Long polling: how long the server may hold a request (below the server's 60 s cap). */
    longPollWaitMs: z.number().int().min(1).max(60_000),
    /**
     * WebSocket permessage-deflate with ws's own defaults (a 1 KiB threshold, so small events stay
     * uncompressed), as results before the compression axis recorded it; the `compression` axis sets
     * every parameter explicitly instead. Absent: off.
     */
    perMessageDeflate: z.boolean().optional(),
    /** The keep-alive traffic servers send to idle clients (servers/contract/server-limits.ts); absent: none. */
    keepAlive: keepAliveSchema.optional(),
    /** Bytes of the Cookie header the browser header profile sends; absent: the profile's cited default. */
    cookieBytes: z
      .number()
      .int()
      .min(0)
      // Node's server refuses request heads over 16 KiB; bench/clients/request-headers.ts cookieValue.
      .max(12_000)
      .refine((n) => n === 0 || n >= 4, 'a cookie is at least 4 bytes (c0=x) or none')
      .optional(),
    ringCapacity: z.number().int().min(16).max(10_000_000),
    timing: z
      .object({
        /** Workload runs this long after everyone connected, excluded from the figures. */
        warmupMs: z.number().int().min(0).max(600_000),
        /** Measurement window. */
        measureMs: z.number().int().min(200).max(3_600_000),
        /** Minimum wait after the window; it then waits (capped) until every client has the window's last event. */
        drainMs: z.number().int().min(0).max(600_000),
        /** HTTP requests fired at a polling server before anything is measured, to get past the JIT. */
        prewarmRequests: z.number().int().min(0).max(1_000_000),
        /** A soak (--soak, bench/idle-cli.ts): the server's memory and handles sampled this often through the window. */
        soakSampleMs: z.number().int().min(100).max(600_000).optional(),
      })
      .strict(),
    repetitions: z.number().int().min(1).max(1000),
  })
  .strict();

export type Scenario = z.infer<typeof scenarioSchema>;
