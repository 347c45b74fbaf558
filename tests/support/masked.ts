/**
 * An HTTP function's handler wrapped as every one is (`maskedErrors`), invoked once: what it answered or
 * threw, and the log lines it wrote (Powertools prints ERROR lines on stderr, the others on stdout).
 */
import middy from '@middy/core';
import type { maskedErrors as MaskedErrors } from '#platform/http-errors';
import { captureLogs } from './logs';

export interface Invocation {
  readonly result?: any;
  readonly thrown?: unknown;
  readonly lines: string;
}

/**
 * `maskedErrors` is passed in: a test imports it after setting the logger's environment. `remainingMs` is
 * the function's time left, as Lambda's context gives it.
 */
export async function invokeMasked(maskedErrors: typeof MaskedErrors, work: () => Promise<unknown>, remainingMs = 10_000): Promise<Invocation> {
  const handler = middy(async () => {
    await work();
    return { statusCode: 200, body: '{}' };
  }).use(maskedErrors());
  const logs = captureLogs();
  const deadline = Date.now() + remainingMs;
  try {
    const result = await handler({}, { getRemainingTimeInMillis: () => deadline - Date.now() } as never);
    return { result, lines: logs.text() };
  } catch (thrown) {
    return { thrown, lines: logs.text() };
  } finally {
    logs.restore();
  }
}
