/**
 * The one request classifier of every HTTP stack (issue 12 defect 7: express and node:http answered 11
 * of 793 odd requests differently; test/integration/stack-parity.test.ts found 32 of about 157 per HTTP
 * transport: trailing slash, case, OPTIONS, absolute-form). Both stacks, and node:http2, run a request through `front` first;
 * it answers everything but an exact route itself, so the stacks differ only in how a routed request
 * reaches its handler (express's router and middleware, or a Map lookup): the framework cost the
 * comparison is about.
 *
 * One behaviour per case, as RFC 9110 has it:
 * - Host check, then Origin check (servers/access-policy.ts): 421 or 403;
 * - the path is matched exactly and case-sensitively (servers/request-target.ts: absolute-form
 *   accepted, no trailing-slash redirect, no decoding); an unknown path is a JSON 404;
 * - a known path with a method it does not serve is a JSON 405 with `Allow` (§15.5.6: "MUST generate
 *   an Allow header field"); GET routes serve HEAD too (§9.3.2);
 * - OPTIONS on a known path, or `OPTIONS *`, is 204 with `Allow` (§9.3.7); from an allowed cross-origin
 *   page it is the CORS preflight, with the Access-Control-Allow-* fields and a Max-Age;
 * - a target that is none of the forms (or `*` with another method) is a JSON 400.
 * Normal requests (an exact GET or POST route, same-origin or without Origin) pass through untouched:
 * their answers' bytes are what the published figures measured.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError } from './json-answer.ts';
import { allowCrossOrigin, type AccessPolicy, type Refusal } from './access-policy.ts';
import { originForm, targetOf } from './request-target.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** What a browser may send cross-origin: Last-Event-ID (SSE resume) and Content-Type (POST of a message). */
const PREFLIGHT_HEADERS = 'Last-Event-ID, Content-Type';
/** How long a browser may cache a preflight answer, s (Chromium caps it at 7200). */
const PREFLIGHT_MAX_AGE_S = 600;

export class RouteTable {
  private readonly routes = new Map<string, Map<string, Handler>>();

  constructor(private readonly access: AccessPolicy) {}

  add(method: 'GET' | 'POST', path: string, handler: Handler): void {
    let methods = this.routes.get(path);
    if (!methods) this.routes.set(path, (methods = new Map()));
    methods.set(method, handler);
    if (method === 'GET') methods.set('HEAD', handler);
  }

  /** The Host and Origin checks alone, for a WebSocket upgrade (which has no CORS: only refusal or not). */
  admitUpgrade(req: IncomingMessage): Refusal | undefined {
    return this.access.admit(req, targetOf(req.url)).refused;
  }

  /**
   * The handler of a request on an exact route, with CORS fields set when it is an allowed cross-origin
   * one; undefined when the request has been answered here instead.
   */
  front(req: IncomingMessage, res: ServerResponse): Handler | undefined {
    const target = targetOf(req.url);
    const admission = this.access.admit(req, target);
    if (admission.refused) {
      const { status, body } = admission.refused;
      sendError(res, status, body.error, body.message);
      return undefined;
    }
    if (admission.corsOrigin !== undefined) allowCrossOrigin(res, admission.corsOrigin);
    const method = req.method ?? '';
    if (target.form === 'asterisk' && method === 'OPTIONS') return answerOptions(req, res, 'GET, HEAD, POST, OPTIONS');
    if (target.form !== 'origin' && target.form !== 'absolute') {
      sendError(res, 400, 'bad_request', 'the request target is neither a path nor an absolute URL');
      return undefined;
    }
    const methods = this.routes.get(target.path);
    if (!methods) {
      sendError(res, 404, 'not_found', `no route for ${method} ${target.path}`);
      return undefined;
    }
    const handler = methods.get(method);
    if (handler) {
      // Whatever reads req.url next (express's router, the handler's query) reads the path read here.
      if (target.form === 'absolute') req.url = originForm(req.url ?? '', target.path);
      return handler;
    }
    const allow = [...methods.keys(), 'OPTIONS'].join(', ');
    if (method === 'OPTIONS') return answerOptions(req, res, allow);
    res.setHeader('allow', allow);
    sendError(res, 405, 'method_not_allowed', `${target.path} serves ${allow}, not ${method}`);
    return undefined;
  }
}

/** 204 with Allow; a CORS preflight (allowed, so Access-Control-Allow-Origin is set) gets its fields too. */
function answerOptions(req: IncomingMessage, res: ServerResponse, allow: string): undefined {
  res.setHeader('allow', allow);
  if (res.hasHeader('access-control-allow-origin') && req.headers['access-control-request-method'] !== undefined) {
    res.setHeader('access-control-allow-methods', allow);
    res.setHeader('access-control-allow-headers', PREFLIGHT_HEADERS);
    res.setHeader('access-control-max-age', PREFLIGHT_MAX_AGE_S);
  }
  res.writeHead(204);
  res.end();
  return undefined;
}
