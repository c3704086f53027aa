import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSharedClock, nowNs } from '../../servers/contract/clock.ts';

// The one cross-process assumption behind every latency: hrtime in another process is on our clock.
test('process.hrtime.bigint() in a child process falls between two readings in the parent', async () => {
  const check = await checkSharedClock();
  assert.equal(check.ok, true, check.detail);
  assert.ok(check.bracketNs > 0);
});

test('nowNs is monotonic', () => {
  let last = nowNs();
  for (let i = 0; i < 10_000; i++) {
    const now = nowNs();
    assert.ok(now >= last);
    last = now;
  }
});
