/**
 * File names built from a result's strings, which are data from wherever the result came from (a
 * result file is JSON anyone can edit): `context.gitSha` of "/../../../" made `npm run pages` write
 * one level above the site folder. Every such name goes through safeName, and every path written
 * through insideFolder, a second guard that does not trust the first.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';

const MAX_LENGTH = 100;

/**
 * `raw` as one path component of [A-Za-z0-9._-] only, not starting with a dot or a dash, at most
 * MAX_LENGTH characters. A name that is already safe (an ISO time with - for :, a hex commit) comes
 * back unchanged, so published names stay what they were; any other gets an 8-hex hash of the raw
 * string appended, so that two names differing only in replaced characters never collide.
 */
export function safeName(raw: string): string {
  const cleaned = raw
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, MAX_LENGTH);
  if (cleaned === raw && raw !== '') return raw;
  const hash = createHash('sha256').update(raw).digest('hex').slice(0, 8);
  return `${cleaned.slice(0, MAX_LENGTH - 9).replace(/[.-]+$/, '')}${cleaned ? '-' : ''}${hash}`;
}

/** `folder` joined with `parts`, or a thrown error when the result would not be inside `folder`. */
export function insideFolder(folder: string, ...parts: string[]): string {
  const root = path.resolve(folder);
  const file = path.resolve(root, ...parts);
  if (!file.startsWith(root + path.sep)) throw new Error(`refusing to write ${file}: it is outside ${root}`);
  return file;
}
