/** Reading a saved result file with one clear sentence for each way it can be wrong. */
import { existsSync, readFileSync } from 'node:fs';
import { parseResult, type Result } from './result-schema.ts';

export class InputError extends Error {}

export function loadResultFile(file: string): Result {
  if (!existsSync(file)) throw new InputError(`no such file: ${file}`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(`${file} is not JSON: ${(err as Error).message}`);
  }
  try {
    return parseResult(json);
  } catch (err) {
    throw new InputError(`${file}: ${(err as Error).message}`);
  }
}

/** A JSON file other than a result (a compare config): parsed, or one clear sentence. */
export function loadJsonFile(file: string): unknown {
  if (!existsSync(file)) throw new InputError(`no such file: ${file}`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(`${file} is not JSON: ${(err as Error).message}`);
  }
}
