/**
 * The policies named in the bureaus' reports (SPEC §14), as data: for tests, demos and benchmarks.
 * Thresholds follow the published policies where they are public (小型微利企业: ≤ 300 employees).
 */
import type { Policy } from './types';

const CHANNELS = ['政务服务网', '移动端', '短信'] as const;

/** 小微出口企业出口信用保险 — small and micro exporters, prior-year exports ≤ USD 6 M; one-click confirmation. */
export const EXPORT_CREDIT_INSURANCE: Policy = {
  policyId: 'POL-EXPORT-CREDIT-INSURANCE',
  name: '小微出口企业出口信用保险',
  departmentCode: 'SWJ',
  kind: 'confirm',
  criteria: {
    all: [
      { id: 'EXP-SIZE', description: '企业规模为小型或微型', fact: 'enterprise.size', op: 'in', value: ['micro', 'small'] },
      { id: 'EXP-EXPORTER', description: '上年度有出口实绩', fact: 'enterprise.exportValueUsd', op: 'gt', value: 0 },
      { id: 'EXP-CAP', description: '上年度出口额不超过600万美元', fact: 'enterprise.exportValueUsd', op: 'lte', value: 6_000_000 },
      { id: 'EXP-ACTIVE', description: '企业登记状态为存续', fact: 'enterprise.status', op: 'eq', value: '存续' },
    ],
  },
  benefit: { type: 'insurance', description: '由区财政统一投保短期出口信用保险，企业一键确认即可享受保障' },
  validFrom: '2025-01-01',
  validTo: '2025-12-31',
  channels: CHANNELS,
  version: 1,
};

/** 残疾人就业保障金免征 — enterprises with at most 30 employees are exempt; granted without applying. */
export const DISABILITY_LEVY_EXEMPTION: Policy = {
  policyId: 'POL-DISABILITY-LEVY-EXEMPTION',
  name: '残疾人就业保障金免征',
  departmentCode: 'SWJ-TAX',
  kind: 'grant',
  criteria: {
    all: [
      { id: 'DLE-EMPLOYEES', description: '在职职工总数不超过30人', fact: 'enterprise.employees', op: 'lte', value: 30 },
      { id: 'DLE-ACTIVE', description: '企业登记状态为存续', fact: 'enterprise.status', op: 'eq', value: '存续' },
    ],
  },
  benefit: { type: 'exemption', description: '免征残疾人就业保障金' },
  validFrom: '2025-01-01',
  validTo: '2027-12-31',
  channels: CHANNELS,
  version: 1,
};

/** 小微企业社保补贴 — a fixed subsidy per enterprise from a limited budget; granted at once. */
export const SOCIAL_INSURANCE_SUBSIDY: Policy = {
  policyId: 'POL-SOCIAL-INSURANCE-SUBSIDY',
  name: '小微企业社保补贴',
  departmentCode: 'RSJ',
  kind: 'grant',
  criteria: {
    all: [
      { id: 'SIS-SIZE', description: '企业规模为小型或微型', fact: 'enterprise.size', op: 'in', value: ['micro', 'small'] },
      { id: 'SIS-EMPLOYEES', description: '参保职工人数不少于3人', fact: 'enterprise.employees', op: 'gte', value: 3 },
      { id: 'SIS-ACTIVE', description: '企业登记状态为存续', fact: 'enterprise.status', op: 'eq', value: '存续' },
      { id: 'SIS-TAX', description: '纳税信用等级不为D级', fact: 'enterprise.taxCreditRating', op: 'ne', value: 'D' },
    ],
  },
  benefit: { type: 'subsidy', amount: 20_000, description: '一次性社会保险补贴2万元' },
  validFrom: '2025-01-01',
  validTo: '2025-12-31',
  budget: 5_000_000,
  channels: CHANNELS,
  version: 1,
};

/** 小微企业普惠性税收减免 — 小型微利企业 (≤ 300 employees, not large) get the reduced rate without applying. */
export const SMALL_BUSINESS_TAX_RELIEF: Policy = {
  policyId: 'POL-SMALL-BUSINESS-TAX-RELIEF',
  name: '小微企业普惠性税收减免',
  departmentCode: 'SWJ-TAX',
  kind: 'grant',
  criteria: {
    all: [
      { id: 'TAX-SIZE', description: '企业规模为小型或微型', fact: 'enterprise.size', op: 'in', value: ['micro', 'small'] },
      { id: 'TAX-EMPLOYEES', description: '从业人数不超过300人', fact: 'enterprise.employees', op: 'lte', value: 300 },
      { id: 'TAX-ACTIVE', description: '企业登记状态为存续', fact: 'enterprise.status', op: 'eq', value: '存续' },
      {
        not: { id: 'TAX-NOT-D', description: '纳税信用等级为D级', fact: 'enterprise.taxCreditRating', op: 'eq', value: 'D' },
      },
    ],
  },
  benefit: { type: 'tax-reduction', description: '应纳税所得额减按25%计入，按20%税率缴纳企业所得税' },
  validFrom: '2025-01-01',
  validTo: '2027-12-31',
  channels: CHANNELS,
  version: 1,
};

export const SAMPLE_POLICIES: readonly Policy[] = [
  EXPORT_CREDIT_INSURANCE,
  DISABILITY_LEVY_EXEMPTION,
  SOCIAL_INSURANCE_SUBSIDY,
  SMALL_BUSINESS_TAX_RELIEF,
];
