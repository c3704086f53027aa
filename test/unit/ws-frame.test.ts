import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'ws';
import { serverFrame } from '../../servers/ws-frame.ts';

/** ws exports its Sender (lib/sender.js) but @types/ws does not declare it. */
const { Sender } = ws as unknown as {
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] };
};

/** What ws's own Sender writes for one unmasked, uncompressed whole message: its header, then the data. */
function wsFrame(payload: Buffer, binary: boolean): Buffer {
  const options = { fin: true, rsv1: false, opcode: binary ? 2 : 1, mask: false, readOnly: true };
  return Buffer.concat(Sender.frame(payload, options));
}

test("a prebuilt server frame is byte for byte what ws's Sender writes, at every length encoding", () => {
  // 7-bit lengths (0..125), the 16-bit form (126..65535), the 64-bit form (65536 and more), and their edges.
  for (const n of [0, 1, 125, 126, 127, 300, 65_535, 65_536, 70_000]) {
    for (const binary of [false, true]) {
      const payload = Buffer.alloc(n, binary ? 0xa5 : 0x61);
      const ours = serverFrame(payload, binary);
      assert.deepEqual(ours, wsFrame(payload, binary), `${n} bytes, ${binary ? 'binary' : 'text'}`);
      assert.equal(ours.length - n, n < 126 ? 2 : n < 65_536 ? 4 : 10, 'RFC 6455 5.2 header size');
    }
  }
});
