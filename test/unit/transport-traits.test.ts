import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { TRANSPORT_NAMES } from '../../servers/contract/protocol.ts';
import { TRANSPORT_TRAITS, UnknownTransportError, transportTraits } from '../../servers/contract/transport-traits.ts';
import { expandScenario, jobId } from '../../bench/matrix.ts';
import { defaultScenario } from '../../bench/scenarios/default.ts';
import type { Scenario } from '../../bench/scenarios/schema.ts';
import { transportColors } from '../../reports/charts/common.ts';
import { transportName } from '../../reports/headline.ts';

describe('transport traits', () => {
  test('one record per transport name, and no other', () => {
    assert.deepEqual(Object.keys(TRANSPORT_TRAITS).sort(), [...TRANSPORT_NAMES].sort());
    for (const name of TRANSPORT_NAMES) {
      const t = TRANSPORT_TRAITS[name];
      assert.ok(t.name.length > 0, name);
      assert.ok(t.colours.length > 0, `${name} has a colour`);
      if (t.jitPrewarm !== null) assert.ok(t.jitPrewarm.path.startsWith('/'), name);
    }
  });

  test('names, colours and headline roles are distinct across transports', () => {
    const all = Object.values(TRANSPORT_TRAITS);
    assert.equal(new Set(all.map((t) => t.name)).size, all.length);
    const colours = all.flatMap((t) => t.colours);
    assert.equal(new Set(colours).size, colours.length);
    const orders = all.flatMap((t) => (t.headline === 'reference' ? [] : [t.headline]));
    assert.equal(new Set(orders).size, orders.length);
    assert.equal(all.filter((t) => t.headline === 'reference').length, 1);
  });

  test('an unknown transport is an error naming the known ones, never a default', () => {
    assert.throws(
      () => transportTraits('http2-poll'),
      (e: unknown) =>
        e instanceof UnknownTransportError && e.message.includes(`"http2-poll"; known: ${TRANSPORT_NAMES.join(', ')}`),
    );
    assert.throws(() => transportTraits('toString'), UnknownTransportError);
    assert.throws(() => transportName('http2-poll'), UnknownTransportError);
    assert.throws(() => transportColors([{ label: 'http2-poll', transport: 'http2-poll' }]), UnknownTransportError);
  });

  test('the matrix gives each axis only to the transports whose traits say so', () => {
    const base = structuredClone(defaultScenario);
    const s: Scenario = {
      ...base,
      framework: 'express',
      matrix: { ...base.matrix, http: ['1.1', '2'], responseHeaders: ['default', 'lean'], compression: ['on'] },
    };
    const jobs = expandScenario(s);
    for (const name of TRANSPORT_NAMES) {
      const t = TRANSPORT_TRAITS[name];
      const mine = jobs.filter((j) => j.params.transport === name);
      assert.ok(mine.length > 0, name);
      const intervals = mine.map((j) => j.params.pollIntervalMs);
      const sets = new Set(mine.map((j) => j.parameterSet)).size;
      if (t.pollIntervalAxis) {
        assert.ok(
          intervals.every((i) => i !== null),
          name,
        );
        assert.equal(mine.length, sets * s.matrix.pollIntervalMs.length, name);
      } else {
        assert.ok(
          intervals.every((i) => i === null),
          name,
        );
        assert.ok(mine.length <= sets, `${name} runs at most once per parameter set`);
      }
      // An axis a transport's traits leave out runs it once, not once per value.
      const versions = new Set(mine.map((j) => j.params.http));
      assert.deepEqual([...versions].sort(), t.http2 ? ['1.1', '2'] : ['1.1'], name);
      const responses = new Set(mine.map((j) => j.params.responseHeaders));
      assert.deepEqual([...responses].sort(), t.httpStack === 'framework' ? ['default', 'lean'] : ['default'], name);
      assert.equal(new Set(mine.map((j) => j.id)).size, mine.length, `${name}: no job twice`);
      for (const j of mine) {
        assert.equal(j.params.longPollWaitMs, t.longPollWait ? s.longPollWaitMs : null, name);
        // express 5 has no HTTP/2: those jobs run the same handlers on node:http2.
        assert.equal(j.params.framework, t.httpStack === 'ws' || j.params.http === '2' ? 'node' : 'express', name);
        assert.equal(j.params.compression, 'on', name);
        assert.equal(j.id, jobId(j.params));
      }
    }
  });

  test('colours: fixed per transport, poll-interval series take theirs in turn', () => {
    const { domain, range } = transportColors([
      { label: 'short-poll 1000ms', transport: 'short-poll' },
      { label: 'short-poll 250ms', transport: 'short-poll' },
      { label: 'long-poll', transport: 'long-poll' },
      { label: 'short-poll 1000ms', transport: 'short-poll' },
      { label: 'sse', transport: 'sse' },
      { label: 'ws', transport: 'ws' },
    ]);
    assert.deepEqual(domain, ['short-poll 1000ms', 'short-poll 250ms', 'long-poll', 'sse', 'ws']);
    assert.deepEqual(range, ['#e45756', '#f58518', '#b279a2', '#4c78a8', '#1b9e77']);
  });
});
