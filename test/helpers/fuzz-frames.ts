/**
 * fast-check generators of WebSocket client frames (RFC 6455 5.2) for the fuzz test: well-formed
 * ones, and the violations a server must refuse by closing (unmasked, reserved opcode or RSV bits,
 * fragmented or oversized control frames, a continuation with nothing to continue, a declared length
 * over the server's maxPayload, a bad close code). Frames are latin1 strings, one character per byte.
 */
import fc from 'fast-check';
import { MAX_MESSAGE_BYTES } from '../../servers/contract/upstream-message.ts';
import { bytes, utf8 } from './fuzz-http.ts';

export interface GeneratedFrames {
  text: string;
  /** Holds a frame the server must refuse: it has to close without the client saying more. */
  violates: boolean;
}

interface FrameSpec {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: string;
  /** A declared length other than the payload's: larger means the frame is cut short. */
  declared?: number | bigint;
}

/** Encodes one frame; the 64-bit length form is used whenever the declared length needs it. */
function encodeFrame(f: FrameSpec, mask: number[]): string {
  const length = f.declared ?? f.payload.length;
  let head = String.fromCharCode((f.fin ? 0x80 : 0) | (f.rsv << 4) | f.opcode);
  const maskBit = f.masked ? 0x80 : 0;
  if (typeof length === 'number' && length < 126) head += String.fromCharCode(maskBit | length);
  else if (typeof length === 'number' && length < 65_536)
    head += String.fromCharCode(maskBit | 126, length >> 8, length & 0xff);
  else {
    const big = BigInt(length);
    head += String.fromCharCode(maskBit | 127);
    for (let i = 7; i >= 0; i--) head += String.fromCharCode(Number((big >> BigInt(i * 8)) & 0xffn));
  }
  if (!f.masked) return head + f.payload;
  let body = String.fromCharCode(...mask);
  for (let i = 0; i < f.payload.length; i++) body += String.fromCharCode(f.payload.charCodeAt(i) ^ mask[i % 4]!);
  return head + body;
}

const closePayload = (code: number, reason: string) => String.fromCharCode(code >> 8, code & 0xff) + reason;

/**
 * A group of frames (one frame, or a whole fragmented message), whether a server must refuse it on
 * its own (RFC 6455 5.1, 5.2, 5.4, 5.5, 7.4), and whether it is cut short (what follows is its payload).
 */
interface Group {
  specs: FrameSpec[];
  violates: boolean;
  cut?: boolean;
}

const one = (spec: Omit<FrameSpec, 'fin' | 'rsv' | 'masked'> & Partial<FrameSpec>, violates: boolean): Group => ({
  specs: [{ fin: true, rsv: 0, masked: true, ...spec }],
  violates,
});

const group: fc.Arbitrary<Group> = fc.oneof(
  // Well-formed: a text or binary message, a ping, a pong, a close with a good code.
  fc
    .record({ opcode: fc.constantFrom(1, 2, 9, 10), payload: fc.oneof(utf8(60), bytes(60)) })
    .map(({ opcode, payload }) => one({ opcode, payload: opcode >= 8 ? payload.slice(0, 125) : payload }, false)),
  fc.constantFrom(1000, 1001, 3000, 4999).map((code) => one({ opcode: 8, payload: closePayload(code, 'bye') }, false)),
  // A text message in two fragments (legal).
  fc.tuple(utf8(20), utf8(20)).map(([a, b]) => ({
    specs: [
      { fin: false, rsv: 0, opcode: 1, masked: true, payload: a },
      { fin: true, rsv: 0, opcode: 0, masked: true, payload: b },
    ],
    violates: false,
  })),
  // Unmasked (5.1), RSV bits without an extension (5.2), reserved opcodes (5.2).
  fc
    .record({ opcode: fc.constantFrom(1, 2, 9), payload: bytes(20) })
    .map(({ opcode, payload }) => one({ opcode, payload, masked: false }, true)),
  fc
    .record({ rsv: fc.integer({ min: 1, max: 7 }), payload: bytes(20) })
    .map(({ rsv, payload }) => one({ opcode: 1, rsv, payload }, true)),
  fc
    .record({ opcode: fc.constantFrom(3, 4, 5, 6, 7, 11, 12, 13, 14, 15), payload: bytes(20) })
    .map(({ opcode, payload }) => one({ opcode, payload }, true)),
  // Control frames fragmented or over 125 bytes (5.5); a continuation with nothing to continue (5.4).
  fc.constantFrom(8, 9, 10).map((opcode) => one({ opcode, payload: 'x', fin: false }, true)),
  fc.integer({ min: 126, max: 400 }).map((n) => one({ opcode: 9, payload: 'p'.repeat(n) }, true)),
  fc.constant(one({ opcode: 0, payload: 'orphan' }, true)),
  // Over maxPayload, declared only (the payload never comes): refused on the header (1009).
  fc
    .oneof(
      fc.integer({ min: MAX_MESSAGE_BYTES + 1, max: 100 * 2 ** 20 }),
      fc.constantFrom(2n ** 32n, 2n ** 53n, 2n ** 63n - 1n, 2n ** 63n),
    )
    .map((declared) => one({ opcode: 1, payload: 'x', declared }, true)),
  // Close codes no endpoint may send (7.4.1), and a one-byte close payload.
  fc
    .constantFrom(0, 999, 1004, 1005, 1006, 1015, 2999, 5000, 65_535)
    .map((code) => one({ opcode: 8, payload: closePayload(code, '') }, true)),
  fc.constant(one({ opcode: 8, payload: '\x03' }, true)),
  // A frame cut short: the server waits for the rest, and takes whatever follows as its payload.
  fc
    .integer({ min: 1, max: 500 })
    .map((extra) => ({ ...one({ opcode: 1, payload: 'cut', declared: 3 + extra }, false), cut: true })),
);

/** One to four groups, each frame masked with its own key. */
export const wsFrames: fc.Arbitrary<GeneratedFrames> = fc
  .array(fc.tuple(group, fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 })), {
    minLength: 1,
    maxLength: 4,
  })
  .map((groups) => {
    // A violation counts if the server reads it: before the first frame cut short, which swallows the rest.
    const firstCut = groups.findIndex(([g]) => g.cut === true);
    const read = firstCut === -1 ? groups : groups.slice(0, firstCut);
    return {
      text: groups.map(([g, mask]) => g.specs.map((spec) => encodeFrame(spec, mask)).join('')).join(''),
      violates: read.some(([g]) => g.violates),
    };
  });

/** Raw garbage after a handshake. */
export const garbageFrames: fc.Arbitrary<GeneratedFrames> = bytes(80).map((text) => ({ text, violates: false }));
