/**
 * The request target (RFC 9112 §3.2), read the same way by every stack: express, node:http, node:http2
 * and the ws upgrade all route on what this returns, so they cannot disagree on which path a request
 * names.
 *
 * - origin-form `/events?since=0`: the path is what precedes `?`;
 * - absolute-form `http://host:port/events?since=0`: "a server MUST accept the absolute-form in
 *   requests" (RFC 9112 §3.2.2); the path is the part after the authority (`/` when none), and the
 *   authority is the target's host (RFC 9112 §3.3: the target URI is the request-target itself), which
 *   the Host check reads instead of the Host field;
 * - asterisk-form `*` (OPTIONS only, RFC 9112 §3.2.4): the server as a whole;
 * - anything else (authority-form belongs to CONNECT, which nothing here serves; an absolute URL whose
 *   authority is not host[:port]) is not a target.
 *
 * `originForm` is the target as express's router is handed it: the path this module read, so the
 * router can never read another one.
 *
 * Paths are compared exactly, case-sensitively, without decoding or dot-segment removal: RFC 3986
 * §6.2.1 makes the exact string the first equivalence test, the clients only send the exact paths, and a
 * path that needs normalising is answered 404 by both stacks rather than served under two names.
 */
export type RequestTarget =
  | { form: 'origin'; path: string }
  | { form: 'absolute'; path: string; authority: string }
  | { form: 'asterisk' }
  | { form: 'invalid' };

const ABSOLUTE = /^https?:\/\/([^/?#]*)([^?#]*)/i;
/** host[:port]: a reg-name or IPv4 address, or an IPv6 literal in brackets (no userinfo: RFC 9110 §4.2.4). */
const AUTHORITY = /^([a-z0-9._~-]+|\[[0-9a-f:.]+\])(:\d{0,5})?$/i;

export function targetOf(url: string | undefined): RequestTarget {
  const target = url ?? '';
  if (target.startsWith('/')) {
    const q = target.indexOf('?');
    return { form: 'origin', path: q === -1 ? target : target.slice(0, q) };
  }
  if (target === '*') return { form: 'asterisk' };
  const absolute = ABSOLUTE.exec(target);
  // An authority that is not host[:port] names no server: not a target (each URL parser would read it its own way).
  if (absolute && AUTHORITY.test(absolute[1] ?? ''))
    return { form: 'absolute', authority: absolute[1] ?? '', path: absolute[2] || '/' };
  return { form: 'invalid' };
}

/** The origin-form of a target this module read as a path (absolute-form loses its scheme and authority). */
export function originForm(url: string, path: string): string {
  const q = url.indexOf('?');
  return q === -1 ? path : path + url.slice(q);
}
