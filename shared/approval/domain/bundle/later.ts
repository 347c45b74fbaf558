/**
 * Later events on a bundle application: a supplement (answers, form, materials), a person's decision on
 * one child in manual review (`gov.application.reviewed` with `itemCode`) and a department's verification
 * of one child approved on commitment (`gov.application.verification.reported`, `itemCode` optional). Each
 * makes the bundle's next version: the children it can change decided again, the others kept, the roll-up
 * recomputed. A refusal changes nothing and says why. The deadlines schedule makes versions too: children
 * past their supplement deadline terminated, children's verifications flagged overdue.
 */
import { jsonBytes, LIMITS } from '#contract/limits';
import type { Cause, Decision, Refusal } from '../decision';
import { isVerificationOverdue, onSupplementDeadline, onVerification, supplementMissed, type VerificationReport } from '../lifecycle';
import { beforeSubmitted, onReview, type PersonReview } from '../reviewed';
import type { ServiceItem, SubmittedMaterial } from '../types';
import { settle, type BundleChild, type BundleContext, type BundleReason, type BundleState } from './application';
import { mergeSupplement, planSupplement } from './supplement';
import { isFinalBundleStatus, type Child } from './types';

export type BundleTransition = { readonly ok: true; readonly state: BundleState } | { readonly ok: false; readonly refusal: Refusal };

export interface BundleSupplement {
  readonly materials: readonly SubmittedMaterial[];
  readonly answers?: Readonly<Record<string, unknown>>;
  readonly form?: Readonly<Record<string, unknown>>;
}

const asChildren = (state: BundleState): Child[] => state.children.map((c) => ({ itemCode: c.itemCode, required: c.required, state: c.state }));

/** Materials by code: a supplied entry replaces the one of the same code. */
function mergeMaterials(stored: readonly SubmittedMaterial[], supplied: readonly SubmittedMaterial[]): SubmittedMaterial[] {
  const byCode = new Map(stored.map((m) => [m.code, m] as const));
  for (const m of supplied) byCode.set(m.code, { ...byCode.get(m.code), ...m });
  return [...byCode.values()];
}

/**
 * A supplement: answers and form merged (new keys win), every child it can change decided again. Each child
 * pending materials keeps its own deadline, met or missed by the supplement's receipt at ingest
 * (`receivedAt`; the time it is processed, `context.now`, when there is none), not by when the queue got it
 * to us. A child whose deadline passed before the receipt is not served: it is kept as it is, pending, and
 * the supplement serves the rest; one whose deadline passed only since the receipt is served like the others.
 * Only the deadlines schedule terminates a child for its deadline, and only its grace after it, as it does a
 * single item: another supplement received in time for that child and still queued is decided on its
 * materials first, whatever came in for its siblings meanwhile. It is refused, too late, when the child it
 * missed would end the bundle once terminated (a required child) or it leaves nothing to serve in time: no
 * other child pending materials, no question to answer. A bundle final because the schedule terminated a
 * child whose deadline the receipt had met (the supplement held up past the schedule's grace) refuses it
 * SUPPLEMENT_IN_TIME_AFTER_TERMINATION, as a single item does; a bundle still open takes it for its other
 * children, with a reason of that code naming the terminated child.
 */
export function supplementBundle(previous: BundleState, supplement: BundleSupplement, context: BundleContext, receivedAt?: string): BundleTransition {
  const plan = planSupplement(previous.status, asChildren(previous));
  if (plan.kind === 'refused') {
    const terminated = receivedAt === undefined ? undefined : terminatedThoughInTime(previous, receivedAt);
    if (terminated !== undefined) {
      return {
        ok: false,
        refusal: {
          code: 'SUPPLEMENT_IN_TIME_AFTER_TERMINATION',
          message: `补正于 ${receivedAt} 收到，在事项 ${terminated.itemCode} 的补正期限 ${terminated.due} 内，但处理前该事项已因逾期未补正终止，一件事申请已办结；请窗口人员核实后跟进`,
        },
      };
    }
    return { ok: false, refusal: { code: 'NOT_PENDING_MATERIALS', message: `一件事申请当前状态为 ${previous.status}，已办结，补充材料或回答未予采纳` } };
  }
  const at = receivedAt ?? context.now;
  const late = lateChild(previous, at);
  const missed = missedSupplements(previous, at, context.now);
  const inTime = previous.status === 'NEEDS_ANSWER' || previous.children.some((c) => c.decision?.outcome === 'ACCEPTED_PENDING_MATERIALS' && !missed.has(c.itemCode));
  if (late !== undefined && (!inTime || isFinalBundleStatus(withTerminated(previous, context, missed)?.status ?? previous.status))) {
    return { ok: false, refusal: { code: 'SUPPLEMENT_TOO_LATE', message: `事项 ${late.itemCode} 的补正期限 ${late.due} 已过，不再接收补正材料或回答` } };
  }
  const merged = mergeSupplement(previous.application, supplement);
  const tooLarge = oversized(merged);
  if (tooLarge !== undefined) return { ok: false, refusal: { code: 'SUPPLEMENT_TOO_LARGE', message: tooLarge } };
  const application = { ...previous.application, ...merged, materials: mergeMaterials(previous.application.materials, supplement.materials) };
  // A child that missed its deadline waits for the schedule as it is: not decided again on materials too late for it.
  const kept = keptDecisions(previous, new Set([...plan.keep, ...missed.keys()]));
  const state = settle(application, context, kept, previous);
  const terminated = receivedAt === undefined ? undefined : terminatedThoughInTime(previous, receivedAt);
  if (terminated === undefined) return { ok: true, state };
  // The bundle is still open: the supplement serves the other children, and the version says, with the code a
  // single item's refusal has (its audit line's `why`, the bundle event's reasons), that it came in time for
  // the child the schedule terminated, so staff take that child up through the hard case it offered.
  const inTimeAfter: BundleReason = {
    code: 'SUPPLEMENT_IN_TIME_AFTER_TERMINATION',
    message: `补正于 ${receivedAt} 收到，在事项 ${terminated.itemCode} 的补正期限 ${terminated.due} 内，但处理前该事项已因逾期未补正终止；补正已用于其他事项，请窗口人员核实后跟进该事项`,
    details: { itemCode: terminated.itemCode, supplementDue: terminated.due },
  };
  return { ok: true, state: { ...state, reasons: [...state.reasons, inTimeAfter] } };
}

/**
 * Why the merged answers or form are larger than one application may hold (the edge's limits on one event,
 * which keep every version of the bundle within one stored item), or undefined. Each supplement is within
 * them; their merge may not be.
 */
function oversized(merged: { readonly answers: unknown; readonly form: unknown }): string | undefined {
  for (const [field, max] of [['form', LIMITS.formBytes], ['answers', LIMITS.answersBytes]] as const) {
    const bytes = jsonBytes(merged[field]);
    if (bytes > max) return `补正后的 ${field} 为 ${bytes} 字节（JSON），超过一件申请可保存的 ${max} 字节，补正未予采纳`;
  }
  return undefined;
}

/**
 * The children pending materials that missed their deadline at `at` (`graceMs` after it), each TERMINATED as
 * the schedule makes it at `now` (a supplement only asks whether that would end the bundle).
 */
function missedSupplements(state: BundleState, at: string, now: string, graceMs = 0): Map<string, Decision> {
  const missed = new Map<string, Decision>();
  for (const c of state.children) {
    if (c.decision === undefined || !supplementMissed(c.decision, at, graceMs)) continue;
    // The deadline has passed by `at`, so by `now` too (a clock set back aside).
    const terminated = onSupplementDeadline(c.decision, now);
    if (terminated !== undefined) missed.set(c.itemCode, terminated);
  }
  return missed;
}

/** A child pending materials whose supplement deadline had passed at `at`: the bundle takes no supplement received then. */
function lateChild(state: BundleState, at: string): { itemCode: string; due: string } | undefined {
  for (const c of state.children) {
    if (c.decision !== undefined && supplementMissed(c.decision, at)) return { itemCode: c.itemCode, due: c.decision.supplementDue?.date ?? '' };
  }
  return undefined;
}

/** A child the schedule terminated for its supplement deadline, which a supplement received at `receivedAt` had met. */
function terminatedThoughInTime(state: BundleState, receivedAt: string): { itemCode: string; due: string } | undefined {
  for (const c of state.children) {
    const d = c.decision;
    if (d?.outcome !== 'TERMINATED' || d.supplementDue === undefined || !d.reasons.some((r) => r.code === 'SUPPLEMENT_DEADLINE_MISSED')) continue;
    if (Date.parse(receivedAt) <= Date.parse(d.supplementDue.dueAt)) return { itemCode: c.itemCode, due: d.supplementDue.date };
  }
  return undefined;
}

/** The bundle with the `terminated` children's decisions in place and its roll-up recomputed; undefined when there are none. */
function withTerminated(previous: BundleState, context: BundleContext, terminated: ReadonlyMap<string, Decision>): BundleState | undefined {
  if (terminated.size === 0) return undefined;
  const kept = new Map<string, Decision>();
  for (const c of previous.children) if (c.decision !== undefined) kept.set(c.itemCode, terminated.get(c.itemCode) ?? c.decision);
  return settle(previous.application, context, kept, previous);
}

/**
 * The deadlines schedule on a bundle: every child still pending materials `graceMs` after its supplement
 * deadline (service/deadlines.ts `receiptGraceMs`: a supplement received in time and still queued is
 * decided first) is TERMINATED, its followers are not started, the roll-up is recomputed. Undefined when no
 * child is that far past its deadline (nothing to do, or another run did it).
 */
export function terminateMissedSupplements(previous: BundleState, context: BundleContext, graceMs: number): BundleState | undefined {
  if (isFinalBundleStatus(previous.status)) return undefined;
  return withTerminated(previous, context, missedSupplements(previous, context.now, context.now, graceMs));
}

function keptDecisions(state: BundleState, keep: ReadonlySet<string>): Map<string, Decision> {
  return new Map(state.children.flatMap((c) => (keep.has(c.itemCode) && c.decision ? [[c.itemCode, c.decision] as const] : [])));
}

/**
 * A person's decision on one child in manual review: the child's next version (certificate on approval),
 * then the followers it unblocks decided and the roll-up recomputed. Refused without `itemCode`
 * (ITEM_CODE_REQUIRED), for an item not in the bundle, for a child not in manual review, or when dated
 * before the bundle application was submitted (BEFORE_SUBMITTED). A final bundle
 * stays final with the same status: only a required child rejected, terminated or revoked makes a bundle
 * with a child in manual review final, and a person's decision on another child changes none of that.
 */
export function reviewBundleChild(previous: BundleState, review: PersonReview, context: BundleContext): BundleTransition {
  const { applicationId } = previous;
  if (review.itemCode === undefined) {
    return { ok: false, refusal: { code: 'ITEM_CODE_REQUIRED', message: `申请 ${applicationId} 是“一件事”套餐申请，人工审核决定须指定事项（itemCode）` } };
  }
  const child = previous.children.find((c) => c.itemCode === review.itemCode);
  if (child === undefined) {
    return { ok: false, refusal: { code: 'ITEM_NOT_IN_APPLICATION', message: `事项 ${review.itemCode} 不是一件事申请 ${applicationId}（${previous.bundleCode}）的事项，人工审核决定未予采纳` } };
  }
  const decision = child.decision;
  // A child in manual review takes its decision even once the bundle is final (a required sibling was
  // rejected): the roll-up's first match still gives the same status, and the child must not wait for ever.
  if (decision === undefined || decision.outcome !== 'MANUAL_REVIEW') {
    const state = decision?.outcome ?? child.state.kind;
    return { ok: false, refusal: { code: 'NOT_IN_MANUAL_REVIEW', message: `事项 ${review.itemCode} 当前状态为 ${state}，不处于人工审核状态，人工审核决定未予采纳` } };
  }
  const early = beforeSubmitted(previous.submittedAt, review);
  if (early !== undefined) return { ok: false, refusal: { ...early, message: `事项 ${review.itemCode}：${early.message}` } };
  const item: ServiceItem | undefined = context.items.get(review.itemCode);
  if (item === undefined) throw new Error(`item ${review.itemCode} of bundle application ${applicationId} is not in the catalogue; retrying`);
  const { itemCode: _child, ...single } = review;
  const reviewed = onReview(decision, single, { item, now: context.now, calendar: context.calendar });
  if (!reviewed.ok) return reviewed;
  const childDecision = { ...reviewed.decision, effects: reviewed.decision.effects.filter((e) => e.kind !== 'openReviewCase') };
  const kept = new Map(previous.children.flatMap((c) => (c.decision ? [[c.itemCode, c.decision] as const] : [])));
  kept.set(review.itemCode, childDecision);
  return { ok: true, state: settle(previous.application, context, kept, previous) };
}

/** The children whose verification (告知承诺核查) is awaited: approved on commitment and not yet verified. */
export function awaitingVerification(state: BundleState): BundleChild[] {
  return state.children.filter((c) => c.decision?.outcome === 'APPROVED_ON_COMMITMENT' && c.decision.verification === undefined);
}

/**
 * The child a verification report is for. With `itemCode`: that child. Without it: the only child awaiting
 * verification; when none awaits, the only child ever verified (so a second report meets ALREADY_VERIFIED);
 * otherwise refused: several children await one (ITEM_CODE_REQUIRED, naming them) or none does.
 */
function verifiedChild(state: BundleState, itemCode: string | undefined): { ok: true; child: BundleChild } | { ok: false; refusal: Refusal } {
  const { applicationId } = state;
  if (itemCode !== undefined) {
    const child = state.children.find((c) => c.itemCode === itemCode);
    if (child !== undefined) return { ok: true, child };
    return { ok: false, refusal: { code: 'ITEM_NOT_IN_APPLICATION', message: `事项 ${itemCode} 不是一件事申请 ${applicationId}（${state.bundleCode}）的事项，核查结果未予采纳` } };
  }
  const awaiting = awaitingVerification(state);
  if (awaiting.length > 1) {
    return {
      ok: false,
      refusal: {
        code: 'ITEM_CODE_REQUIRED',
        message: `一件事申请 ${applicationId} 有 ${awaiting.length} 个事项待核查（${awaiting.map((c) => c.itemCode).join('、')}），核查结果须指定事项（itemCode）`,
      },
    };
  }
  const verified = state.children.filter((c) => c.decision?.verification !== undefined);
  const only = awaiting[0] ?? (verified.length === 1 ? verified[0] : undefined);
  if (only !== undefined) return { ok: true, child: only };
  return { ok: false, refusal: { code: 'NOT_APPROVED_ON_COMMITMENT', message: `一件事申请 ${applicationId} 没有待核查的告知承诺事项，核查结果未予采纳` } };
}

/**
 * A department's verification of one child approved on commitment, as a single application's
 * (lifecycle.ts): truthful closes the child's verification; untruthful REVOKES the child (COMMITMENT_UNTRUTHFUL)
 * and asks for the applicant's `falseCommitment` credit mark, then the roll-up is recomputed (a required child
 * revoked makes the bundle TERMINATED; an optional one, PARTIALLY_APPROVED). A child not awaiting a verification
 * refuses it, as a single application does, even in a final bundle: a bundle approved with children on
 * commitment is final while their verifications are still to come.
 */
export function verifyBundleChild(previous: BundleState, report: VerificationReport, context: BundleContext, cause?: Pick<Cause, 'source' | 'id' | 'type'>): BundleTransition {
  const found = verifiedChild(previous, report.itemCode);
  if (!found.ok) return found;
  const { child } = found;
  const decision = child.decision;
  if (decision === undefined) {
    const state = child.state.kind === 'notStarted' ? `未启动（前置事项 ${child.state.predecessor}）` : child.state.kind;
    return { ok: false, refusal: { code: 'NOT_APPROVED_ON_COMMITMENT', message: `事项 ${child.itemCode} 当前状态为 ${state}，不是告知承诺审批，核查结果未予采纳` } };
  }
  // Late or not by the report's receipt; a flag the schedule raised first stands (lifecycle.ts `onVerification`).
  const { truthful, note, receivedAt } = report;
  const verified = onVerification(decision, { truthful, note, ...(receivedAt === undefined ? {} : { receivedAt }) }, context.now, cause, child.verificationOverdueAt);
  if (!verified.ok) {
    return { ok: false, refusal: { ...verified.refusal, message: `事项 ${child.itemCode}：${verified.refusal.message}` } };
  }
  const kept = new Map(previous.children.flatMap((c) => (c.decision ? [[c.itemCode, c.decision] as const] : [])));
  kept.set(child.itemCode, verified.decision);
  // The child's own effects (the credit mark of an untruthful commitment) are among the version's, as
  // every changed child's are.
  return { ok: true, state: settle(previous.application, context, kept, previous) };
}

/**
 * The deadlines schedule on a bundle: every child approved on commitment whose verification was not
 * reported `graceMs` after the end of its due day (a report received in time and still queued is processed
 * first) is flagged overdue, once (`verificationOverdueAt`). A version of its own (sequence + 1), changing no
 * child's decision and no status; undefined when no child is newly overdue.
 */
export function flagOverdueVerifications(previous: BundleState, now: string, graceMs: number): BundleState | undefined {
  const overdue = (c: BundleChild) => c.verificationOverdueAt === undefined && c.decision !== undefined && isVerificationOverdue(c.decision, now, graceMs);
  if (!previous.children.some(overdue)) return undefined;
  return {
    ...previous,
    children: previous.children.map((c) => (overdue(c) ? { ...c, verificationOverdueAt: now } : c)),
    updatedAt: now,
    sequence: previous.sequence + 1,
    changedChildren: [],
    effects: [],
  };
}

/** The children this version flagged overdue (those `flagOverdueVerifications` marked at its time). */
export const flaggedIn = (state: BundleState): BundleChild[] => state.children.filter((c) => c.decision !== undefined && c.verificationOverdueAt === state.updatedAt);

/**
 * What the deadlines schedule must next look at in a bundle, and when: the earliest supplement deadline of
 * a child pending materials (only while the bundle is open: a final bundle takes no supplement, so its
 * deadline no longer matters) and the earliest verification due date of a child awaiting verification and
 * not yet flagged. Undefined when nothing is due.
 */
export function bundleNextDue(state: BundleState): string | undefined {
  const open = !isFinalBundleStatus(state.status);
  const dues = state.children.flatMap((c) => {
    const d = c.decision;
    if (d === undefined) return [];
    if (open && d.outcome === 'ACCEPTED_PENDING_MATERIALS' && d.supplementDue) return [d.supplementDue.dueAt];
    if (c.verificationOverdueAt === undefined && d.outcome === 'APPROVED_ON_COMMITMENT' && d.verification === undefined && d.verificationDue) return [d.verificationDue.dueAt];
    return [];
  });
  return dues.sort((a, b) => Date.parse(a) - Date.parse(b))[0];
}
