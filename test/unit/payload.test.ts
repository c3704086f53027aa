import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { encodeEvent, makePayload } from '../../servers/contract/protocol.ts';
import { makeRandomPayload, makeTextPayload, payloadSource } from '../../servers/contract/payload.ts';

const SIZES = [0, 1, 7, 256, 1024, 16_384];
/** Characters JSON.stringify leaves alone, one UTF-8 byte each. */
const JSON_SAFE = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;

/** Compressed size over original, summed over the payloads of seq 1..count. */
function ratio(bytes: number, compress: (b: Buffer) => Buffer, count = 100): number {
  let original = 0;
  let compressed = 0;
  for (let seq = 1; seq <= count; seq++) {
    const payload = Buffer.from(makeTextPayload(bytes, seq), 'latin1');
    original += payload.length;
    compressed += compress(payload).length;
  }
  return compressed / original;
}

describe('text payload', () => {
  test('is exactly N JSON-safe bytes, so an event encodes to the same size as with makePayload', () => {
    for (const n of SIZES) {
      const payload = makeTextPayload(n, 42);
      assert.equal(payload.length, n);
      assert.match(payload, JSON_SAFE);
      const old = encodeEvent({ seq: 42, emittedAtNs: 123n, payload: makePayload(n) });
      assert.equal(Buffer.byteLength(encodeEvent({ seq: 42, emittedAtNs: 123n, payload })), Buffer.byteLength(old));
    }
  });

  test('is deterministic per seed and differs between seeds', () => {
    assert.equal(makeTextPayload(512, 7), makeTextPayload(512, 7));
    assert.notEqual(makeTextPayload(512, 7), makeTextPayload(512, 8));
  });

  test('compresses within the ratios stated in payload.ts', () => {
    // gzip per payload (a poll answer of one event): 0.75, 0.47, 0.28 measured.
    const gzip = (b: Buffer) => zlib.gzipSync(b);
    const within = (value: number, low: number, high: number, label: string) =>
      assert.ok(value >= low && value <= high, `${label}: ${value.toFixed(3)} not in [${low}, ${high}]`);
    within(ratio(256, gzip), 0.7, 0.8, 'gzip 256 B');
    within(ratio(1024, gzip), 0.42, 0.52, 'gzip 1 KiB');
    within(ratio(16_384, gzip, 20), 0.25, 0.32, 'gzip 16 KiB');
    within(
      ratio(256, (b) => zlib.deflateRawSync(b)),
      0.62,
      0.73,
      'deflate 256 B',
    );
  });
});

describe('random payload', () => {
  test('binary: N latin1 bytes that do not compress', () => {
    const payload = makeRandomPayload(4096, 3, 'binary');
    assert.equal(payload.length, 4096);
    assert.ok([...payload].every((c) => c.charCodeAt(0) <= 0xff));
    assert.ok(new Set(payload).size > 250, 'uses the whole byte range');
    assert.ok(zlib.deflateRawSync(Buffer.from(payload, 'latin1')).length >= 4096);
  });

  test('json: N letters of the 64-letter alphabet, never below 6/8 compressed', () => {
    const payload = makeRandomPayload(16_384, 3, 'json');
    assert.equal(payload.length, 16_384);
    assert.match(payload, /^[A-Za-z0-9_-]*$/);
    assert.equal(new Set(payload).size, 64);
    assert.ok(zlib.deflateRawSync(payload).length >= 0.75 * 16_384);
  });

  test('the upstream line of a random binary payload stays one line', () => {
    const payload = makeRandomPayload(1024, 5, 'binary');
    assert.ok(payload.includes('\n'), 'the sample holds a newline to escape');
    const line = encodeEvent({ seq: 1, emittedAtNs: 1n, payload });
    assert.ok(!line.includes('\n'));
    assert.equal((JSON.parse(line) as { payload: string }).payload, payload);
  });
});

test('payloadSource: text by default, the random alphabet by encoding, repeating only past 256 KiB', () => {
  assert.equal(payloadSource({ payloadBytes: 64 })(9), makeTextPayload(64, 9));
  assert.equal(payloadSource({ payloadBytes: 64, payloadContent: 'random' })(9), makeRandomPayload(64, 9, 'json'));
  const binary = payloadSource({ payloadBytes: 64, payloadContent: 'random', encoding: 'binary' });
  assert.equal(binary(9), makeRandomPayload(64, 9, 'binary'));
  // 256 KiB of 64-byte payloads is 4096 of them: seq 4097 is seq 1 again.
  const text = payloadSource({ payloadBytes: 64 });
  assert.equal(new Set(Array.from({ length: 4096 }, (_, i) => text(i + 1))).size, 4096);
  assert.equal(text(4097), text(1));
  const big = payloadSource({ payloadBytes: 100_000 });
  assert.notEqual(big(1), big(2));
  assert.equal(big(4), big(1), '3 payloads of 100 kB cover 256 KiB');
  assert.equal(payloadSource({ payloadBytes: 0 })(5), '');
});
