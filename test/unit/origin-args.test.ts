import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCli, UsageError, USAGE } from '../../bench/args.ts';
import { expandScenario } from '../../bench/matrix.ts';

test('--allow-origin: a list of origins, or *, passed on; absent by default', () => {
  assert.equal(parseCli([])!.allowOrigins, undefined);
  assert.deepEqual(parseCli(['--allow-origin', 'https://app.example, http://127.0.0.1:8080'])!.allowOrigins, [
    'https://app.example',
    'http://127.0.0.1:8080',
  ]);
  assert.deepEqual(parseCli(['--allow-origin', '*'])!.allowOrigins, ['*']);
  assert.deepEqual(parseCli(['--allow-origin', 'http://[::1]:3000'])!.allowOrigins, ['http://[::1]:3000']);
  assert.match(USAGE, /--allow-origin/);
});

test('--allow-origin changes no job id (a plan-level setting, recorded in the context)', () => {
  const ids = (argv: string[]) => expandScenario(parseCli(argv)!.scenario).map((j) => j.id);
  assert.deepEqual(ids(['--quick', '--allow-origin', '*']), ids(['--quick']));
});

test('--allow-origin: anything that is not an origin is one clear sentence', () => {
  for (const bad of ['', 'app.example', 'https://app.example/path', 'ftp://x', 'https://x:70000', 'https://a,', 'null'])
    assert.throws(
      () => parseCli(['--allow-origin', bad]),
      (err: unknown) =>
        err instanceof UsageError && err.message.startsWith('--allow-origin: ') && !err.message.includes('\n'),
      bad,
    );
});
