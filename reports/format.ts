/** Number formatting shared by every renderer, so the terminal, Markdown and HTML read the same. */

/** Three significant figures (at least whole units above 100), the way every ms figure reads. */
export const sig3 = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(Math.abs(v) >= 10 ? 1 : 2));
export const fixed =
  (digits: number) =>
  (v: number): string =>
    v.toFixed(digits);
export const int = (v: number): string => Math.round(v).toLocaleString('en-US');
export const pct = (v: number): string => `${(v * 100).toFixed(0)}%`;

/** A ratio such as "36x"; below 10 with one decimal so 1.8x does not read as 2x. */
export function times(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'n/a';
  return ratio >= 10 ? `${ratio.toFixed(0)}x` : `${ratio.toFixed(1)}x`;
}

/** Signed relative change, e.g. "+12.3%". */
export function signedPct(change: number): string {
  if (!Number.isFinite(change)) return 'n/a';
  const s = (change * 100).toFixed(1);
  return change > 0 ? `+${s}%` : `${s}%`;
}
