/**
 * The gate's thresholds from the command line: a config file (--config) and single overrides
 * (--alpha, --min-effect, --tolerance), shared by `npm run compare`, `bench:ci` and
 * `bench:false-alarms`.
 */
import { loadJsonFile } from '../result-file.ts';
import { ConfigError, parseCompareConfig, type CompareConfig } from './config.ts';

export const GATE_OPTIONS = {
  config: { type: 'string' },
  alpha: { type: 'string' },
  'min-effect': { type: 'string' },
  tolerance: { type: 'string' },
} as const;

export const GATE_USAGE = `  --config <file>     thresholds as JSON: {"alpha", "minEffect", "tolerance", "minRuns",
                      "metrics": {"<metric>": {"gate", "minEffect", "minAbsolute", "tolerance",
                      "absoluteTolerance"}}} (see README "Use in CI")
  --alpha <p>         family-wise false-alarm rate for noisy metrics (default 0.05)
  --min-effect <r>    smallest relative change of a noisy metric that counts (default 0.1 = 10%)
  --tolerance <r>     relative tolerance of exact metrics (default 0.01 = 1%)`;

export function gateConfig(values: {
  config?: string;
  alpha?: string;
  'min-effect'?: string;
  tolerance?: string;
}): CompareConfig {
  const base = values.config !== undefined ? (loadJsonFile(values.config) as Record<string, unknown>) : {};
  const overrides: Record<string, number> = {};
  const number = (name: string, raw: string | undefined, key: string) => {
    if (raw === undefined) return;
    const n = Number(raw);
    if (!/^[0-9]*\.?[0-9]+$/.test(raw) || !Number.isFinite(n))
      throw new ConfigError(`--${name}: "${raw}" is not a number`);
    overrides[key] = n;
  };
  number('alpha', values.alpha, 'alpha');
  number('min-effect', values['min-effect'], 'minEffect');
  number('tolerance', values.tolerance, 'tolerance');
  try {
    return parseCompareConfig({ ...(typeof base === 'object' && base !== null ? base : {}), ...overrides });
  } catch (err) {
    throw new ConfigError(
      `${values.config && Object.keys(overrides).length === 0 ? `${values.config}: ` : ''}invalid thresholds: ${(err as Error).message}`,
    );
  }
}
