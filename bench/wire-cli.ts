/**
 * The command-line options of the wire axes (bench/wire-params.ts): each a comma-separated list of
 * an enum's values, replacing the scenario's axis. Any bad value is one sentence naming the choices.
 */
import type { z } from 'zod';
import type { Scenario } from './scenarios/schema.ts';
import {
  compressionSchema,
  eventEncodingSchema,
  httpVersionSchema,
  payloadContentSchema,
  requestHeaderProfileSchema,
} from '../servers/contract/wire-options.ts';
import type { UpstreamWorkload } from './wire-params.ts';

export class WireOptionError extends Error {}

/** parseArgs option specs of the wire axes, merged into the CLI's. */
export const WIRE_OPTIONS = {
  http: { type: 'string' },
  headers: { type: 'string' },
  'response-headers': { type: 'string' },
  'cookie-bytes': { type: 'string' },
  encoding: { type: 'string' },
  'payload-content': { type: 'string' },
  compression: { type: 'string' },
  upstream: { type: 'string' },
} as const;

export type WireOptionValues = Partial<Record<keyof typeof WIRE_OPTIONS, string>>;

/** Default size of an upstream message when --upstream names only the interval: a short chat line. */
export const DEFAULT_MESSAGE_BYTES = 64;

export const WIRE_USAGE = `  --http <list>          HTTP versions for polling and SSE: 1.1, 2 (h2 with --tls, h2c without);
                         WebSocket stays on its HTTP/1.1 upgrade
  --headers <list>       request header profiles: minimal (undici's), browser (Chromium's, captured,
                         plus a cookie), 2010 (the 2010 article's 871 bytes, its response headers too)
  --response-headers <list>  default (express/node:http defaults) or lean (only what HTTP requires)
  --cookie-bytes <n>     size of the browser profile's Cookie header value
  --encoding <list>      json or binary (WebSocket binary frames, octet-stream polls, base64 SSE)
  --payload-content <list>  text (realistic, compressible as stated in the README) or random
  --compression <list>   off, on (permessage-deflate / gzip, context kept), on-no-takeover
  --upstream <ms>[:<bytes>]  clients also send a message every <ms> (default ${DEFAULT_MESSAGE_BYTES} bytes), echoed back`;

function enumList<T extends string>(
  name: string,
  raw: string | undefined,
  schema: z.ZodEnum<Record<T, T>>,
): T[] | undefined {
  if (raw === undefined) return undefined;
  // Numeric-looking keys (HTTP versions) come first in an enum's object order: list them sorted.
  const known = [...(schema.options as readonly string[])].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const values = raw.split(',').map((v) => v.trim());
  const bad = values.find((v) => !known.includes(v));
  if (bad !== undefined)
    throw new WireOptionError(`--${name}: unknown value "${bad}"; choose from ${known.join(', ')}`);
  return values as T[];
}

function upstreamWorkload(raw: string): UpstreamWorkload {
  const m = /^([0-9]+)(?::([0-9]+))?$/.exec(raw.trim());
  if (!m) throw new WireOptionError(`--upstream must be <interval ms>[:<message bytes>], e.g. 1000:64, got "${raw}"`);
  return { intervalMs: Number(m[1]), messageBytes: m[2] === undefined ? DEFAULT_MESSAGE_BYTES : Number(m[2]) };
}

/** Applies the wire options to a scenario in place (validation of ranges is the scenario schema's). */
export function applyWireOptions(s: Scenario, values: WireOptionValues): void {
  // A wire option asks for the product of the wire axes: it replaces the scenario's explicit list.
  const given = (Object.keys(WIRE_OPTIONS) as (keyof WireOptionValues)[]).some(
    (k) => k !== 'cookie-bytes' && values[k] !== undefined,
  );
  if (given) delete s.matrix.wires;
  const http = enumList('http', values.http, httpVersionSchema);
  if (http) s.matrix.http = http;
  const headers = enumList('headers', values.headers, requestHeaderProfileSchema);
  if (headers) s.matrix.headers = headers;
  const responses = values['response-headers'];
  if (responses !== undefined) {
    const list = responses.split(',').map((v) => v.trim());
    const bad = list.find((v) => v !== 'default' && v !== 'lean');
    if (bad !== undefined)
      throw new WireOptionError(`--response-headers: unknown value "${bad}"; choose from default, lean`);
    s.matrix.responseHeaders = list as ('default' | 'lean')[];
  }
  const cookie = values['cookie-bytes'];
  if (cookie !== undefined) {
    if (!/^[0-9]+$/.test(cookie.trim()))
      throw new WireOptionError(`--cookie-bytes must be a whole number, got "${cookie}"`);
    s.cookieBytes = Number(cookie);
  }
  const encodings = enumList('encoding', values.encoding, eventEncodingSchema);
  if (encodings) s.matrix.encodings = encodings;
  const contents = enumList('payload-content', values['payload-content'], payloadContentSchema);
  if (contents) s.matrix.payloadContents = contents;
  const compression = enumList('compression', values.compression, compressionSchema);
  if (compression) s.matrix.compression = compression;
  if (values.upstream !== undefined) {
    s.matrix.upstream = [upstreamWorkload(values.upstream)];
    // HTTP clients send messages with minimal headers over HTTP/1.1 only (bench/matrix.ts says why):
    // unless asked otherwise, --upstream measures on that wire rather than refuse the scenario's others.
    if (values.headers === undefined) s.matrix.headers = ['minimal'];
    if (values.http === undefined) s.matrix.http = ['1.1'];
  }
  // Excluded cells that name a wire no longer asked for were about the scenario's own wires.
  if (given && s.matrix.exclude) {
    const http = s.matrix.http ?? ['1.1'];
    const headers = s.matrix.headers ?? ['minimal'];
    s.matrix.exclude = s.matrix.exclude.filter(
      (cell) =>
        (cell.http === undefined || http.includes(cell.http)) &&
        (cell.headers === undefined || headers.includes(cell.headers)),
    );
    if (s.matrix.exclude.length === 0) delete s.matrix.exclude;
  }
}
