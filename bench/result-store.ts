/**
 * Writes the result document after every finished run, atomically (temp file + rename), so a crash
 * or Ctrl-C never leaves a half-written file and never loses a finished run. Validated before writing.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { resultSchema, type Result } from './result-schema.ts';

export function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export class ResultStore {
  readonly file: string;
  readonly latest: string;

  constructor(dir: string, scenarioName: string, startedAt: Date) {
    mkdirSync(dir, { recursive: true });
    const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
    this.file = path.join(dir, `${stamp}-${scenarioName}.json`);
    this.latest = path.join(dir, 'latest.json');
  }

  save(result: Result): void {
    const text = `${JSON.stringify(resultSchema.parse(result), null, 1)}\n`;
    writeAtomic(this.file, text);
    writeAtomic(this.latest, text);
  }
}
