import { test } from 'node:test';
import assert from 'node:assert/strict';
import { project, PROJECTED_CLIENTS, TARGET_UTILISATION } from '../../reports/capacity-projection.ts';

test('the million-client projection, computed by hand', () => {
  const p = project({
    measuredClients: 10_000,
    ratePerSec: 1,
    // 20 ms per 1,000 events = 20 µs of server CPU per delivered event.
    cpuMsPer1000Events: 20,
    rssPerClientBytes: 10_000,
    loadCpuTotal: 0.4,
    coresPerHost: 2,
    ephemeralPorts: 28_232,
  });
  assert.equal(PROJECTED_CLIENTS, 1_000_000);
  assert.equal(TARGET_UTILISATION, 0.7);
  // 20e-6 s x 1 event/s x 1e6 clients = 20 cores busy; at 70%: 28.57 cores, 29 processes.
  assert.ok(Math.abs(p.serverCores - 20 / 0.7) < 1e-9);
  assert.equal(p.serverProcesses, 29);
  // 10 kB x 1e6 = 10 GB.
  assert.equal(p.memoryBytes, 1e10);
  // 0.4 cores / 10,000 clients = 40 µcores per client; x 1e6 = 40 cores; at 70%: 57.14; 2 per host: 29 hosts.
  assert.ok(Math.abs(p.loadCores - 40 / 0.7) < 1e-9);
  assert.equal(p.loadHosts, 29);
  // 1e6 / 28,232 = 35.4: 36 source addresses.
  assert.equal(p.sourceAddresses, 36);
});

test('the event rate scales the server cores, not the memory', () => {
  const base = {
    measuredClients: 1000,
    ratePerSec: 1,
    cpuMsPer1000Events: 7,
    rssPerClientBytes: 5000,
    loadCpuTotal: 0.1,
    coresPerHost: 4,
    ephemeralPorts: 60_000,
  };
  const one = project(base);
  const ten = project({ ...base, ratePerSec: 10 });
  assert.ok(Math.abs(ten.serverCores - 10 * one.serverCores) < 1e-9);
  assert.equal(ten.memoryBytes, one.memoryBytes);
  assert.equal(one.sourceAddresses, 17);
});
