/**
 * A server's WebSocket frame for one whole message (RFC 6455 5.2): FIN set, no extension bits, never
 * masked (only clients mask), the length in 7, 7+16 or 7+64 bits. Built once per event and written
 * as it is to every client whose connection runs without permessage-deflate: the same bytes ws's
 * Sender writes for that message (test/unit/ws-frame.test.ts compares them), without its per-client
 * header buffer, cork and two-buffer writev, which were most of the fan-out's user-space time.
 */
export function serverFrame(payload: Buffer, binary: boolean): Buffer {
  const n = payload.length;
  const header = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + n);
  frame[0] = 0x80 | (binary ? 0x2 : 0x1);
  if (n < 126) frame[1] = n;
  else if (n < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(n), 2);
  }
  payload.copy(frame, header);
  return frame;
}
