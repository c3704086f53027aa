/**
 * The gate's statistics against reference values. Welch references come from SciPy
 * (scipy.stats.ttest_ind(baseline, candidate, equal_var=False) and its confidence_interval); SciPy
 * tests baseline - candidate, welch() reports candidate - baseline, so t and the CI flip sign.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { holm, welch, type WelchResult } from '../../bench/gate/stats.ts';

/** |actual - expected| within 1e-9 of |expected| (or 1e-12 absolute near zero). */
function close(actual: number, expected: number, label: string): void {
  const tolerance = Math.max(1e-9 * Math.abs(expected), 1e-12);
  assert.ok(Math.abs(actual - expected) <= tolerance, `${label}: ${actual} is not ${expected} (±${tolerance})`);
}

interface Reference {
  statistic: number;
  pValue: number;
  df: number;
  ci: [number, number];
  difference: number;
}

function matches(r: WelchResult, ref: Reference): void {
  close(r.statistic, ref.statistic, 'statistic');
  close(r.pValue, ref.pValue, 'p');
  close(r.df, ref.df, 'df');
  close(r.ci[0], ref.ci[0], 'CI low');
  close(r.ci[1], ref.ci[1], 'CI high');
  close(r.difference, ref.difference, 'difference');
  assert.ok(r.ci[0] < r.difference && r.difference < r.ci[1], 'the CI contains the difference');
}

describe('welch (candidate - baseline) against SciPy', () => {
  test("Student's sleep data: not significant at 5%, CI straddles 0", () => {
    const x = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
    const y = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];
    // SciPy ttest_ind(x, y): t = -1.8608..., CI of x - y = [-3.3655, 0.2055]; here y - x.
    const r = welch(x, y, 0.05);
    matches(r, {
      statistic: 1.8608134674868526,
      pValue: 0.0793941401873583,
      df: 17.776473516178488,
      ci: [-0.2054832307117105, 3.36548323071171],
      difference: 1.58,
    });
    // The same data the other way round: everything mirrors, p and df do not change.
    const back = welch(y, x, 0.05);
    close(back.statistic, -1.8608134674868526, 'mirrored statistic');
    close(back.pValue, 0.0793941401873583, 'mirrored p');
    close(back.df, 17.776473516178488, 'mirrored df');
    close(back.ci[0], -3.36548323071171, 'mirrored CI low');
    close(back.ci[1], 0.2054832307117105, 'mirrored CI high');
  });

  test('a clear shift: candidate higher, p < 0.001, CI above 0', () => {
    const r = welch([10.1, 10.4, 9.8, 10.0, 10.2], [11.0, 11.3, 10.9, 11.5, 11.1], 0.05);
    matches(r, {
      statistic: 7.212386464861586,
      pValue: 9.387005456727994e-5,
      df: 7.956343792633013,
      ci: [0.720764030175957, 1.399235969824044],
      difference: 1.06,
    });
    assert.ok(r.ci[0] > 0);
  });

  test('unequal sizes (n = 3 vs n = 6), and alpha sets the CI level', () => {
    const baseline = [1.0, 2.0, 4.0];
    const candidate = [2.0, 3.0, 3.5, 5.0, 6.0, 9.0];
    const ref = {
      statistic: 1.7814558388184583,
      pValue: 0.12195312081833432,
      df: 6.411017181252169,
      difference: 2.4166666666666665,
    };
    matches(welch(baseline, candidate, 0.05), { ...ref, ci: [-0.8518268584004991, 5.685160191733832] });
    // 90% CI: narrower, same p.
    matches(welch(baseline, candidate, 0.1), { ...ref, ci: [-0.18943082575005166, 5.022764159083385] });
  });

  test('n = 6 vs n = 3 with a 99% CI', () => {
    const r = welch([12.5, 11.9, 13.1, 12.2, 12.8, 12.0], [14.0, 13.2, 15.1], 0.01);
    matches(r, {
      statistic: 2.885714285714286,
      pValue: 0.07853684976612742,
      df: 2.502001601281025,
      ci: [-2.4913031029754533, 5.8579697696421205],
      difference: 14.1 - 12.416666666666666,
    });
  });

  test('constant samples: equal constants p = 1, different constants p = 0', () => {
    const same = welch([5, 5, 5], [5, 5, 5, 5], 0.05);
    assert.equal(same.pValue, 1);
    assert.equal(same.difference, 0);
    assert.deepEqual(same.ci, [0, 0]);
    assert.ok(Number.isNaN(same.statistic));
    assert.ok(Number.isNaN(same.df));

    const apart = welch([5, 5, 5], [7, 7], 0.05);
    assert.equal(apart.pValue, 0);
    assert.equal(apart.difference, 2);
    assert.deepEqual(apart.ci, [2, 2]);
  });

  test('one constant side is still a real test', () => {
    const r = welch([5, 5, 5], [5, 6, 7], 0.05);
    assert.ok(r.pValue > 0 && r.pValue < 1, `p ${r.pValue}`);
    assert.ok(Number.isFinite(r.statistic));
  });

  test('fewer than 2 values on either side throws', () => {
    assert.throws(() => welch([1], [1, 2, 3], 0.05), RangeError);
    assert.throws(() => welch([1, 2, 3], [2], 0.05), RangeError);
    assert.throws(() => welch([], [], 0.05), RangeError);
  });
});

describe('holm', () => {
  test('hand-computed example: sorted p times (m - rank), running maximum, input order kept', () => {
    // sorted: 0.005 x 4 = 0.02, 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 = 0.04 -> max(0.06, 0.04) = 0.06
    const adjusted = holm([0.01, 0.04, 0.03, 0.005]);
    const expected = [0.03, 0.06, 0.06, 0.02];
    assert.equal(adjusted.length, 4);
    adjusted.forEach((p, i) => close(p, expected[i]!, `adjusted[${i}]`));
  });

  test('capped at 1', () => {
    const adjusted = holm([0.5, 0.9, 0.02]);
    // sorted: 0.02 x 3 = 0.06, 0.5 x 2 = 1.0, 0.9 x 1 = 0.9 -> 1
    close(adjusted[2]!, 0.06, 'smallest');
    assert.equal(adjusted[0], 1);
    assert.equal(adjusted[1], 1);
    assert.ok(holm([0.6, 0.7]).every((p) => p <= 1));
  });

  test('monotone in the raw p, never below the raw p, one test unchanged, empty input empty', () => {
    const raw = [0.2, 0.001, 0.04, 0.013, 0.5, 0.0001, 0.03];
    const adjusted = holm(raw);
    const order = raw.map((p, i) => ({ p, a: adjusted[i]! })).sort((x, y) => x.p - y.p);
    for (let i = 1; i < order.length; i++) assert.ok(order[i]!.a >= order[i - 1]!.a, `monotone at ${i}`);
    raw.forEach((p, i) => assert.ok(adjusted[i]! >= p, `adjusted ${adjusted[i]} >= raw ${p}`));
    assert.deepEqual(holm([0.03]), [0.03]);
    assert.deepEqual(holm([]), []);
  });

  test('ties get the same adjusted value', () => {
    const adjusted = holm([0.01, 0.01, 0.01]);
    close(adjusted[0]!, 0.03, 'tie 0');
    close(adjusted[1]!, 0.03, 'tie 1');
    close(adjusted[2]!, 0.03, 'tie 2');
  });
});
