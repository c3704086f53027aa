/**
 * Contract (servers/contract/). Imported by every process entry that validates its input (servers/main.ts,
 * bench/publisher/main.ts), the scenario check (bench/matrix.ts), the result schema and the gate's
 * config (bench/gate/config.ts).
 *
 * One line for a failed zod parse: `path: message` per issue, joined with "; " ("(root)" for an
 * issue on the whole value). It lives in the contract folder because the servers may not import from
 * bench/, while bench/ and reports/ may import this folder of servers/, so this is the one place every
 * schema check in the project can share, and a bad input reads the same in every process.
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
