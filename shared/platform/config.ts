import type { StageConfig } from '../../infra/config';

let cached: StageConfig | undefined;

/** The stage configuration the CDK app (or the local runtime) put into `CIVICFLOW_CONFIG`. */
export function config(): StageConfig {
  if (!cached) {
    const raw = process.env.CIVICFLOW_CONFIG;
    if (!raw) throw new Error('CIVICFLOW_CONFIG is not set: functions get their stage configuration from it');
    cached = JSON.parse(raw) as StageConfig;
  }
  return cached;
}

/** A required environment variable, with a message that says what is missing. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}
