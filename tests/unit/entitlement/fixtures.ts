import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreditRecord, EnterpriseProfile, Entitlement, PersonProfile, Plan, Policy, Transition } from '#entitlement/domain/index';

export const NOW = '2025-06-01T10:00:00+08:00';

const SAMPLES = join(import.meta.dirname, '../../../events/samples');

/** The data of a sample event (events/samples/<type>/<name>.json): the one source of sample events. */
export function sampleData<T>(type: string, name: string): T {
  return (JSON.parse(readFileSync(join(SAMPLES, type, `${name}.json`), 'utf8')) as { data: T }).data;
}

/** A sample policy as published (its window is 2026; its profiles write the registration status `active`). */
export const samplePolicy = (name: 'export-credit-insurance' | 'disability-fund-exemption' | 'social-insurance-subsidy'): Policy =>
  sampleData<Policy>('gov.policy.published', name);

/** A moment inside every sample policy's window. */
export const SAMPLE_NOW = '2026-11-05T10:00:00+08:00';

export function profile(over: Partial<EnterpriseProfile> = {}): EnterpriseProfile {
  return {
    creditCode: '91440106MA59C1234X',
    name: '广州天河华信贸易有限公司',
    asOf: '2025-05-01T00:00:00+08:00',
    size: 'small',
    industry: '批发和零售业',
    region: '440106',
    status: '存续',
    employees: 12,
    exportValueUsd: 1_200_000,
    taxCreditRating: 'B',
    ...over,
  };
}

export function credit(over: Partial<CreditRecord> = {}): CreditRecord {
  return { subjectId: '91440106MA59C1234X', asOf: '2025-05-01T00:00:00+08:00', rating: 'B', dishonest: false, falseCommitment: false, ...over };
}

export function policy(over: Partial<Policy> = {}): Policy {
  return {
    policyId: 'P-TEST',
    name: '测试政策',
    departmentCode: 'SWJ',
    kind: 'confirm',
    criteria: {
      all: [
        { id: 'T-SIZE', description: '企业规模为小型或微型', fact: 'enterprise.size', op: 'in', value: ['micro', 'small'] },
        { id: 'T-EXP', description: '上年度出口额不超过600万美元', fact: 'enterprise.exportValueUsd', op: 'lte', value: 6_000_000 },
      ],
    },
    benefit: { type: 'subsidy', amount: 1000, description: '补贴1000元' },
    validFrom: '2025-01-01',
    validTo: '2025-12-31',
    channels: ['短信'],
    version: 1,
    ...over,
  };
}

export function transitionOf(plan: Plan): Transition {
  if (plan.kind !== 'transition') throw new Error(`expected a transition, got ${JSON.stringify(plan)}`);
  return plan.transition;
}

export function entitlement(over: Partial<Entitlement> = {}): Entitlement {
  return {
    policyId: 'P-TEST',
    creditCode: '91440106MA59C1234X',
    policyVersion: 1,
    state: 'ELIGIBLE',
    reached: ['ELIGIBLE'],
    revision: 1,
    history: [],
    createdAt: NOW,
    updatedAt: NOW,
    ...over,
  };
}

/** A resident of 南山区 with the given ID number (the birth date is the one in it). */
export function person(idNumber: string, over: Partial<PersonProfile> = {}): PersonProfile {
  return { idNumber, name: '张三丰', asOf: '2025-05-01', residenceDistrict: '440305', ...over };
}

/** 高龄津贴: a person policy for residents of 南山区 aged 80 or more. */
export function elderly(over: Partial<Policy> = {}): Policy {
  return {
    policyId: 'P-ELDER',
    name: '高龄津贴',
    departmentCode: 'MZJ',
    kind: 'grant',
    subjectKind: 'person',
    criteria: {
      all: [
        { id: 'E-AGE', description: '年满80周岁', fact: 'person.birthDate', op: 'ageAtLeast', value: 80 },
        { id: 'E-DIST', description: '户籍在南山区', fact: 'person.residenceDistrict', op: 'eq', value: '440305' },
      ],
    },
    benefit: { type: 'allowance', amount: 200, description: '每月200元' },
    validFrom: '2025-01-01',
    validTo: '2030-12-31',
    channels: ['短信'],
    version: 1,
    ...over,
  };
}

const FIGURE_METRICS = new Set([
  'ObjectionsFiled',
  'ObjectionsUpheld',
  'ObjectionsUpheldAfterRelease',
  'ObjectionsDismissed',
  'EntitlementsAddedBySelfObjection',
  'EntitlementsRecovered',
  'RecoveredAmount',
  'PaidAfterPublicity',
  'PublicityToPaymentDays',
  'PublicityPairsLapsed',
]);

/** The publicity, objection, recovery, payment and lapse metrics emitted, summed by name. */
export function figureMetrics(metrics: readonly { readonly metric: string; readonly value: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { metric, value } of metrics) if (FIGURE_METRICS.has(metric)) out[metric] = (out[metric] ?? 0) + value;
  return out;
}
