import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { maskSensitive } from '../contract/identifiers';

/**
 * Logger and Metrics, created once at module scope. Every string that reaches a log line passes through
 * `maskSensitive`, so ID numbers and phone numbers never appear unmasked (SPEC §12).
 */
export const logger = new Logger({
  jsonReplacerFn: (_key: string, value: unknown) => (typeof value === 'string' ? maskSensitive(value) : value),
});

export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'CivicFlow' });
