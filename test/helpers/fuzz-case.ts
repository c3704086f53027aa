/**
 * One fuzz case (test/integration/fuzz.test.ts): the bytes a hostile client writes, in up to three
 * writes, and how it leaves. The generators of its bytes are in fuzz-http.ts, fuzz-upgrade.ts and
 * fuzz-frames.ts; fuzz-probe.ts sends a case and judges the server's answer.
 */
import fc from 'fast-check';
import { httpRequest, type GeneratedRequest } from './fuzz-http.ts';
import { upgradeAttempt, validHandshake } from './fuzz-upgrade.ts';
import { garbageFrames, wsFrames } from './fuzz-frames.ts';

export type CaseKind = 'request' | 'upgrade' | 'frames';

/**
 * How the client leaves once its bytes are written:
 * - `await`: it waits; the server must answer or close (for frames it must refuse: close) within 5 s;
 * - `fin`: it half-closes; the server must close within 5 s;
 * - `reset` / `destroy`: it resets the connection (SO_LINGER 0) or closes it, after `pauseMs` (0: at once).
 */
export type Ending = 'await' | 'fin' | 'reset' | 'destroy';

export interface FuzzCase {
  kind: CaseKind;
  /** latin1 strings, one character per byte, written one by one with a millisecond between. */
  chunks: string[];
  ending: Ending;
  pauseMs: number;
}

/** `mustAnswer`: the server can answer without more bytes (or must refuse what it got). */
const ending = (mustAnswer: boolean): fc.Arbitrary<Ending> =>
  mustAnswer
    ? fc.oneof(
        { weight: 3, arbitrary: fc.constant<Ending>('await') },
        { weight: 2, arbitrary: fc.constant<Ending>('fin') },
        { weight: 2, arbitrary: fc.constant<Ending>('reset') },
        { weight: 1, arbitrary: fc.constant<Ending>('destroy') },
      )
    : fc.oneof(
        { weight: 2, arbitrary: fc.constant<Ending>('fin') },
        { weight: 2, arbitrary: fc.constant<Ending>('reset') },
        { weight: 1, arbitrary: fc.constant<Ending>('destroy') },
      );

/** Often none: the reset then comes with the bytes, the way a killed client's does. */
const pauseMs = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20 }));

/** Cuts `text` at up to two generated positions (a head split across TCP segments). */
const split = (text: string) =>
  fc.array(fc.nat(), { maxLength: 2 }).map((cuts) => {
    const at = [...new Set(cuts.map((c) => c % Math.max(1, text.length)))].filter((c) => c > 0).sort((a, b) => a - b);
    return [0, ...at].map((start, i) => text.slice(start, at[i] ?? text.length));
  });

const sent = (kind: CaseKind, request: GeneratedRequest, mustAnswer = request.complete) =>
  fc.record({
    kind: fc.constant(kind),
    chunks: split(request.text),
    ending: ending(mustAnswer),
    pauseMs,
  });

/**
 * A case for a server; `upgrades`: it serves WebSocket, so frames after a valid handshake reach a
 * WebSocket and one it must refuse has to be refused (elsewhere they are just bytes after a 404).
 */
export function fuzzCase(upgrades: boolean): fc.Arbitrary<FuzzCase> {
  const frames = fc
    .tuple(validHandshake, fc.oneof({ weight: 4, arbitrary: wsFrames }, garbageFrames))
    .chain(([handshake, f]) =>
      fc.record({
        kind: fc.constant<CaseKind>('frames'),
        // The handshake alone first, then the frames, split further or not.
        chunks: split(f.text).map((rest) => [handshake, ...rest]),
        ending: ending(upgrades && f.violates),
        pauseMs,
      }),
    );
  return fc.oneof(
    { weight: 2, arbitrary: httpRequest.chain((r) => sent('request', r)) },
    upgradeAttempt.chain((r) => sent('upgrade', r)),
    frames,
  );
}
