/**
 * One line for a failed zod parse: `path: message` per issue, joined with "; " ("(root)" for an
 * issue on the whole value). It lives in servers/ because the servers may not import from bench/,
 * while bench/ and reports/ may import from servers/ (as they do for the wire contract), so this is
 * the one place every schema check in the project can share.
 */
export interface ZodIssueLike {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** The issues as one line; with `limit`, only the first `limit` of them. */
export function formatZodIssues(issues: readonly ZodIssueLike[], limit?: number): string {
  const shown = limit === undefined ? issues : issues.slice(0, limit);
  return shown.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}
