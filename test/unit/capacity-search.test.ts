import { test } from 'node:test';
import assert from 'node:assert/strict';
import { searchState, type SearchSettings, type StepVerdict } from '../../bench/capacity/search.ts';

const SETTINGS: SearchSettings = { start: 1000, max: 100_000, factor: 2, resolution: 0.1, maxSteps: 20 };

/** Drives the search against a fake measurement (passes below `ceiling`), bounded by the settings' own cap. */
function drive(settings: SearchSettings, passes: (clients: number) => boolean): StepVerdict[] {
  const steps: StepVerdict[] = [];
  for (let guard = 0; guard < 1000; guard++) {
    const { next } = searchState(settings, steps);
    if (next === null) return steps;
    steps.push({ clients: next, pass: passes(next) });
  }
  throw new Error('the search did not end within 1000 steps');
}

test('steps up geometrically from the start while every step passes', () => {
  const steps = drive(SETTINGS, (n) => n <= 5000);
  assert.deepEqual(
    steps.slice(0, 4).map((s) => s.clients),
    [1000, 2000, 4000, 8000],
  );
  assert.deepEqual(
    steps.slice(0, 4).map((s) => s.pass),
    [true, true, true, false],
  );
});

test('narrows between the last pass and the first fail by bisection, to the resolution', () => {
  const steps = drive(SETTINGS, (n) => n <= 5000);
  // 4000 pass, 8000 fail -> 6000 fail -> 5000 pass -> 5500 fail; 5500 - 5000 <= 10% of 5000: done.
  assert.deepEqual(
    steps.map((s) => s.clients),
    [1000, 2000, 4000, 8000, 6000, 5000, 5500],
  );
  const end = searchState(SETTINGS, steps);
  assert.deepEqual(end, { largestPass: 5000, firstFail: 5500, next: null, ended: 'narrowed' });
});

test('every step is kept: no audience is measured twice, each verdict stays in the list', () => {
  const steps = drive(SETTINGS, (n) => n <= 3333);
  assert.equal(new Set(steps.map((s) => s.clients)).size, steps.length);
  const end = searchState(SETTINGS, steps);
  assert.ok(end.largestPass !== null && end.largestPass <= 3333);
  assert.ok(end.firstFail !== null && end.firstFail > 3333);
  assert.ok(end.firstFail - end.largestPass <= 0.1 * end.largestPass);
});

test('stops at the cap on clients when the cap itself passes, and never measures above it', () => {
  const settings = { ...SETTINGS, max: 5000 };
  const steps = drive(settings, () => true);
  assert.deepEqual(
    steps.map((s) => s.clients),
    [1000, 2000, 4000, 5000],
  );
  assert.equal(searchState(settings, steps).ended, 'cap-reached');
});

test('a start above the cap measures the cap', () => {
  assert.equal(searchState({ ...SETTINGS, start: 9000, max: 500 }, []).next, 500);
});

test('stops after maxSteps steps whatever the measurements say', () => {
  const settings = { ...SETTINGS, maxSteps: 3 };
  const up = drive(settings, () => true);
  assert.equal(up.length, 3);
  assert.equal(searchState(settings, up).ended, 'step-limit');
  const narrowing = drive({ ...settings, maxSteps: 5, resolution: 0 }, (n) => n <= 1234);
  assert.equal(narrowing.length, 5);
  assert.equal(searchState({ ...settings, maxSteps: 5, resolution: 0 }, narrowing).ended, 'step-limit');
});

test('a failing start narrows downwards; failing at one client ends the search', () => {
  const steps = drive(SETTINGS, (n) => n <= 300);
  assert.deepEqual(steps.slice(0, 3), [
    { clients: 1000, pass: false },
    { clients: 500, pass: false },
    { clients: 250, pass: true },
  ]);
  const never = drive(SETTINGS, () => false);
  assert.equal(never.at(-1)!.clients, 1);
  assert.equal(searchState(SETTINGS, never).ended, 'failed-at-smallest');
  assert.equal(searchState(SETTINGS, never).largestPass, null);
});

test('resolution 0 narrows to adjacent audiences', () => {
  const settings = { ...SETTINGS, resolution: 0, maxSteps: 40 };
  const end = searchState(
    settings,
    drive(settings, (n) => n <= 4321),
  );
  assert.deepEqual([end.largestPass, end.firstFail, end.ended], [4321, 4322, 'narrowed']);
});
