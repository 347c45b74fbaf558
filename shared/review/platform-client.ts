/**
 * The upward platform over HTTP (the `PlatformClient` port): a record is POSTed as JSON to the stage's
 * platform URL, and the answer read as
 *   2xx                      → acknowledged;
 *   409                      → the platform already has the record (评价数据不可重复): DUPLICATE, an ack;
 *   400 / 422 {code,message} → rejected with the platform's code and reason;
 *   anything else (5xx, 429, a timeout, a broken connection) → failed, retried with backoff.
 * A province whose platform answers otherwise gets its own reading here, next to its profile.
 */
import { DUPLICATE_REJECTION, type PlatformAnswer, type SyncRecord } from './domain/upward/sync';
import type { PlatformClient } from './ports';

/** How long a send waits for the platform's answer. */
export const PLATFORM_TIMEOUT_MS = 10_000;

async function reasonOf(response: Response): Promise<{ code: string; message: string }> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown; msg?: unknown };
    return { code: String(body.code ?? `HTTP_${response.status}`), message: String(body.message ?? body.msg ?? text).slice(0, 500) };
  } catch {
    return { code: `HTTP_${response.status}`, message: text.slice(0, 500) };
  }
}

export function httpPlatformClient(url: string, timeoutMs = PLATFORM_TIMEOUT_MS): PlatformClient {
  return {
    async send(record: SyncRecord): Promise<PlatformAnswer> {
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8', 'x-record-id': record.recordId, 'x-attempt': String(record.attemptNo) },
          body: JSON.stringify(record.payload),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        return { kind: 'failed', message: `platform unreachable: ${(error as Error).message}` };
      }
      if (response.ok) {
        await response.body?.cancel().catch(() => undefined);
        return { kind: 'ack' };
      }
      if (response.status === 409) return { kind: 'rejected', code: DUPLICATE_REJECTION, message: (await reasonOf(response)).message };
      if (response.status === 400 || response.status === 422) return { kind: 'rejected', ...(await reasonOf(response)) };
      const { message } = await reasonOf(response);
      return { kind: 'failed', message: `platform answered ${response.status}: ${message}`.slice(0, 500) };
    },
  };
}
