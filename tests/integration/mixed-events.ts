/**
 * Deterministic mixed workloads for the reliability and soak tests: completed cases and reviews (好差评)
 * and instant applications (秒批), with the figures they must produce computed here, independently of
 * the system under test. Each workload has its own department and service item, so several can share
 * one runtime and still be checked exactly.
 */
import { makeIdNumber } from '#contract/identifiers';
import { sample } from '#support/runtime';

/** Cases complete and reviews arrive on Monday 2026-11-02 (Asia/Shanghai); set the dev clock after it. */
export const CLOCK = '2026-11-06T02:00:00.000Z';

export interface Workload {
  readonly prefix: string;
  /** The service item to publish (and drain) before the rest. */
  readonly item: any;
  /** Every other event, in posting order. */
  readonly events: any[];
  readonly expected: {
    readonly department: string;
    readonly itemDepartment: string;
    readonly itemCode: string;
    readonly cases: number;
    readonly byLevel: Record<'1' | '2' | '3' | '4' | '5', number>;
    readonly approved: number;
    readonly rejected: number;
  };
}

const completedTemplate = sample('gov.case.completed', 'window-case');
const reviewTemplate = sample('gov.review.submitted', 'good-review');
const applicationTemplate = sample('gov.application.submitted', 'instant-weather-certificate');
const itemTemplate = sample('gov.catalog.item.published', 'weather-certificate');

/** An ID number with a valid check digit, different for each n < 1000 × 28. */
export function personId(n: number): string {
  const day = String(1 + (Math.floor(n / 1000) % 28)).padStart(2, '0');
  return makeIdNumber('440305', `199003${day}`, String(n % 1000).padStart(3, '0'));
}

/** A mobile number for n < 10^8. */
export function mobile(n: number): string {
  return `139${String(n).padStart(8, '0')}`;
}

/**
 * About `size` events: per group of 10, 3 completed cases, 3 reviews of them (levels cycling 5,4,3,2,1;
 * every fourth review by SMS from a mobile number) and 4 applications (every third one outside the
 * district, so its rule fails and it is REJECTED).
 */
export function workload(prefix: string, size: number): Workload {
  const department = `T-${prefix}`;
  const itemDepartment = `Q-${prefix}`;
  const itemCode = `QX-${prefix}`;
  const item = {
    ...itemTemplate,
    id: `item-${prefix}`,
    data: { ...itemTemplate.data, itemCode, departmentCode: itemDepartment, name: `气象证明出具 ${prefix}` },
  };
  const events: any[] = [];
  const byLevel = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
  let cases = 0;
  let approved = 0;
  let rejected = 0;
  const groups = Math.max(1, Math.round(size / 10));
  for (let g = 0; g < groups; g++) {
    for (let k = 0; k < 3; k++) {
      const n = g * 3 + k;
      const caseId = `${prefix}-C${n}`;
      const applicantId = personId(n);
      const completedAt = `2026-11-02T${String(8 + (n % 9)).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}:00+08:00`;
      events.push({
        ...completedTemplate,
        id: `${prefix}-done-${n}`,
        time: completedAt,
        data: { caseId, itemCode: 'SJ-0001', departmentCode: department, staffId: 'S-0317', applicantId, channel: 'window', completedAt },
      });
      cases++;
      const level = 5 - (n % 5);
      const sms = n % 4 === 3;
      events.push({
        ...reviewTemplate,
        id: `${prefix}-rev-${n}`,
        time: completedAt,
        data: {
          reviewId: `${prefix}-R${n}`,
          caseId,
          itemCode: 'SJ-0001',
          departmentCode: department,
          staffId: 'S-0317',
          channel: sms ? 'sms' : 'web',
          level,
          reviewerId: sms ? mobile(n) : applicantId,
          submittedAt: completedAt.replace(/:00\+08:00$/, ':30+08:00'),
          ...(level <= 2 ? { indicators: ['WAIT_TOO_LONG'], comment: `等了很久 ${prefix}` } : {}),
        },
      });
      byLevel[String(level) as '1']++;
    }
    for (let k = 0; k < 4; k++) {
      const n = g * 4 + k;
      const outside = n % 3 === 2;
      if (outside) rejected++;
      else approved++;
      events.push({
        ...applicationTemplate,
        id: `${prefix}-app-${n}`,
        data: {
          ...applicationTemplate.data,
          applicationId: `${prefix}-A${n}`,
          itemCode,
          applicant: { kind: 'person', id: personId(50_000 + n), name: '王芳' },
          form: { ...applicationTemplate.data.form, district: outside ? '福田区' : '南山区' },
        },
      });
    }
  }
  return { prefix, item, events, expected: { department, itemDepartment, itemCode, cases, byLevel, approved, rejected } };
}

/** Events grouped by source into batches of at most `size` (one HTTP request each), sources interleaved. */
export function batches(events: readonly any[], size = 100): any[][] {
  const bySource = new Map<string, any[]>();
  for (const e of events) {
    const list = bySource.get(e.source) ?? [];
    list.push(e);
    bySource.set(e.source, list);
  }
  const chunked = [...bySource.values()].map((list) => {
    const out: any[][] = [];
    for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
    return out;
  });
  const out: any[][] = [];
  for (let round = 0; out.length < chunked.reduce((n, c) => n + c.length, 0); round++) {
    for (const c of chunked) if (round < c.length) out.push(c[round]!);
  }
  return out;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!, i);
      }
    }),
  );
  return results;
}

/**
 * Posts one batch as an upstream system must: a 5xx (the function timed out, a stand-in was down) means
 * "not accepted", so it is sent again, unchanged, a bounded number of times.
 */
export async function postUntilAccepted(
  post: (batch: any[]) => Promise<{ status: number; body: any }>,
  batch: any[],
  attempts = 6,
): Promise<{ status: number; body: any; retries: number }> {
  for (let retries = 0; ; retries++) {
    const out = await post(batch);
    if (out.status < 500 || retries + 1 >= attempts) return { ...out, retries };
    await new Promise((r) => setTimeout(r, 1000));
  }
}
