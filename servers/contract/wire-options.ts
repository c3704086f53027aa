/**
 * Contract (servers/contract/). Imported by the server config (server-config.ts), the clients'
 * options (bench/clients/types.ts), the job parameters and scenario schema (bench/), and the reports.
 *
 * What real clients send and servers answer, as axes of the comparison (issue 11): the HTTP version,
 * the request and response header profiles, the event encoding, the payload's content and
 * compression. Each default is what pollbench measured before these axes existed, so a job on every
 * default keeps its id and joins older results.
 */
import { z } from 'zod';

/**
 * HTTP/1.1, or HTTP/2 with one connection per client and one stream per request: `h2` over TLS (ALPN,
 * what browsers use), `h2c` in cleartext (prior knowledge). WebSocket stays on its HTTP/1.1 upgrade.
 */
export const httpVersionSchema = z.enum(['1.1', '2']);
export type HttpVersion = z.infer<typeof httpVersionSchema>;

/**
 * The request headers clients send: `minimal` (undici's own, what pollbench always sent), `browser`
 * (what Debian's Chromium sends for fetch(), EventSource and new WebSocket(), captured, plus a cookie),
 * `2010` (a set summing to the 871 bytes of the 2010 scalability article).
 */
export const requestHeaderProfileSchema = z.enum(['minimal', 'browser', '2010']);
export type RequestHeaderProfile = z.infer<typeof requestHeaderProfileSchema>;

/**
 * The response headers servers send: express's and node:http's defaults, only what HTTP requires
 * (`lean`), or the 2010 article's response headers (`2010`, the other half of its 871 bytes).
 */
export const responseHeaderProfileSchema = z.enum(['default', 'lean', '2010']);
export type ResponseHeaderProfile = z.infer<typeof responseHeaderProfileSchema>;

/**
 * How an event travels: `json` text (what every transport sent before), or a compact binary record
 * (WebSocket binary frames, application/octet-stream poll bodies, base64 in SSE's text-only stream).
 */
export const eventEncodingSchema = z.enum(['json', 'binary']);
export type EventEncoding = z.infer<typeof eventEncodingSchema>;

/**
 * What the payload holds: `text`, realistic and stated compressibility; `random`, incompressible bytes
 * in the binary encoding (and random characters of a 64-letter alphabet in JSON, which no encoder can
 * shrink below 6 bits a character).
 */
export const payloadContentSchema = z.enum(['text', 'random']);
export type PayloadContent = z.infer<typeof payloadContentSchema>;

/**
 * Compression: `off`; `on`, with context kept across messages (WebSocket permessage-deflate with
 * context takeover on both ends; HTTP gzip, SSE as one gzip stream flushed after each event);
 * `on-no-takeover`, every message compressed alone (permessage-deflate with
 * server_no_context_takeover and client_no_context_takeover; SSE with a full flush per event; a poll
 * answer is one gzip body either way).
 */
export const compressionSchema = z.enum(['off', 'on', 'on-no-takeover']);
export type Compression = z.infer<typeof compressionSchema>;
