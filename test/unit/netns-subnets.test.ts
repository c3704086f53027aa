import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickSubnets, prefixesIn } from '../../bench/netns/subnets.ts';

test("the machine's routes and addresses, without the default route", () => {
  const text = [
    'default via 192.0.2.1 dev eth0',
    '192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2',
    'local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1',
    'broadcast 192.0.2.255 dev eth0 table local proto kernel scope link src 192.0.2.2',
    '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
    'unreachable 10.213.0.0/24 table 5',
  ].join('\n');
  assert.deepEqual(prefixesIn(text), ['192.0.2.0/24', '127.0.0.0/8', '192.0.2.255', '127.0.0.1/8']);
});

test('/30s with the host at .1 and the namespace at .2, from the seed on, distinct', () => {
  const picked = pickSubnets([], 3, 0);
  assert.deepEqual(picked[0], { hostAddr: '10.213.0.1', nsAddr: '10.213.0.2', cidr: '10.213.0.0/30' });
  assert.deepEqual(
    picked.map((s) => s.cidr),
    ['10.213.0.0/30', '10.213.0.4/30', '10.213.0.8/30'],
  );
  assert.equal(pickSubnets([], 1, 5)[0]!.cidr, '10.213.0.20/30');
});

test('skips every block that overlaps an existing route or address, and moves to the next range', () => {
  const picked = pickSubnets(['10.213.0.0/29', '10.213.0.9'], 2, 0);
  assert.deepEqual(
    picked.map((s) => s.cidr),
    ['10.213.0.12/30', '10.213.0.16/30'],
  );
  assert.equal(pickSubnets(['10.213.0.0/16'], 1, 0)[0]!.cidr, '10.214.0.0/30');
  assert.equal(pickSubnets(['10.0.0.0/8'], 1, 0)[0]!.cidr, '172.31.0.0/30');
  assert.throws(() => pickSubnets(['0.0.0.0/1', '128.0.0.0/1'], 1, 0), /no free \/30/);
});
