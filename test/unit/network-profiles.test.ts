import { networkFigures } from '../../reports/path-text.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NETWORK_PRESETS,
  NetworkOptionError,
  addsNothing,
  networkProfileSchema,
  parseNetworkOptions,
} from '../../bench/network/profiles.ts';

test('the presets the issue asks for exist, are valid and are named by their key', () => {
  for (const name of ['loopback', 'lan', 'broadband', '4g', '3g', 'long-haul'])
    assert.ok(Object.hasOwn(NETWORK_PRESETS, name), name);
  for (const [key, p] of Object.entries(NETWORK_PRESETS)) {
    assert.equal(p.name, key);
    assert.deepEqual(networkProfileSchema.parse(p), p);
    // Published presets carry no jitter or loss: none of the cited sources has any.
    assert.equal(p.jitterMs, 0, key);
    assert.equal(p.lossPct, 0, key);
  }
  assert.equal(NETWORK_PRESETS['long-haul']!.rttMs, 150);
});

test('only loopback adds nothing (no relay at all)', () => {
  assert.deepEqual(
    Object.values(NETWORK_PRESETS)
      .filter(addsNothing)
      .map((p) => p.name),
    ['loopback'],
  );
  assert.equal(addsNothing({ ...NETWORK_PRESETS.loopback!, lossPct: 0.1 }), false);
});

test('the reports word what a profile adds (reports/path-text.ts networkFigures)', () => {
  assert.equal(networkFigures(NETWORK_PRESETS.loopback!), '');
  assert.equal(networkFigures(NETWORK_PRESETS['slow-4g']!), '150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up');
  assert.equal(networkFigures(NETWORK_PRESETS.lan!), '2 ms RTT, 31.5 Mbit/s down, 15.7 Mbit/s up');
  assert.equal(networkFigures(NETWORK_PRESETS['long-haul']!), '150 ms RTT');
  const custom = parseNetworkOptions({ rtt: '80', jitter: '10', down: '1.5gbit', up: '5mbit', loss: '0.5' })![0]!;
  assert.equal(networkFigures(custom), '80 ms RTT, ±10 ms jitter, 1.5 Gbit/s down, 5 Mbit/s up, 0.5% loss');
});

test('--network lists presets; the custom options add one profile named custom', () => {
  assert.equal(parseNetworkOptions({}), undefined);
  assert.deepEqual(
    parseNetworkOptions({ network: 'loopback, 4g' })!.map((p) => p.name),
    ['loopback', '4g'],
  );
  assert.deepEqual(parseNetworkOptions({ rtt: '80', jitter: '10ms', down: '20mbit', up: '500kbit', loss: '0.5%' }), [
    { name: 'custom', rttMs: 80, jitterMs: 10, downKbps: 20_000, upKbps: 500, lossPct: 0.5 },
  ]);
  assert.deepEqual(
    parseNetworkOptions({ network: 'lan', down: '1.5gbit' })!.map((p) => [p.name, p.downKbps]),
    [
      ['lan', NETWORK_PRESETS.lan!.downKbps],
      ['custom', 1_500_000],
    ],
  );
  // Only what is given changes: the rest adds nothing.
  assert.deepEqual(parseNetworkOptions({ loss: '1' }), [
    { name: 'custom', rttMs: 0, jitterMs: 0, downKbps: null, upKbps: null, lossPct: 1 },
  ]);
});

test('bad input is one sentence naming the option', () => {
  const cases: [Parameters<typeof parseNetworkOptions>[0], RegExp][] = [
    [{ network: 'wifi' }, /unknown network profile 'wifi': the presets are loopback, lan, broadband, 4g, /],
    [{ network: '4g,,3g' }, /unknown network profile ''/],
    [{ network: '4g,4g' }, /'4g' is listed twice/],
    [{ down: '20' }, /--down takes a rate with its unit, like 20mbit, 500kbit or 1\.5gbit \(got '20'\)/],
    [{ up: '20mb' }, /--up takes a rate/],
    [{ down: '0mbit' }, /--down takes a rate/],
    [{ rtt: '-5' }, /--rtt takes milliseconds from 0 to 10000 \(got '-5'\)/],
    [{ rtt: '20000' }, /--rtt takes milliseconds/],
    [{ jitter: 'lots' }, /--jitter takes milliseconds/],
    [{ loss: '60' }, /--loss takes a percentage from 0 to 50 \(got '60'\)/],
  ];
  for (const [options, message] of cases) {
    assert.throws(
      () => parseNetworkOptions(options),
      (err: unknown) => err instanceof NetworkOptionError && message.test(err.message) && !err.message.includes('\n'),
      JSON.stringify(options),
    );
  }
});
