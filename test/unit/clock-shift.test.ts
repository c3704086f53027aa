import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nowNs, useClockOffset } from '../../servers/contract/clock.ts';

test("useClockOffset shifts every importer's nowNs (a live binding), and 0 restores the plain read", () => {
  const offset = 5_000_000_000n;
  try {
    useClockOffset(offset);
    const before = process.hrtime.bigint();
    const shifted = nowNs();
    const after = process.hrtime.bigint();
    assert.ok(
      shifted - offset >= before && shifted - offset <= after,
      `${shifted - offset} not in [${before}, ${after}]`,
    );
  } finally {
    useClockOffset(0n);
  }
  const before = process.hrtime.bigint();
  const plain = nowNs();
  assert.ok(plain >= before && plain <= process.hrtime.bigint());
});
