/**
 * The monthly report of a big district, built by the report's own builder (buildMonthlyReport) from an input
 * shaped like a real one: thousands of service items (事项) each with applications in the month, hundreds of
 * policies with Chinese names, dozens of departments, hard cases on a third of the items and a data-gap
 * ledger whose materials carry their Chinese names and the items they were missing for. Deterministic: the
 * same sizes build the same report, so its JSON size is a fixed figure to reason about.
 */
import type { HardCaseCounts, HardCaseFigures } from '#hardcase';
import { emptyCounters as emptyPolicyCounters, figuresFromCounters as policyFigures, type Policy } from '#entitlement';
import { emptyCounters, type Counters } from '#review';
import { syncFigures } from '#review/domain/upward/sync-figures';
import { buildMonthlyReport, type DecisionInput, type MonthlyReport, type PolicyInput, type ReportInput } from '#report/domain/build';
import type { GapApplication, GapEntitlement } from '#report/domain/gaps';

export interface DistrictSize {
  readonly items: number;
  readonly policies: number;
  readonly departments: number;
  /** Applications per item in the month. */
  readonly applicationsPerItem?: number;
}

const TZ = 'Asia/Shanghai';
const MONTH = '2026-11';
const GENERATED_AT = '2026-12-01T00:05:00.000Z';
const DEPARTMENT_SUFFIXES = ['SWJ', 'RSJ', 'SCJGJ', 'ZJJ', 'GTJ', 'WJJ', 'MZJ', 'JYJ', 'GAJ', 'SWJU', 'FGJ', 'KJJ', 'CZJ', 'TJJ', 'HBJ'];
const POLICY_WORDS = ['小微企业', '高新技术企业', '专精特新', '稳岗', '创业担保贷款', '研发费用', '出口信用保险', '人才住房', '首台套', '技能培训'];
const BENEFITS = ['补贴', '奖励', '贴息', '资助', '返还'];
const MATERIALS = ['营业执照副本', '法定代表人身份证明', '场地使用证明', '消防安全检查合格证', '环境影响评价批复', '劳动合同', '社保缴费证明', '完税证明', '审计报告', '授权委托书'];
const FACTS = ['enterprise.exportValueUsd', 'enterprise.rdExpense', 'enterprise.employees', 'enterprise.revenue', 'person.socialSecurityMonths', 'person.residenceYears', 'licence.food.grade', 'enterprise.creditRating'];
const OUTCOMES = ['APPROVED', 'APPROVED', 'APPROVED_ON_COMMITMENT', 'ACCEPTED_PENDING_MATERIALS', 'MANUAL_REVIEW', 'REJECTED'] as const;
const CHANNELS = ['web', 'window', 'app', 'hotline'];

/** A small deterministic generator (a linear congruential one): the same sizes, the same report. */
function numbers(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The input of a district of `size`, for November 2026. */
export function bigReportInput(size: DistrictSize): ReportInput {
  const next = numbers(20261130);
  const district = { code: '440305', name: '南山区' };
  const departments = Array.from({ length: size.departments }, (_, d) => `440305-${DEPARTMENT_SUFFIXES[d % DEPARTMENT_SUFFIXES.length]}${d >= DEPARTMENT_SUFFIXES.length ? pad(d, 2) : ''}`);
  // A real 事项编码 is a long code: the department's credit code, the item's catalogue number and its variant.
  const items = Array.from({ length: size.items }, (_, i) => ({
    code: `11440305MB2C9${pad(i, 5)}X44${pad(i % 97, 2)}111009000`,
    departmentCode: departments[i % departments.length]!,
  }));

  const decisions: DecisionInput[] = [];
  const gapApplications: GapApplication[] = [];
  const perItem = size.applicationsPerItem ?? 3;
  for (const [i, item] of items.entries()) {
    for (let a = 0; a < perItem; a++) {
      const applicationId = `APP-${pad(i, 5)}-${a}`;
      const day = 1 + next(30);
      const submittedAt = `2026-11-${pad(day, 2)}T10:${pad(next(60), 2)}:00+08:00`;
      decisions.push({
        decision: {
          applicationId, itemCode: item.code, itemVersion: 1, itemMode: 'instant', departmentCode: item.departmentCode,
          outcome: OUTCOMES[next(OUTCOMES.length)]!, materialsWaived: next(2) === 0 ? ['CL-00001'] : [],
          latencyMs: 200 + next(5000), timeLimitCompression: 0.5, submittedAt, decidedAt: submittedAt, updatedAt: submittedAt, sequence: 1,
        },
        verificationOverdue: next(50) === 0,
      });
      if (a === 0) {
        // Each item's first application lacked two materials (handed in on paper) and, for one in five, a fact.
        const materialsByHand = [0, 1].map(() => {
          const m = next(size.items);
          return { code: `CL-${pad(m, 5)}`, name: `${MATERIALS[m % MATERIALS.length]}（${pad(m, 4)}号事项专用）` };
        });
        gapApplications.push({
          applicationId, itemCode: item.code, departmentCode: item.departmentCode,
          unknownFacts: next(5) === 0 ? [FACTS[next(FACTS.length)]!] : [], materialsByHand, materialsBlocked: next(4) === 0,
        });
      }
    }
  }

  const policies: PolicyInput[] = [];
  const gapEntitlements: GapEntitlement[] = [];
  for (let p = 0; p < size.policies; p++) {
    const policy = {
      policyId: `POL-2026-${pad(p, 4)}`,
      name: `${district.name}${POLICY_WORDS[p % POLICY_WORDS.length]}${BENEFITS[p % BENEFITS.length]}（第${p + 1}批）`,
      departmentCode: departments[p % departments.length]!,
      kind: p % 2 === 0 ? 'grant' : 'confirm',
      criteria: { all: [] },
      benefit: { type: 'subsidy', description: '按规定发放', amount: 10000 + next(90000) },
      validFrom: '2026-01-01',
      validTo: '2026-12-31',
      channels: ['sms'],
      version: 1,
      publishedAt: '2026-03-01T09:00:00+08:00',
    } as unknown as Policy;
    const eligible = next(2000);
    const counters = { ...emptyPolicyCounters(), eligible, needsInfo: next(300), notified: eligible, confirmed: next(eligible + 1), granted: next(eligible + 1), disbursed: next(eligible + 1), objectionsFiled: next(5) };
    policies.push({ policy, figures: { ...policyFigures(policy.policyId, counters, { amountReserved: eligible * 10000, amountDisbursed: next(10_000_000) }, policy.publishedAt), delivered: eligible } });
    for (let e = 0; e < 5; e++) {
      gapEntitlements.push({ policyId: policy.policyId, departmentCode: policy.departmentCode, creditCode: `91440300MA5${pad(p, 4)}${e}`, amount: 10000, unknownFacts: [FACTS[next(FACTS.length)]!] });
    }
  }

  const review = (): Counters => {
    const c = emptyCounters();
    const completed = 100 + next(5000);
    return { ...c, completedCases: completed, level5: Math.floor(completed * 0.8), level1: next(20) } as Counters;
  };
  const counts = (received: number): HardCaseCounts => ({
    received, offered: 0, contacted: received, resolved: received - 1, explained: 1, escalated: 0, returnVisited: received - 1,
    satisfied: received - 1, closed: received, overdueContact: 0, overdueResolve: next(2), overdue: next(2),
    resolutionRate: (received - 1) / received, satisfactionRate: 1,
  });
  const hardCases: HardCaseFigures = {
    period: { granularity: 'month', value: MONTH },
    all: counts(items.length),
    byCause: ['dataSharing', 'policyGap', 'systemFault', 'unclassified'].map((cause) => ({ cause, counts: counts(2 + next(100)) })),
    byItem: items.filter((_, i) => i % 3 === 0).map((item) => ({ itemCode: item.code, counts: counts(2 + next(5)) })),
    byChannel: CHANNELS.map((channel) => ({ channel, counts: counts(2 + next(500)) })),
  };

  return {
    district,
    month: MONTH,
    timeZone: TZ,
    generatedAt: GENERATED_AT,
    decisions,
    policies,
    reviewDepartments: departments.map((key) => ({ key, counters: review() })),
    reviewDays: Array.from({ length: 30 }, (_, d) => ({ day: `${MONTH}-${pad(d + 1, 2)}`, counters: review() })),
    hardCases,
    upwardSync: syncFigures([], GENERATED_AT),
    dataGaps: {
      from: `${MONTH}-01`,
      to: `${MONTH}-30`,
      applications: gapApplications,
      entitlements: gapEntitlements,
      owners: { facts: { enterprise: departments[0]! }, materials: {}, licences: {} },
    },
  };
}

/** The month's report of a district of `size`, as the report's schedule would build it. */
export const bigReport = (size: DistrictSize): MonthlyReport => buildMonthlyReport(bigReportInput(size));
