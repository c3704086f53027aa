/**
 * The HTTP version a job's server itself speaks: the job's, unless a proxy stands in front (nginx
 * speaks the job's version to the clients and HTTP/1.1 keep-alive to the server, as operators deploy
 * it). A file of its own, free of zod, because the load generator reads it for its prewarm and its
 * bundle carries no validation (test/unit/load-footprint.test.ts).
 */
import type { HttpVersion } from '../servers/contract/wire-options.ts';

export function serverHttpVersion(params: { http: HttpVersion; proxy: string }): HttpVersion {
  return params.proxy === 'none' ? params.http : '1.1';
}
