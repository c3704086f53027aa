import { test } from 'node:test';
import assert from 'node:assert/strict';
import { originForm, targetOf } from '../../servers/request-target.ts';

test('request targets: origin-form, absolute-form with a host[:port] authority, asterisk; nothing else', () => {
  assert.deepEqual(targetOf('/events?since=0'), { form: 'origin', path: '/events' });
  assert.deepEqual(targetOf('/Events/'), { form: 'origin', path: '/Events/' });
  assert.deepEqual(targetOf('http://127.0.0.1:8080/events?since=0'), {
    form: 'absolute',
    authority: '127.0.0.1:8080',
    path: '/events',
  });
  assert.deepEqual(targetOf('HTTPS://[::1]:1/ws'), { form: 'absolute', authority: '[::1]:1', path: '/ws' });
  assert.deepEqual(targetOf('http://localhost'), { form: 'absolute', authority: 'localhost', path: '/' });
  assert.deepEqual(targetOf('*'), { form: 'asterisk' });
  for (const bad of [
    '',
    'events',
    'ftp://h/events',
    'http:///events',
    'http://h:80x/events',
    'http://u@h/events',
    '127.0.0.1:80',
  ])
    assert.deepEqual(targetOf(bad), { form: 'invalid' }, bad);
  assert.deepEqual(targetOf(undefined), { form: 'invalid' });
});

test("originForm keeps the query and drops an absolute target's scheme and authority", () => {
  assert.equal(originForm('http://h:1/events?since=3&wait=0', '/events'), '/events?since=3&wait=0');
  assert.equal(originForm('http://h:1/events', '/events'), '/events');
});
