import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brokerWindow, usedMemory } from '../../bench/broker/plan-broker.ts';
import { absentBrokerKeys, brokerMetrics } from '../../bench/broker/broker-metrics.ts';

test("the broker's window: CPU over wall time between the readings, memory and length at the end", () => {
  const w = brokerWindow(
    { atNs: 1_000_000_000n, cpuUs: 40_000, rssBytes: 1, usedMemoryBytes: 2, streamLength: 10 },
    { atNs: 6_000_000_000n, cpuUs: 140_000, rssBytes: 12_000_000, usedMemoryBytes: 900_000, streamLength: 60 },
  );
  assert.deepEqual(w, { cpuMs: 100, wallMs: 5000, rssBytes: 12_000_000, usedMemoryBytes: 900_000, streamLength: 60 });
  const m = brokerMetrics(w);
  assert.equal(m.broker_cpu_fraction.value, 0.02, '100 ms of CPU in 5 s: 2% of a core');
  assert.equal(m.broker_stream_length.value, 60);
  assert.deepEqual(absentBrokerKeys(w), []);
});

test('no broker figures without a broker, and none for a memory reading that failed', () => {
  assert.deepEqual(absentBrokerKeys(undefined).sort(), Object.keys(brokerMetrics(undefined)).sort());
  assert.deepEqual(absentBrokerKeys({ cpuMs: 0, wallMs: 1, rssBytes: null, usedMemoryBytes: null, streamLength: 0 }), [
    'broker_rss_bytes',
    'broker_used_memory_bytes',
  ]);
});

test('used_memory is read from INFO memory, not its neighbours', () => {
  const info = '# Memory\r\nused_memory:873456\r\nused_memory_human:852.98K\r\nused_memory_rss:12345678\r\n';
  assert.equal(usedMemory(info), 873_456);
  assert.equal(usedMemory('# Memory\r\nused_memory_rss:1\r\n'), null);
});
