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
 * - anything else (authority-form belongs to CONNECT, which nothing here serves) is not a target.
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

export function targetOf(url: string | undefined): RequestTarget {
  const target = url ?? '';
  if (target.startsWith('/')) {
    const q = target.indexOf('?');
    return { form: 'origin', path: q === -1 ? target : target.slice(0, q) };
  }
  if (target === '*') return { form: 'asterisk' };
  const absolute = ABSOLUTE.exec(target);
  if (absolute) return { form: 'absolute', authority: absolute[1] ?? '', path: absolute[2] || '/' };
  return { form: 'invalid' };
}
