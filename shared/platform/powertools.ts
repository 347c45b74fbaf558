import { LogFormatter, LogItem, Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { maskSensitive } from '#contract/identifiers';

/**
 * The local runtime's log lines: the same JSON, without what only Lambda's log groups need (ARN, memory
 * size, cold start, request id), so a developer reads `{"level","time","function","message",…fields}`.
 */
class LocalLogFormatter extends LogFormatter {
  override formatAttributes(attributes: Parameters<LogFormatter['formatAttributes']>[0], additional: Record<string, unknown>): LogItem {
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        time: this.formatTimestamp(attributes.timestamp).slice(11, 23),
        function: attributes.lambdaContext?.functionName,
        message: attributes.message,
      },
    }).addAttributes(additional);
  }
}

/**
 * Logger and Metrics, created once at module scope. Every string that reaches a log line passes through
 * `maskSensitive`, so ID numbers and phone numbers never appear unmasked.
 */
export const logger = new Logger({
  jsonReplacerFn: (_key: string, value: unknown) => (typeof value === 'string' ? maskSensitive(value) : value),
  ...(process.env.CIVICFLOW_LOCAL === '1' ? { logFormatter: new LocalLogFormatter() } : {}),
});

/**
 * Metrics' own warnings go through the logger, except the one for an invocation that recorded no metric:
 * most batches of the registry, policy and notify consumers count nothing (a duplicate, a parked review),
 * so in AWS and locally alike that line said nothing and buried the ones that do.
 */
const metricsLog = {
  debug: (...args: unknown[]) => logger.debug(String(args[0]), ...args.slice(1).map((a) => ({ detail: a }))),
  info: (...args: unknown[]) => logger.info(String(args[0]), ...args.slice(1).map((a) => ({ detail: a }))),
  warn: (...args: unknown[]) => {
    if (String(args[0]).startsWith('No application metrics to publish')) return;
    logger.warn(String(args[0]), ...args.slice(1).map((a) => ({ detail: a })));
  },
  error: (...args: unknown[]) => logger.error(String(args[0]), ...args.slice(1).map((a) => ({ detail: a }))),
};

export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'CivicFlow', logger: metricsLog });
