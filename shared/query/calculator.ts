/**
 * The pure part of the policy calculator (政策计算器, GET /enterprises/{creditCode}/policies): which
 * policies it lists for a subject and what it says of each. The route reads the profile, credit record,
 * policies and entitlements, and the stage's time zone; nothing here reads a clock or a setting.
 *
 * Listed: the policies of the subject's kind (an enterprise is never shown a person policy, whose `person.*`
 * criteria it could only leave unknown) that are active in their window now, plus any it holds an
 * entitlement to. Windows and date-only criteria are read in the stage's zone.
 */
import {
  explainEnterprise,
  policyInactiveReason,
  subjectKindOf,
  type CreditRecord,
  type CriterionView,
  type Entitlement,
  type EntitlementState,
  type Instant,
  type Policy,
  type SubjectKind,
  type SubjectProfile,
} from '#entitlement';

const OUTCOME_LABEL: Record<string, string> = {
  eligible: '符合条件',
  needsInfo: '信息不全，待补充',
  ineligible: '不符合条件',
  excluded: '不予推送',
};
const REASON_LABEL: Record<string, string> = {
  CRITERIA_HELD: '全部条件满足',
  CRITERIA_FAILED: '有条件不满足',
  CRITERIA_UNKNOWN: '有条件因缺少数据无法判断',
  DISHONEST: '失信主体，依政策不予享受',
  POLICY_WITHDRAWN: '政策已撤回',
  POLICY_NOT_YET_VALID: '政策尚未生效',
  POLICY_EXPIRED: '政策已过期',
  POLICY_WINDOW_INVALID: '政策有效期无效',
};
const STATE_LABEL: Record<EntitlementState, string> = {
  ELIGIBLE: '符合条件',
  NEEDS_INFO: '待补充信息',
  INELIGIBLE: '不再符合条件',
  NOTIFIED: '已推送',
  GRANTED: '已兑现',
  CONFIRMED: '已确认',
  DISBURSED: '已拨付',
  EXHAUSTED: '额度已用完',
  PUBLICIZED: '公示中',
  OBJECTED: '异议处理中',
  REMOVED: '异议成立，已移出名单',
  RECOVERED: '已追回',
  LAPSED: '政策已终止，公示失效',
};

const criterion = (c: CriterionView) => ({
  id: c.id,
  description: c.description,
  fact: c.fact,
  op: c.op,
  ...('value' in c ? { expected: c.value } : {}),
  seen: c.seen === undefined ? null : c.seen,
  ...(c.negated ? { negated: true } : {}),
});

/**
 * The policies listed for a subject of `kind`, by policy id: those of `active` in their window at `now` in
 * `timeZone`, and those of `held` (the policies of its entitlements, whatever their window), each of the
 * subject's kind.
 */
export function calculatorPolicies(
  active: readonly Policy[],
  held: readonly Policy[],
  kind: SubjectKind,
  now: Instant,
  timeZone: string,
): Policy[] {
  const policies = new Map<string, Policy>();
  for (const p of active) if (subjectKindOf(p) === kind && policyInactiveReason(p, now, timeZone) === undefined) policies.set(p.policyId, p);
  for (const p of held) if (subjectKindOf(p) === kind && !policies.has(p.policyId)) policies.set(p.policyId, p);
  return [...policies.values()].sort((a, b) => a.policyId.localeCompare(b.policyId));
}

/** One policy as the calculator shows it: the policy, the subject's entitlement, and why (criteria in `timeZone`). */
export function calculatorEntry(
  policy: Policy,
  entitlement: Entitlement | undefined,
  profile: SubjectProfile | undefined,
  credit: CreditRecord | undefined,
  now: Instant,
  timeZone: string,
) {
  const e = entitlement;
  const x = profile ? explainEnterprise(policy, profile, credit, now, { timeZone }) : undefined;
  return {
    policyId: policy.policyId,
    policyVersion: policy.version,
    name: policy.name,
    kind: policy.kind,
    benefit: policy.benefit,
    validFrom: policy.validFrom,
    validTo: policy.validTo,
    status: policy.status ?? 'active',
    entitlement: e
      ? {
          state: e.state,
          stateLabel: STATE_LABEL[e.state],
          reached: e.reached,
          policyVersion: e.policyVersion,
          ...(e.notifiedAt ? { notifiedAt: e.notifiedAt } : {}),
          ...(e.grantedAt ? { grantedAt: e.grantedAt } : {}),
          ...(e.confirmedAt ? { confirmedAt: e.confirmedAt } : {}),
          ...(e.disbursedAt ? { disbursedAt: e.disbursedAt, amountDisbursed: e.amountDisbursed } : {}),
          ...(e.publicity ? { publicity: e.publicity } : {}),
          ...(e.recovery ? { recoveredAt: e.recovery.at, amountRecovered: e.recovery.amount, recoveryReason: e.recovery.reason } : {}),
        }
      : null,
    explanation: x
      ? {
          // A dishonest enterprise is told so first, in every policy that excludes it.
          ...(x.exclusions.includes('dishonest') ? { excluded: 'dishonest' } : {}),
          outcome: x.outcome,
          outcomeLabel: OUTCOME_LABEL[x.outcome],
          reason: x.reason,
          reasonLabel: REASON_LABEL[x.reason] ?? x.reason,
          exclusions: x.exclusions,
          criteriaOutcome: x.criteriaOutcome,
          criteriaOutcomeLabel: OUTCOME_LABEL[x.criteriaOutcome],
          held: x.held.map(criterion),
          failed: x.failed.map(criterion),
          unknown: x.unknown.map(criterion),
        }
      : null,
  };
}
