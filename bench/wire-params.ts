/**
 * What a job's clients send and its server answers (issue 11): HTTP version, request and response
 * header profiles, event encoding, payload content, compression and upstream messages. Axes of the
 * matrix like the network path; each is part of a job's id and parameter set, and each default is
 * what pollbench measured before these axes existed, so a job on every default keeps its id (and
 * joins, and gates against, older results).
 */
import { z } from 'zod';
import { MAX_MESSAGE_BYTES, MIN_MESSAGE_BYTES } from '../servers/contract/upstream-message.ts';
import {
  compressionSchema,
  eventEncodingSchema,
  httpVersionSchema,
  payloadContentSchema,
  requestHeaderProfileSchema,
  responseHeaderProfileSchema,
  type Compression,
  type EventEncoding,
  type HttpVersion,
  type PayloadContent,
  type RequestHeaderProfile,
  type ResponseHeaderProfile,
} from '../servers/contract/wire-options.ts';

/** Clients that also publish: one message of `messageBytes` every `intervalMs` per client, echoed back. */
export const upstreamWorkloadSchema = z
  .object({
    intervalMs: z.number().int().min(10).max(600_000),
    messageBytes: z.number().int().min(MIN_MESSAGE_BYTES).max(MAX_MESSAGE_BYTES),
  })
  .strict();
export type UpstreamWorkload = z.infer<typeof upstreamWorkloadSchema>;

export { DEFAULT_COOKIE_BYTES } from './clients/request-headers.ts';

/** Job fields of the wire; results written before these axes existed were all on the defaults. */
export const wireParamsShape = {
  http: httpVersionSchema.default('1.1'),
  requestHeaders: requestHeaderProfileSchema.default('minimal'),
  /** Bytes of the Cookie header value the browser profile adds (0 for the others). */
  cookieBytes: z.number().int().min(0).default(0),
  responseHeaders: responseHeaderProfileSchema.default('default'),
  encoding: eventEncodingSchema.default('json'),
  payloadContent: payloadContentSchema.default('text'),
  compression: compressionSchema.default('off'),
  upstream: upstreamWorkloadSchema.nullable().default(null),
};

/** One entry of a scenario's explicit wire list: what differs from DEFAULT_WIRE (cookieBytes is the scenario's). */
export const wireVariantSchema = z
  .object({
    http: httpVersionSchema.optional(),
    requestHeaders: requestHeaderProfileSchema.optional(),
    responseHeaders: z.enum(['default', 'lean']).optional(),
    encoding: eventEncodingSchema.optional(),
    payloadContent: payloadContentSchema.optional(),
    compression: compressionSchema.optional(),
    upstream: upstreamWorkloadSchema.nullable().optional(),
  })
  .strict();

export interface WireParams {
  http: HttpVersion;
  requestHeaders: RequestHeaderProfile;
  cookieBytes: number;
  responseHeaders: ResponseHeaderProfile;
  encoding: EventEncoding;
  payloadContent: PayloadContent;
  compression: Compression;
  upstream: UpstreamWorkload | null;
}

/** Every figure pollbench published before issue 11: HTTP/1.1, minimal headers, JSON text, no compression. */
export const DEFAULT_WIRE: WireParams = {
  http: '1.1',
  requestHeaders: 'minimal',
  cookieBytes: 0,
  responseHeaders: 'default',
  encoding: 'json',
  payloadContent: 'text',
  compression: 'off',
  upstream: null,
};

/**
 * The wire's part of a job id or parameter set: empty on every default, else e.g.
 * ` http=2 headers=browser(cookie=1200B) response=lean encoding=binary compression=on`.
 */
export function wireLabel(w: WireParams): string {
  const parts = [
    ...(w.http !== DEFAULT_WIRE.http ? [`http=${w.http}`] : []),
    ...(w.requestHeaders !== DEFAULT_WIRE.requestHeaders
      ? [`headers=${w.requestHeaders}${w.cookieBytes > 0 ? `(cookie=${w.cookieBytes}B)` : ''}`]
      : []),
    ...(w.responseHeaders !== DEFAULT_WIRE.responseHeaders ? [`response=${w.responseHeaders}`] : []),
    ...(w.encoding !== DEFAULT_WIRE.encoding ? [`encoding=${w.encoding}`] : []),
    ...(w.payloadContent !== DEFAULT_WIRE.payloadContent ? [`content=${w.payloadContent}`] : []),
    ...(w.compression !== DEFAULT_WIRE.compression ? [`compression=${w.compression}`] : []),
    ...(w.upstream ? [`upstream=${w.upstream.messageBytes}B/${w.upstream.intervalMs}ms`] : []),
  ];
  return parts.map((part) => ` ${part}`).join('');
}
