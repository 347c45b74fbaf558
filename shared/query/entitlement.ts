/**
 * 免申即享 read routes: the policy calculator (政策计算器) of an enterprise, a policy with its
 * figures and matching progress, and a policy's entitlements by state ("who was pushed policy P").
 */
import { isValidCreditCode, isValidIdNumber } from '#contract/identifiers';
import { json, problem } from '#platform/http';
import { nowIso } from '#platform/clock';
import { getCredit, getEnterpriseProfile } from '#registry';
import {
  batchGetOutbox,
  ENTITLEMENT_STATES,
  entitlementsOfEnterprise,
  explainEnterprise,
  figuresFromCounters,
  getBudget,
  getPolicy,
  getRun,
  listActivePolicies,
  listEntitlements,
  policyInactiveReason,
  readFigures,
  getPublicityWindow,
  publicityDays,
  type CriterionView,
  type EntitlementState,
  type Policy,
} from '#entitlement';
import type { QueryRoutes } from './router';

const POLICY_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const MAX_PAGE = 100;

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

export const entitlementRoutes: QueryRoutes = {
  /** 政策计算器: every active policy for one enterprise, with its entitlement and why. */
  'GET /enterprises/{creditCode}/policies': async ({ params }) => {
    const creditCode = params.creditCode ?? '';
    if (!isValidCreditCode(creditCode)) {
      return problem(400, 'creditCode must be a valid 18-character unified social credit code (charset, check character)');
    }
    const now = nowIso();
    const [profile, credit, active, entitlements] = await Promise.all([
      getEnterpriseProfile(creditCode),
      getCredit(creditCode),
      listActivePolicies(),
      entitlementsOfEnterprise(creditCode),
    ]);
    const byPolicy = new Map(entitlements.map((e) => [e.policyId, e]));
    // Active in their window now, plus any policy this enterprise already holds an entitlement to.
    const policies = new Map<string, Policy>();
    for (const p of active) if (policyInactiveReason(p, now) === undefined) policies.set(p.policyId, p);
    for (const e of entitlements) {
      if (policies.has(e.policyId)) continue;
      const p = await getPolicy(e.policyId);
      if (p !== undefined) policies.set(p.policyId, p);
    }
    const out = [...policies.values()]
      .sort((a, b) => a.policyId.localeCompare(b.policyId))
      .map((policy) => {
        const e = byPolicy.get(policy.policyId);
        const x = profile ? explainEnterprise(policy, profile, credit, now) : undefined;
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
      });
    return json(200, {
      creditCode,
      profileKnown: profile !== undefined,
      ...(profile ? { name: profile.name, profileAsOf: profile.asOf } : {}),
      dishonest: credit?.dishonest === true,
      at: now,
      policies: out,
    });
  },

  /** A policy: its current version, figures, budget and matching progress. */
  'GET /policies/{policyId}': async ({ params }) => {
    const policyId = params.policyId ?? '';
    if (!POLICY_ID.test(policyId)) return problem(400, 'policyId must be 1–64 letters, digits, ".", "_", ":" or "-"');
    const policy = await getPolicy(policyId);
    if (!policy) return problem(404, `no policy ${policyId}`);
    const [stored, run, budgetRemaining, window] = await Promise.all([
      readFigures(policyId),
      getRun(policyId, policy.version),
      getBudget(policyId),
      policy.publicity !== undefined ? getPublicityWindow(policyId) : undefined,
    ]);
    const figures = figuresFromCounters(
      policyId,
      stored.counters,
      { amountReserved: stored.amountReserved, amountDisbursed: stored.amountDisbursed, amountRecovered: stored.amountRecovered, firstPushAt: stored.firstPushAt, lastPushAt: stored.lastPushAt },
      policy.publishedAt,
    );
    return json(200, {
      policy,
      figures: { ...figures, delivered: stored.delivered },
      budget: policy.budget !== undefined ? { total: policy.budget, remaining: budgetRemaining ?? policy.budget } : null,
      // 公示: the policy's newest publicity window, and whether it is still open (objections are taken).
      ...(policy.publicity !== undefined ? { publicity: { workingDays: publicityDays(policy), window: window ?? null } } : {}),
      run: run
        ? {
            ...run,
            complete: run.completedAt !== undefined,
          }
        : null,
    });
  },

  /** A policy's entitlements, filtered by current `state` or by a state ever `reached`, paginated. */
  'GET /policies/{policyId}/entitlements': async ({ params, query }) => {
    const policyId = params.policyId ?? '';
    if (!POLICY_ID.test(policyId)) return problem(400, 'policyId must be 1–64 letters, digits, ".", "_", ":" or "-"');
    const states = ENTITLEMENT_STATES as readonly string[];
    for (const key of ['state', 'reached'] as const) {
      const v = query[key];
      if (v !== undefined && !states.includes(v)) return problem(400, `${key} must be one of ${states.join(', ')}`);
    }
    const limitText = query.limit ?? '50';
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > MAX_PAGE) {
      return problem(400, `limit must be a whole number from 1 to ${MAX_PAGE}`);
    }
    // A credit code, or for a person policy an ID number.
    if (query.cursor !== undefined && !isValidCreditCode(query.cursor) && !isValidIdNumber(query.cursor)) return problem(400, 'cursor is not one this route returned');
    if ((await getPolicy(policyId)) === undefined) return problem(404, `no policy ${policyId}`);
    const page = await listEntitlements(
      policyId,
      {
        ...(query.state ? { state: query.state as EntitlementState } : {}),
        ...(query.reached ? { reached: query.reached as EntitlementState } : {}),
      },
      Number(limitText),
      query.cursor,
    );
    const pushed = page.items.filter((e) => e.reached.includes('NOTIFIED')).map((e) => e.creditCode);
    const delivery = pushed.length > 0 ? await batchGetOutbox(policyId, pushed) : new Map();
    return json(200, {
      policyId,
      count: page.items.length,
      items: page.items.map((e) => {
        const d = delivery.get(e.creditCode);
        return {
          creditCode: e.creditCode,
          state: e.state,
          reached: e.reached,
          policyVersion: e.policyVersion,
          explanation: e.explanation ?? null,
          ...(e.notifiedAt ? { notifiedAt: e.notifiedAt } : {}),
          delivery: d
            ? { status: d.status, attempts: d.attempts, ...(d.deliveredAt ? { deliveredAt: d.deliveredAt } : {}), ...(d.lastError ? { lastError: d.lastError } : {}) }
            : null,
          history: e.history,
        };
      }),
      ...(page.cursor ? { cursor: page.cursor } : {}),
    });
  },
};
