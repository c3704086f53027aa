import { test } from 'node:test';
import assert from 'node:assert/strict';
import { entryId, seqOfEntryId, streamKey } from '../../servers/contract/broker-stream.ts';

test('entry ids are the seqs: <seq>-0 both ways', () => {
  for (const seq of [1, 2, 99, 10_000, Number.MAX_SAFE_INTEGER]) {
    assert.equal(entryId(seq), `${seq}-0`);
    assert.equal(seqOfEntryId(entryId(seq)), seq);
  }
});

test('no entry id for a seq the feed never has', () => {
  for (const seq of [0, -1, 1.5, NaN, Number.MAX_SAFE_INTEGER + 1]) assert.throws(() => entryId(seq), RangeError);
});

test('ids this contract never writes map to no seq', () => {
  for (const id of ['0-0', '5-1', '5', '-5-0', '05-0', '1e3-0', ' 5-0', '5-0 ', '', '99999999999999999-0'])
    assert.equal(seqOfEntryId(id), null, id);
});

test('a fresh key per feed: the orchestrator pid and its feed number are in it', () => {
  assert.equal(streamKey(1234, 7), 'pollbench:feed:1234:7');
  assert.notEqual(streamKey(1234, 7), streamKey(1234, 8));
});
