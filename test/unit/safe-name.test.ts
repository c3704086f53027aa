import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fc from 'fast-check';
import { insideFolder, safeName } from '../../bench/safe-name.ts';

const SAFE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/;

test('safeName: a name that is already safe is unchanged (published names stay what they were)', () => {
  for (const name of ['2026-11-24T01-00-00-000Z-0123456789', '2026-11-24T01-00-00-000Z-nogit', 'a.b_c-d'])
    assert.equal(safeName(name), name);
});

test('safeName: hostile strings become one safe path component, with a hash of what they were', () => {
  for (const raw of ['/../../../', '..', '.', '', '../x', 'a/b', 'a\\b', '.hidden', '-rf', 'x\0y', 'é', ' ']) {
    const name = safeName(raw);
    assert.match(name, SAFE, JSON.stringify(raw));
    assert.notEqual(name, raw);
    assert.equal(path.basename(name), name);
  }
  assert.equal(safeName('x'.repeat(500)).length, 100);
});

test('safeName: any string gives a safe name; different strings give different names', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (raw) => {
      assert.match(safeName(raw), SAFE);
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (a, b) => {
      fc.pre(a !== b);
      assert.notEqual(safeName(a), safeName(b));
    }),
    { numRuns: 2000 },
  );
  // Replaced characters alone never make two names equal.
  assert.notEqual(safeName('a/b'), safeName('a:b'));
});

test('insideFolder: a path inside the folder, or an error for anything that leaves it', () => {
  assert.equal(insideFolder('/site', 'reports', 'x.html'), path.resolve('/site/reports/x.html'));
  for (const parts of [['..', 'x'], ['reports', '../../x'], ['/etc/passwd'], ['.'], ['reports/../..']])
    assert.throws(() => insideFolder('/site', ...parts), /outside/, parts.join(' '));
});
