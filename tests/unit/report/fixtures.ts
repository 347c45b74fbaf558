/**
 * What the report's unit tests build reports from: a policy of the catalogue's shape, its figures from
 * counters, and a report input whose sections are empty unless a test fills them.
 */
import { createCalendar } from '#calendar';
import { hardCaseFigures } from '#hardcase';
import { syncFigures } from '#review/domain/upward/sync-figures';
import { figuresFromCounters, emptyCounters, type Policy } from '#entitlement';
import type { ReportInput } from '#report/domain/build';

export const TZ = 'Asia/Shanghai';
export const GENERATED_AT = '2026-12-01T00:05:00.000Z';
export const calendar = createCalendar({ timeZone: TZ, useChineseDays: true });

/** A grant policy valid through 2026, published on 1 November; `over` names it and may change the rest. */
export function reportPolicy(over: Pick<Policy, 'policyId' | 'name' | 'departmentCode'> & Partial<Policy>): Policy {
  return {
    kind: 'grant',
    criteria: { all: [] },
    benefit: { type: 't', description: 'd' },
    validFrom: '2026-01-01',
    validTo: '2026-12-31',
    channels: ['sms'],
    version: 1,
    publishedAt: '2026-11-01T09:00:00+08:00',
    ...over,
  } as Policy;
}

/** A policy with the figures its counters make (the others 0), and `delivered` pushes delivered. */
export function policyInput(
  policy: Policy,
  counters: Partial<ReturnType<typeof emptyCounters>>,
  delivered = 0,
  amounts: Parameters<typeof figuresFromCounters>[2] = {},
): ReportInput['policies'][number] {
  return { policy, figures: { ...figuresFromCounters(policy.policyId, { ...emptyCounters(), ...counters }, amounts, policy.publishedAt), delivered } };
}

/** 南山区's report of November 2026 with nothing in it but what `over` gives. */
export function reportInput(over: Partial<ReportInput> = {}): ReportInput {
  return {
    hardCases: hardCaseFigures([], { granularity: 'month', value: '2026-11' }, GENERATED_AT, calendar),
    upwardSync: syncFigures([], GENERATED_AT),
    district: { code: '440305', name: '南山区' },
    month: '2026-11',
    timeZone: TZ,
    generatedAt: GENERATED_AT,
    decisions: [],
    policies: [],
    reviewDepartments: [],
    reviewDays: [],
    ...over,
  };
}
