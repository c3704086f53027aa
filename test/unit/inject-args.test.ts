/** --inject-regression: parsing the spec, formatting it back, and its place in the parsed options. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { USAGE, UsageError, formatInject, parseCli, parseInject } from '../../bench/args.ts';
import { injectSchema, type Inject } from '../../servers/contract/server-config.ts';

const usageError = (pattern: RegExp) => (err: unknown) =>
  err instanceof UsageError && pattern.test(err.message) && !err.message.includes('\n');

describe('parseInject', () => {
  test('both parts, either part alone, whitespace around parts', () => {
    assert.deepEqual(parseInject('header=200,delay=5'), { extraResponseHeaderBytes: 200, pushDelayMs: 5 });
    assert.deepEqual(parseInject('delay=2.5'), { extraResponseHeaderBytes: 0, pushDelayMs: 2.5 });
    assert.deepEqual(parseInject('header=200'), { extraResponseHeaderBytes: 200, pushDelayMs: 0 });
    assert.deepEqual(parseInject('delay=5, header=64'), { extraResponseHeaderBytes: 64, pushDelayMs: 5 });
    assert.deepEqual(parseInject('delay=0'), { extraResponseHeaderBytes: 0, pushDelayMs: 0 });
  });

  test('limits: header from 24 to 60000 whole bytes, delay at most 10000 ms', () => {
    assert.deepEqual(parseInject('header=24'), { extraResponseHeaderBytes: 24, pushDelayMs: 0 });
    assert.deepEqual(parseInject('header=60000,delay=10000'), {
      extraResponseHeaderBytes: 60_000,
      pushDelayMs: 10_000,
    });
    assert.throws(() => parseInject('header=10'), usageError(/header=<bytes> must be a whole number from 24 to 60000/));
    assert.throws(() => parseInject('header=23'), UsageError);
    assert.throws(() => parseInject('header=60001'), UsageError);
    assert.throws(() => parseInject('header=100.5'), usageError(/whole number/));
    assert.throws(() => parseInject('delay=10001'), usageError(/delay=<ms> must be at most 10000/));
  });

  test('anything else is a UsageError naming the bad part', () => {
    assert.throws(() => parseInject('bogus=1'), usageError(/"bogus=1" is not header=<bytes> or delay=<ms>/));
    assert.throws(() => parseInject('delay=x'), usageError(/"delay=x"/));
    assert.throws(() => parseInject('delay=-1'), usageError(/"delay=-1"/));
    assert.throws(() => parseInject('header=200,'), usageError(/"" is not/));
    assert.throws(() => parseInject(''), UsageError);
    assert.throws(() => parseInject('header'), UsageError);
    assert.throws(() => parseInject('HEADER=200'), UsageError);
  });

  test('what it returns is a valid server inject config', () => {
    for (const spec of ['header=200,delay=5', 'delay=2.5', 'header=24', 'header=60000,delay=10000']) {
      assert.deepEqual(injectSchema.parse(parseInject(spec)), parseInject(spec), spec);
    }
  });
});

describe('formatInject', () => {
  test('formats what parseInject reads, and round-trips', () => {
    const cases: [Inject, string][] = [
      [{ extraResponseHeaderBytes: 200, pushDelayMs: 5 }, 'header=200,delay=5'],
      [{ extraResponseHeaderBytes: 0, pushDelayMs: 2.5 }, 'delay=2.5'],
      [{ extraResponseHeaderBytes: 200, pushDelayMs: 0 }, 'header=200'],
      // Nothing injected still has to be a spec parseInject accepts.
      [{ extraResponseHeaderBytes: 0, pushDelayMs: 0 }, 'delay=0'],
    ];
    for (const [inject, spec] of cases) {
      assert.equal(formatInject(inject), spec);
      assert.deepEqual(parseInject(formatInject(inject)), inject, spec);
    }
    for (const spec of ['header=200,delay=5', 'delay=2.5', 'delay=0.125', 'header=24', 'header=60000,delay=10000']) {
      assert.deepEqual(parseInject(formatInject(parseInject(spec))), parseInject(spec), spec);
    }
  });
});

describe('parseCli --inject-regression', () => {
  test('sets options.inject; absent without the option', () => {
    const o = parseCli(['--inject-regression', 'header=200'])!;
    assert.deepEqual(o.inject, { extraResponseHeaderBytes: 200, pushDelayMs: 0 });
    assert.deepEqual(parseCli(['--quick', '--inject-regression', 'header=200,delay=5'])!.inject, {
      extraResponseHeaderBytes: 200,
      pushDelayMs: 5,
    });
    const plain = parseCli([])!;
    assert.equal(plain.inject, undefined);
    assert.ok(!('inject' in plain), 'no inject key at all');
  });

  test('a bad spec is a usage error; a missing value too', () => {
    assert.throws(() => parseCli(['--inject-regression', 'header=10']), UsageError);
    assert.throws(() => parseCli(['--inject-regression', 'bogus=1']), usageError(/bogus=1/));
    assert.throws(() => parseCli(['--inject-regression']), UsageError);
  });

  test('the usage documents the option', () => {
    assert.ok(USAGE.includes('--inject-regression'));
  });
});
