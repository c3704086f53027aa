import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  connectionsNeeded,
  ephemeralPorts,
  jobSourcePlan,
  planSourceAddresses,
  runSourceAddresses,
} from '../../bench/source-addresses.ts';

const PORTS = 60999 - 32768 + 1;

test('the ephemeral port range is read from the kernel file, null when it cannot be', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ports-'));
  try {
    const file = path.join(dir, 'range');
    writeFileSync(file, '32768\t60999\n');
    assert.equal(ephemeralPorts(file), PORTS);
    writeFileSync(file, 'nonsense');
    assert.equal(ephemeralPorts(file), null);
    assert.equal(ephemeralPorts(path.join(dir, 'missing')), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('connections: one per client, two with upstream messages, and one in ten for reconnects', () => {
  assert.equal(connectionsNeeded(1000, false), 1100);
  assert.equal(connectionsNeeded(1000, true), 2200);
  assert.equal(connectionsNeeded(1, false), 2);
});

test('one source address while its ports hold the connections: the system picks, as before', () => {
  assert.deepEqual(planSourceAddresses(PORTS, PORTS, '127.0.0.1'), { addresses: [] });
  assert.deepEqual(planSourceAddresses(10, PORTS, '10.0.0.5'), { addresses: [] });
});

test('past one address: loopback source addresses from 127.0.0.2, as many as the ports need', () => {
  assert.deepEqual(planSourceAddresses(PORTS + 1, PORTS, '127.0.0.1'), { addresses: ['127.0.0.2', '127.0.0.3'] });
  // 50,000 clients: 55,000 connections, two addresses.
  const plan = planSourceAddresses(connectionsNeeded(50_000, false), PORTS, '127.0.0.1');
  assert.ok('addresses' in plan && plan.addresses.length === 2);
  // Across an octet: the 255th address after 127.0.0.2 is 127.0.1.0.
  const many = planSourceAddresses(300 * PORTS, PORTS, '127.0.0.1');
  assert.ok('addresses' in many);
  assert.equal(many.addresses.length, 300);
  assert.equal(many.addresses[253], '127.0.0.255');
  assert.equal(many.addresses[254], '127.0.1.0');
  assert.equal(new Set(many.addresses).size, 300);
});

test('refused in one line: toward another host with one source address, or beyond all of 127.0.0.0/8', () => {
  const remote = planSourceAddresses(PORTS + 1, PORTS, '192.168.1.20');
  assert.ok('problem' in remote);
  assert.match(remote.problem, /need 2 source addresses .* toward 192\.168\.1\.20, and this host has one/);
  const huge = planSourceAddresses(2 ** 24 * 4, 4, '127.0.0.1');
  assert.ok('problem' in huge);
  assert.match(huge.problem, /more than 127\.0\.0\.0\/8 holds/);
  assert.doesNotMatch(huge.problem, /\n/);
});

test("with load agents: no loopback source addresses, each agent's slice checked against its own host's ports", () => {
  // 50,000 clients: two loopback addresses from this host, but over two agents 25,000 each (27,500
  // connections) fit one address each; over one agent they do not, and an agent binds no other.
  const job = { clients: 50_000, upstream: null };
  assert.deepEqual(jobSourcePlan(job, PORTS), { addresses: ['127.0.0.2', '127.0.0.3'] });
  assert.deepEqual(jobSourcePlan(job, PORTS, 2), { addresses: [] });
  const one = jobSourcePlan(job, PORTS, 1);
  assert.ok(
    'problem' in one && /each load agent's 55000 connections need 2 source addresses/.test(one.problem),
    JSON.stringify(one),
  );
  // The run message to agents carries none, whatever the job's size.
  assert.deepEqual(runSourceAddresses({ clients: 10 * PORTS, upstream: null }, true), []);
});
