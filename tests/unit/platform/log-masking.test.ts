/**
 * What the Powertools logger prints: every string passes through `maskSensitive`, so no ID number and no phone
 * number, mobile or fixed line, reaches a log line unmasked, while dates, amounts and codes stay readable.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { captureLogs, useEnv } from '#support/logs';

// Read when the logger is created: print INFO lines as Lambda would (JSON on stdout).
useEnv({ LOG_LEVEL: 'INFO', POWERTOOLS_DEV: undefined, CIVICFLOW_LOCAL: undefined });
let logger: Logger;

beforeAll(async () => {
  ({ logger } = await import('#platform/powertools'));
});

/** The JSON line the logger prints for `fields`. */
function printed(fields: Record<string, unknown>): Record<string, unknown> {
  const out = captureLogs({ from: 'stdout' });
  try {
    logger.info('review.submitted', fields);
  } finally {
    out.restore();
  }
  expect(out.lines).toHaveLength(1);
  return out.json()[0]!;
}

describe('log lines', () => {
  it('mask a fixed-line reviewerId and fixed lines in free text, keeping the area code and last 4 digits', () => {
    const line = printed({
      reviewerId: '0755-12345678',
      other: '075512345678',
      comment: '请回电 010-62345678 或（0755）26551234，分机 0728 1234567-801',
      event: { data: { contactPhone: '02088886666' } },
    });
    expect(line).toMatchObject({
      reviewerId: '0755-****5678',
      other: '0755****5678',
      comment: '请回电 010-****5678 或（0755）****1234，分机 0728 ***4567-801',
      event: { data: { contactPhone: '020****6666' } },
    });
    expect(JSON.stringify(line)).not.toMatch(/12345678|62345678|26551234|1234567-|88886666/);
  });

  it('still mask mobiles and ID numbers, and leave dates, amounts, counters and codes as they are', () => {
    const kept = {
      at: '2026-11-05T10:15:00+08:00',
      day: '20261105',
      amount: '2650.0755123456',
      applicationId: 'SQ-20261105-000342',
      orderNo: 'WO-0755123456',
      path: '/cases/0755123456',
      padded: '0000012345',
      creditCode: '91440300MA5G2K8L1P',
      count: 12345678901,
      area: '440305000000',
    };
    const line = printed({ ...kept, mobile: '13812345678', idNumber: '440305199003071236' });
    expect(line).toMatchObject({ ...kept, mobile: '138****5678', idNumber: '440305********1236' });
  });
});
