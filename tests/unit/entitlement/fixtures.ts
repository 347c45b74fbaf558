import type { CreditRecord, EnterpriseProfile, Entitlement, Policy } from '#entitlement';
import type { Plan, Transition } from '#entitlement';

export const NOW = '2025-06-01T10:00:00+08:00';

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
