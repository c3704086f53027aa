import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nameLimit, type LimitContext } from '../../bench/capacity/limit.ts';
import type { CapacityStep } from '../../bench/capacity/schema.ts';

const ctx: LimitContext = {
  machine: { cores: 2, memoryBytes: 8 * 2 ** 30, descriptorHardLimit: 20_000, ephemeralPorts: 28_232 },
  serverProcesses: 1,
  serverCores: 2,
  broker: 'memory',
  upstream: false,
  sourceAddresses: 0,
};

const calm = {
  p99Ms: 1500,
  serverCpuFraction: 0.4,
  serverElu: 0.5,
  loadCpuFraction: 0.3,
  serverRssBytes: 300 * 2 ** 20,
  unconnected: 0,
  connectTimeouts: 0,
  connectRefused: 0,
  connectDescriptors: 0,
  connectOther: 0,
  listenOverflows: 0,
  listenDrops: 0,
};

const step = (figures: Record<string, number>, clients = 8000): CapacityStep => ({
  clients,
  jobId: `job ${clients}`,
  pass: false,
  reasons: ['p99 latency 1500 ms above 1000 ms'],
  figures: { ...calm, ...figures },
});

const name = (
  figures: Record<string, number>,
  c: LimitContext = ctx,
  bottleneck?: {
    resource: 'server-cpu' | 'load-cpu' | 'connect-backlog' | 'descriptors' | 'publisher';
    detail: string;
  },
) => nameLimit(step(figures), bottleneck ? { bottleneck } : null, c, 'failed');

test('server CPU: a busy event loop, or CPU near one core per server process', () => {
  assert.equal(name({ serverElu: 0.95 })?.resource, 'server-cpu');
  assert.equal(name({ serverCpuFraction: 0.9 })?.resource, 'server-cpu');
  // Two processes have two cores: 0.9 of one core is not near their limit...
  assert.equal(name({ serverCpuFraction: 0.9 }, { ...ctx, serverProcesses: 2 })?.resource, 'unidentified');
  // ...1.8 is.
  const two = name({ serverCpuFraction: 1.8 }, { ...ctx, serverProcesses: 2 });
  assert.equal(two?.resource, 'server-cpu');
  assert.match(two!.detail, /over 2 processes/);
});

test('server processes pinned to fewer cores than processes share them: CPU is held against those cores', () => {
  // 2 processes on 1 core (pinningForJob on a 2-core machine): 0.9 of a core is their limit, not 2.
  const shared = { ...ctx, serverProcesses: 2, serverCores: 1 };
  const l = name({ serverCpuFraction: 0.9 }, shared);
  assert.equal(l?.resource, 'server-cpu');
  assert.match(l!.detail, /server CPU 90% of a core over 2 processes on 1 core \(at most 100%\)/);
  // Busy 80% of the time on 60% of their one core: 0.6 >= 0.7 x 0.8 x 1, no wait for a CPU others had
  // (against two cores it would have read as starved).
  assert.doesNotMatch(name({ serverElu: 0.8, serverCpuFraction: 0.6 }, shared)!.detail, /waited for a CPU/);
  assert.match(name({ serverElu: 0.8, serverCpuFraction: 0.4 }, shared)!.detail, /waited for a CPU/);
  // Unpinned on 8 cores, 2 processes still use at most 2.
  assert.equal(
    name({ serverCpuFraction: 0.9 }, { ...ctx, serverProcesses: 2, serverCores: 8 })?.resource,
    'unidentified',
  );
});

test('load CPU when the load generator is saturated and the server is not', () => {
  assert.equal(name({ loadCpuFraction: 0.95 })?.resource, 'load-cpu');
});

test("the run's own diagnosis stands where it named one", () => {
  const l = name({ loadCpuFraction: 0.95 }, ctx, { resource: 'server-cpu', detail: 'server event loop busy 97%' });
  assert.deepEqual(l, { resource: 'server-cpu', clients: 8000, detail: 'server event loop busy 97%' });
});

test('descriptors from EMFILE connect failures, before anything else', () => {
  assert.equal(name({ connectDescriptors: 12, serverElu: 0.99 })?.resource, 'descriptors');
});

test('ports: failed connects from one address near the ephemeral port range', () => {
  assert.equal(nameLimit(step({ connectOther: 40 }, 28_000), null, ctx, 'failed')?.resource, 'ports');
  // The same failures far below the range are not the ports.
  assert.equal(nameLimit(step({ connectOther: 40 }, 2_000), null, ctx, 'failed')?.resource, 'unidentified');
});

test("ports: connections against the ports of every source address the step's clients used", () => {
  const failed = (clients: number, c: LimitContext) =>
    nameLimit(step({ connectOther: 40 }, clients), null, c, 'failed');
  // 40,000 clients on 2 addresses: 44,000 connections (one in ten for reconnects) of 2 x 28,232 ports.
  assert.equal(failed(40_000, { ...ctx, sourceAddresses: 2 })?.resource, 'unidentified');
  // 55,000 on the same 2: 60,500 connections, past 85% of them.
  const l = failed(55_000, { ...ctx, sourceAddresses: 2 });
  assert.equal(l?.resource, 'ports');
  assert.match(
    l!.detail,
    /55000 clients \(up to 60500 connections\) against 28232 ephemeral ports on each of 2 source addresses/,
  );
  // Upstream messages: two connections per client, so 13,000 clients hold 28,600 on one address.
  assert.equal(failed(13_000, { ...ctx, upstream: true })?.resource, 'ports');
  assert.equal(failed(13_000, ctx)?.resource, 'unidentified');
});

test("memory: the server processes' RSS near the machine's memory", () => {
  const l = name({ serverRssBytes: 7 * 2 ** 30 });
  assert.equal(l?.resource, 'memory');
  assert.match(l!.detail, /7\.00 GiB of the machine's 8\.00 GiB/);
  // The deployment's RSS (several processes' summed) against the one machine's memory.
  assert.match(
    name({ serverRssBytes: 7 * 2 ** 30 }, { ...ctx, serverProcesses: 2 })!.detail,
    /7\.00 GiB .*\(2 processes\)/,
  );
  assert.equal(name({ serverRssBytes: 3.5 * 2 ** 30 }, { ...ctx, serverProcesses: 2 })?.resource, 'unidentified');
});

test('broker CPU when the broker reports its CPU near its one core (read only when present)', () => {
  assert.equal(name({ brokerCpuFraction: 0.97 }, { ...ctx, broker: 'redis' })?.resource, 'broker-cpu');
  assert.equal(name({ brokerCpuFraction: 0.2 }, { ...ctx, broker: 'redis' })?.resource, 'unidentified');
});

test('connect backlog from listen-queue drops around the step, or failed connects with neither side saturated', () => {
  const drops = name({ listenOverflows: 30, listenDrops: 30, connectTimeouts: 30 });
  assert.equal(drops?.resource, 'connect-backlog');
  assert.match(drops!.detail, /30 listen-queue overflows and 30 dropped SYNs/);
  assert.equal(name({ connectTimeouts: 5 })?.resource, 'connect-backlog');
  // Every client connected (the dropped SYNs were retried) and the level broke on latency: not the backlog.
  assert.equal(name({ listenOverflows: 1293, listenDrops: 1293 })?.resource, 'unidentified');
  // At a passing step an overflowing queue is near its limit.
  const near = nameLimit(
    { ...step({ listenOverflows: 3, listenDrops: 3 }), pass: true, reasons: [] },
    null,
    ctx,
    'near',
  );
  assert.equal(near?.resource, 'connect-backlog');
});

test('a server loop busy on a small share of a core is said to have waited for a CPU others had', () => {
  // Measured on a host running other benchmarks: loop 72% busy on 11% of a core, p99 just over the level.
  const l = name({ serverElu: 0.72, serverCpuFraction: 0.11, p99Ms: 1010 });
  assert.equal(l?.resource, 'unidentified');
  assert.match(l!.detail, /busy 72% of the time on 11% of a core: it waited for a CPU other processes had/);
  assert.doesNotMatch(name({ serverElu: 0.6, serverCpuFraction: 0.55 })!.detail, /waited for a CPU/);
});

test('nothing near a limit: unidentified at a failing step, with the reasons; nothing at a passing one', () => {
  const l = name({});
  assert.equal(l?.resource, 'unidentified');
  assert.match(l!.detail, /p99 latency 1500 ms above 1000 ms/);
  assert.equal(nameLimit({ ...step({}), pass: true, reasons: [] }, null, ctx, 'near'), null);
  // Connect failures alone do not make a passing step near a limit (it would not have passed).
  assert.equal(nameLimit(step({ serverCpuFraction: 0.88 }), null, ctx, 'near')?.resource, 'server-cpu');
});
