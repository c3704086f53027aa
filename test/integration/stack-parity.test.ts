/**
 * express and node:http must answer every request the same way (issue 12 defect 7: they differed on
 * 11 of 793 odd requests), or the framework comparison compares more than the framework. A corpus of
 * odd requests (every method, trailing slashes, case, double slashes, absolute-form targets,
 * percent-encoding, query oddities, since/wait edge values, HTTP/1.0) goes over raw sockets to the same
 * transport on both stacks; status, header names (Date's value aside: only names are compared) and
 * bodies must be equal. The feed stays empty, so every body is deterministic.
 *
 * The ws server runs on node:http under either framework (servers/start.ts): its non-upgrade answers
 * are compared all the same, against the same classifier.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../../servers/start.ts';
import type { Framework } from '../../servers/contract/server-config.ts';
import { EVENTS_PATH, MESSAGES_PATH, STREAM_PATH, TRANSPORT_NAMES, WS_PATH } from '../../servers/contract/protocol.ts';
import type { TransportName } from '../../servers/transports/types.ts';
import { feedConfig } from '../helpers/harness.ts';
import { rawExchange, type RawAnswer } from '../helpers/raw-http.ts';
import fc from 'fast-check';

const FRAMEWORKS: readonly Framework[] = ['express', 'node'];

/** The path and a normal query of each transport's feed endpoint (a long poll that does not park). */
const ENDPOINTS: Record<TransportName, { path: string; query: string }> = {
  'short-poll': { path: EVENTS_PATH, query: '?since=0' },
  'long-poll': { path: EVENTS_PATH, query: '?since=0&wait=0' },
  sse: { path: STREAM_PATH, query: '?since=0' },
  ws: { path: WS_PATH, query: '?since=0' },
};

interface Case {
  method: string;
  target: string;
  version?: '1.0' | '1.1';
  headers?: string[];
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'get', 'FOO'];

/** The odd requests for one transport's endpoint; `{authority}` is the server's host:port. */
function corpus(transport: TransportName): Case[] {
  const { path, query } = ENDPOINTS[transport];
  const upper = path.toUpperCase();
  const mixed = `/${path.charAt(1).toUpperCase()}${path.slice(2)}`;
  const encoded = `/%${path.charCodeAt(1).toString(16)}${path.slice(2)}`;
  const targets = [
    path,
    `${path}/`,
    upper,
    mixed,
    `/${path}`,
    `${path}//`,
    encoded,
    `${path}%2F`,
    `${path};x`,
    `${path}/.`,
    `/.${path}`,
    `/x/..${path}`,
    `${path}.json`,
    '/',
    '/nope',
    '//',
    MESSAGES_PATH,
    `${MESSAGES_PATH}/`,
    MESSAGES_PATH.toUpperCase(),
    `http://{authority}${path}`,
    `HTTP://{authority}${path}`,
    `http://{authority}${upper}`,
    `http://{authority}`,
    `https://{authority}${path}`,
  ];
  const queries = [
    '',
    '?',
    '??since=0',
    '?since=',
    '?since=0&since=5',
    '?since=-1',
    '?since=1e3',
    '?since=%30',
    '?since=+1',
    '?since=00',
    '?since=9007199254740991',
    '?since=9007199254740992',
    '?since=0#frag',
    '?SINCE=0',
    '?since[]=0',
    '?since=0&wait=0',
    '?since=0&wait=',
    '?since=0&wait=-1',
    '?since=0&wait=60001',
    '?since=0&wait=1.5',
    '?wait=0',
    '?since=0&wait=0&wait=5',
    '?since=0&x=%zz',
  ];
  const cases: Case[] = [];
  for (const method of METHODS)
    for (const target of targets.slice(0, 6)) cases.push({ method, target: target + query });
  for (const target of targets) cases.push({ method: 'GET', target: target + query });
  for (const target of targets) cases.push({ method: 'OPTIONS', target });
  for (const q of queries) cases.push({ method: 'GET', target: path + q });
  for (const q of queries.slice(0, 8)) cases.push({ method: 'HEAD', target: path + q });
  cases.push({ method: 'OPTIONS', target: '*' });
  cases.push({ method: 'GET', target: '*' });
  for (const target of [path + query, `${path}/`, '/nope', `http://{authority}${path}${query}`])
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'PUT']) cases.push({ method, target, version: '1.0' });
  cases.push({ method: 'GET', target: path + query, version: '1.0', headers: ['Connection: keep-alive'] });
  cases.push({ method: 'GET', target: path + query, headers: ['Connection: close'] });
  cases.push({ method: 'POST', target: MESSAGES_PATH, headers: ['Content-Length: 2'] });
  cases.push({ method: 'PUT', target: MESSAGES_PATH, headers: ['Content-Length: 0'] });
  cases.push({ method: 'POST', target: path + query, headers: ['Content-Length: 0'] });
  cases.push({ method: 'GET', target: MESSAGES_PATH });
  // The loops above overlap (GET on the first targets twice): each distinct request once.
  return [...new Map(cases.map((c) => [JSON.stringify(c), c])).values()];
}

function requestOf(c: Case, port: number): string {
  const authority = `127.0.0.1:${port}`;
  const target = c.target.split('{authority}').join(authority);
  const version = c.version ?? '1.1';
  const lines = [`${c.method} ${target} HTTP/${version}`, `Host: ${authority}`, ...(c.headers ?? [])];
  const body = c.headers?.some((h) => h === 'Content-Length: 2') ? '{}' : '';
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/**
 * What is compared: the status, the header names in order (Date's value changes) and the body, the
 * server's own authority written as {authority} (the two servers listen on different ports).
 */
function comparable(a: RawAnswer, port: number): string {
  const body = a.body.split(`127.0.0.1:${port}`).join('{authority}');
  return JSON.stringify({ outcome: a.outcome, status: a.status, names: a.headers.map(([n]) => n), body });
}

/** Runs every case against one server, a few at a time, each on its own connection. */
async function answers(server: RunningServer, cases: Case[]): Promise<RawAnswer[]> {
  const out: RawAnswer[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      out[i] = await rawExchange(server.port, requestOf(cases[i]!, server.port));
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return out;
}

/**
 * Generated requests beyond the hand-written corpus (fixed seed, so a failure replays): targets built
 * from the characters routing is sensitive to, around the transport's own path, under any method.
 */
function generated(transport: TransportName, count: number): Case[] {
  const { path } = ENDPOINTS[transport];
  const piece = fc.constantFrom(
    path,
    path.toUpperCase(),
    MESSAGES_PATH,
    '/',
    '//',
    '.',
    '..',
    '%2F',
    '%65',
    ';',
    'x',
    'E',
  );
  const query = fc.constantFrom('', '?', '?since=0', '?since=0&wait=0', '?since=-1', '?wait=99999', '?since=%31', '#f');
  const target = fc
    .tuple(
      fc.constantFrom('', 'http://{authority}', 'HTTP://{authority}'),
      fc.array(piece, { minLength: 1, maxLength: 3 }),
      query,
    )
    .map(([prefix, pieces, q]) => `${prefix}${pieces.join('')}${q}`)
    .filter((t) => t.startsWith('/') || t.startsWith('http') || t.startsWith('HTTP'));
  const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH');
  const version = fc.constantFrom<'1.0' | '1.1'>('1.0', '1.1');
  return fc.sample(
    fc.record({ method, target, version }).map((c): Case => c),
    { numRuns: count, seed: 12 },
  );
}

/** Each transport's answers on both stacks (the node ones kept), with the cases that differ. */
async function compare(
  transport: TransportName,
  cases = corpus(transport),
): Promise<{ cases: Case[]; diffs: string[]; node: RawAnswer[] }> {
  const byStack: string[][] = [];
  let node: RawAnswer[] = [];
  for (const framework of FRAMEWORKS) {
    const server = await startServer(feedConfig(transport, framework));
    try {
      const list = await answers(server, cases);
      if (framework === 'node') node = list;
      byStack.push(list.map((answer) => comparable(answer, server.port)));
    } finally {
      await server.close();
    }
  }
  const diffs: string[] = [];
  cases.forEach((c, i) => {
    const [a, b] = byStack.map((list) => list[i]);
    if (a !== b) diffs.push(`${c.method} ${c.target} HTTP/${c.version ?? '1.1'}: express ${a} / node ${b}`);
  });
  return { cases, diffs, node };
}

/** The one behaviour chosen per case (servers/routing.ts), pinned on the answers both stacks agree on. */
function assertChosenBehaviour(transport: TransportName, cases: Case[], answers: RawAnswer[]): void {
  const { path, query } = ENDPOINTS[transport];
  const find = (method: string, target: string, version = '1.1') => {
    const i = cases.findIndex((c) => c.method === method && c.target === target && (c.version ?? '1.1') === version);
    assert.ok(i >= 0, `case ${method} ${target}`);
    return answers[i]!;
  };
  const header = (a: RawAnswer, name: string) => a.headers.find(([n]) => n === name)?.[1];
  // The feed endpoint answers (ws's only to an upgrade: 404 without one, as before).
  const served = transport === 'ws' ? 404 : 200;
  for (const target of [path + query, `http://{authority}${path}${query}`, `HTTP://{authority}${path}${query}`])
    assert.equal(find('GET', target).status, served, `GET ${target}`);
  assert.equal(find('GET', path + query, '1.0').status, served);
  // Exact, case-sensitive paths, no redirects: JSON 404 with nosniff.
  for (const target of [`${path}/`, path.toUpperCase(), `/${path}`, '/nope']) {
    const a = find('GET', target + query);
    assert.equal(a.status, 404, `GET ${target}`);
    assert.equal((JSON.parse(a.body) as { error: string }).error, 'not_found');
    assert.equal(header(a, 'x-content-type-options'), 'nosniff');
  }
  // Known path, wrong method: 405 with Allow; OPTIONS: 204 with Allow.
  const allow = transport === 'ws' ? undefined : 'GET, HEAD, OPTIONS';
  if (allow) {
    for (const method of ['PUT', 'DELETE', 'TRACE', 'POST']) {
      const a = find(method, path + query);
      assert.equal(a.status, 405, `${method} ${path}`);
      assert.equal(header(a, 'allow'), allow);
    }
    assert.equal(find('OPTIONS', path).status, 204);
    assert.equal(header(find('OPTIONS', path), 'allow'), allow);
  }
  assert.equal(find('GET', MESSAGES_PATH).status, 405);
  assert.equal(header(find('GET', MESSAGES_PATH), 'allow'), 'POST, OPTIONS');
  assert.equal(find('OPTIONS', '*').status, 204);
  assert.equal(find('GET', '*').status, 400);
}

describe('express and node:http answer odd requests identically', () => {
  for (const transport of TRANSPORT_NAMES) {
    test(`${transport}`, async () => {
      const { cases, diffs, node } = await compare(transport);
      assert.ok(cases.length >= 100, `corpus of ${cases.length}`);
      assert.deepEqual(diffs, [], `${diffs.length} of ${cases.length} differ:\n${diffs.join('\n')}`);
      assertChosenBehaviour(transport, cases, node);
    });
    test(`${transport}: 300 generated requests`, async () => {
      const { diffs } = await compare(transport, generated(transport, 300));
      assert.deepEqual(diffs, [], `${diffs.length} of 300 differ:\n${diffs.join('\n')}`);
    });
  }
});
