/**
 * Who may talk to a feed server (issue 12): the Host check against DNS rebinding and the Origin
 * allowlist against cross-site WebSocket hijacking and cross-site reads (OWASP ASVS 4.4.2). One policy
 * for every stack: the HTTP front door (servers/routing.ts) and the WebSocket upgrade ask the same
 * question.
 *
 * Host: the target's hostname (the Host field, HTTP/2's :authority, or an absolute-form target's
 * authority) must name this server: the address its listening socket is bound to, the local address
 * the client connected to, a loopback name (127.0.0.1, localhost, [::1]) or the host the config names.
 * Any port: the relays (bench/network) and nginx (bench/proxy, `proxy_set_header Host $http_host`) pass
 * the client's Host with their own port. Otherwise 421 Misdirected Request (RFC 9110 §15.5.20: "the
 * request was directed at a server that is unable or unwilling to produce an authoritative response
 * for the target URI"), which says exactly what a rebound name is, rather than 403, which would say
 * the client lacks a permission it could ever have. A request without any Host (HTTP/1.0) is served:
 * a browser, the only client DNS rebinding can steer, always sends one.
 *
 * Origin: a request without an Origin (a non-browser client) is served. One with an Origin is served
 * when it is the server's own origin (http or https with the request's own authority: a page from this
 * server, directly or through a TLS-terminating proxy), or listed in `allowOrigins` (compared
 * case-insensitively, a trailing slash ignored; `*` allows any Origin, the seed's behaviour, for an
 * operator who says so). Otherwise 403. A served cross-origin request gets
 * `Access-Control-Allow-Origin: <its origin>` and `Vary: Origin`; same-origin and Origin-less answers
 * get nothing added, so their bytes stay what every published figure measured.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:net';
import type { ErrorBody } from './contract/protocol.ts';
import type { ServerCounters } from './counters.ts';
import type { RequestTarget } from './request-target.ts';

export interface AccessConfig {
  /** Browser origins served besides the server's own (ServerConfig.allowOrigins); '*' = any. */
  allowOrigins?: readonly string[];
  /** The host the config names (ServerConfig.host), accepted in Host besides the bound address. */
  host?: string;
}

export interface Refusal {
  status: 403 | 421;
  body: ErrorBody;
}

/** What a request may do: be refused, be served as is, or be served with CORS fields (its Origin). */
export type Admission = { refused: Refusal } | { refused?: undefined; corsOrigin?: string };

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];

/** An address as it appears in a Host field: IPv6 in brackets, IPv4-mapped IPv6 as IPv4, lower case. */
function hostForm(address: string): string {
  const plain = address.toLowerCase().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
  return plain.includes(':') && !plain.startsWith('[') ? `[${plain}]` : plain;
}

/** The hostname of an authority (`host`, `host:port`, `[v6]:port`), lower case, one trailing dot dropped. */
function hostnameOf(authority: string): string {
  const lower = authority.toLowerCase();
  const end = lower.startsWith('[') ? lower.indexOf(']') + 1 : lower.indexOf(':');
  const name = end <= 0 ? lower : lower.slice(0, end);
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

function normaliseOrigin(origin: string): string {
  const lower = origin.trim().toLowerCase();
  return lower.endsWith('/') ? lower.slice(0, -1) : lower;
}

export class AccessPolicy {
  private readonly names: Set<string>;
  private readonly anyOrigin: boolean;
  private readonly origins: Set<string>;

  constructor(
    server: Server,
    private readonly counters: ServerCounters,
    config: AccessConfig = {},
  ) {
    this.names = new Set(LOOPBACK);
    if (config.host) this.names.add(hostForm(config.host));
    // The bound address comes from the listening socket (not the config): port 0 and a name that
    // resolved to an address both end up here as what the kernel really bound.
    server.on('listening', () => {
      const address = server.address();
      if (address && typeof address === 'object') this.names.add(hostForm(address.address));
    });
    const listed = config.allowOrigins ?? [];
    this.anyOrigin = listed.includes('*');
    this.origins = new Set(listed.map(normaliseOrigin));
  }

  /** The Host check, then the Origin check, for one request (HTTP or a WebSocket upgrade). */
  admit(req: IncomingMessage, target: RequestTarget): Admission {
    const authority = this.authorityOf(req, target);
    if (authority !== undefined && !this.hostAllowed(authority, req)) {
      this.counters.hostRefused++;
      return refusal(
        421,
        'misdirected_request',
        `this server does not serve host ${JSON.stringify(authority.slice(0, 100))}`,
      );
    }
    const origin = req.headers.origin;
    if (origin === undefined) return {};
    const normalised = normaliseOrigin(origin);
    if (authority !== undefined) {
      const own = authority.toLowerCase();
      if (normalised === `http://${own}` || normalised === `https://${own}`) return {};
    }
    if (this.anyOrigin || this.origins.has(normalised)) return { corsOrigin: origin };
    this.counters.originRefused++;
    return refusal(403, 'forbidden', `origin ${JSON.stringify(origin.slice(0, 100))} is not allowed`);
  }

  private authorityOf(req: IncomingMessage, target: RequestTarget): string | undefined {
    if (target.form === 'absolute') return target.authority;
    const header = req.headers.host ?? req.headers[':authority'];
    return typeof header === 'string' ? header : undefined;
  }

  private hostAllowed(authority: string, req: IncomingMessage): boolean {
    const name = hostnameOf(authority);
    if (this.names.has(name)) return true;
    // The address this client connected to names this server too (a server bound to 0.0.0.0).
    const local = req.socket?.localAddress;
    return local !== undefined && hostForm(local) === name;
  }
}

function refusal(status: Refusal['status'], error: ErrorBody['error'], message: string): Admission {
  return { refused: { status, body: { error, message } } };
}

/** CORS fields of a served cross-origin answer. */
export function allowCrossOrigin(res: ServerResponse, origin: string): void {
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('vary', 'Origin');
}
