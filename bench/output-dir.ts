/**
 * Whether a folder a command writes into can be used, checked before anything runs, so that a bad
 * `--out` is one sentence and exit 2 instead of a raw errno line after calibration, or worse:
 * `mkdirSync(dir, { recursive: true })` on /proc/nonexistent/x loops forever at 100% CPU (procfs
 * answers ENOENT for the parent it has just "created"), with the event loop blocked so that not
 * even SIGTERM stops it. The check does what the command would do, one level at a time: creates
 * the missing folders without `recursive`, then creates and removes a file in the last one. Mode
 * bits alone would not tell (root passes access(2) on a read-only folder; /sys refuses it anyway).
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'that file system does not create folders there',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'the name is too long',
  ENOTDIR: 'a part of the path is a file, not a folder',
};

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return REASONS[code] ?? `${code || (err as Error).message}`;
}

/** Whether `p` exists, and whether it is a folder (following symbolic links). */
function kind(p: string): 'folder' | 'other' | 'missing' {
  try {
    return statSync(p).isDirectory() ? 'folder' : 'other';
  } catch (err) {
    // ENOTDIR: a part of the path is a file; the loop in outputDirProblem finds which one.
    return (err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR'
      ? 'missing'
      : 'other';
  }
}

/**
 * Makes `dir` (and the folders above it) if missing and checks that a file can be written in it.
 * Returns null when it can, or the reason it cannot, as the end of a sentence naming the path.
 */
export function outputDirProblem(dir: string): string | null {
  if (dir.trim() === '') return 'an empty path names no folder';
  const target = path.resolve(dir);
  // The nearest part of the path that exists, and the folders still to create below it.
  const missing: string[] = [];
  let existing = target;
  while (kind(existing) === 'missing' && path.dirname(existing) !== existing) {
    missing.unshift(existing);
    existing = path.dirname(existing);
  }
  if (kind(existing) !== 'folder') return `${existing} is not a folder`;
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && kind(folder) === 'folder') continue;
      return `cannot create ${folder}: ${reason(err)}`;
    }
  }
  const probe = path.join(target, `.pollbench-write-check-${process.pid}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (err) {
    return `cannot write in ${target}: ${reason(err)}`;
  }
  return null;
}

/** The same for a file a command writes (`compare --markdown <file>`): its folder, and not a folder itself. */
export function outputFileProblem(file: string): string | null {
  if (file.trim() === '') return 'an empty path names no file';
  if (kind(path.resolve(file)) === 'folder') return `${path.resolve(file)} is a folder`;
  return outputDirProblem(path.dirname(path.resolve(file)));
}
