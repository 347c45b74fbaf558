/**
 * 免申即享 read routes: the policy calculator (政策计算器) of an enterprise, a policy with its
 * figures and matching progress, and a policy's entitlements by state ("who was pushed policy P").
 */
import { isValidCreditCode, isValidIdNumber } from '#contract/identifiers';
import { json, problem } from '#platform/http';
import { nowIso } from '#platform/clock';
import { config } from '#platform/stage-config';
import { getCredit, getEnterpriseProfile } from '#registry';
import {
  batchGetOutbox,
  ENTITLEMENT_STATES,
  entitlementsOfEnterprise,
  figuresFromCounters,
  getBudget,
  getPolicy,
  getRun,
  listActivePolicies,
  listEntitlements,
  readFigures,
  getPublicityWindow,
  inapplicableDishonestFlag,
  publicityDays,
  type EntitlementState,
} from '#entitlement';
import { calculatorEntry, calculatorPolicies } from './calculator';
import type { QueryRoutes } from './router';

const POLICY_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const MAX_PAGE = 100;

export const entitlementRoutes: QueryRoutes = {
  /** 政策计算器: every active enterprise policy for one enterprise, with its entitlement and why (calculator.ts). */
  'GET /enterprises/{creditCode}/policies': async ({ params }) => {
    const creditCode = params.creditCode ?? '';
    if (!isValidCreditCode(creditCode)) {
      return problem(400, 'creditCode must be a valid 18-character unified social credit code (charset, check character)');
    }
    const now = nowIso();
    // Policy windows and date-only criteria are read in the stage's zone, as matching reads them.
    const { timeZone } = config();
    const [profile, credit, active, entitlements] = await Promise.all([
      getEnterpriseProfile(creditCode),
      getCredit(creditCode),
      listActivePolicies(),
      entitlementsOfEnterprise(creditCode),
    ]);
    const byPolicy = new Map(entitlements.map((e) => [e.policyId, e]));
    // Enterprise policies active in their window now, plus any this enterprise already holds an entitlement to.
    const activeById = new Map(active.map((p) => [p.policyId, p]));
    const held = await Promise.all(entitlements.map((e) => activeById.get(e.policyId) ?? getPolicy(e.policyId)));
    const out = calculatorPolicies(active, held.filter((p) => p !== undefined), 'enterprise', now, timeZone)
      .map((policy) => calculatorEntry(policy, byPolicy.get(policy.policyId), profile, credit, now, timeZone));
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
    // Stored before the publication refused it: the other kind's dishonest flag, ignored (said here, not hidden).
    const flag = inapplicableDishonestFlag(policy);
    return json(200, {
      policy,
      ...(flag !== undefined ? { warnings: [{ field: flag.field, message: flag.message }] } : {}),
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
