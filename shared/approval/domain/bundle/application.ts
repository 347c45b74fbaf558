/**
 * A bundle application (一件事一次办) decided: which items apply, the merged material set, each
 * applicable child decided by approval's own decide() on its item with the merged requirements
 * and the certificates of the items it follows, and the roll-up. Pure: the use case passes the bundle
 * version, the items, the applicant's facts, the clock's reading and the calendar.
 *
 * Each child keeps its own decision (trace, reason codes, department, certificate) under the child id
 * `<applicationId>:<itemCode>`. Children open no review case: the bundle opens one, owned by the lead
 * department, when it is APPROVED or PARTIALLY_APPROVED.
 */
import type { WorkingCalendar } from '#calendar/types';
import type { Facts } from '#rules/types';
import { checkCredit } from '../credit';
import { decide } from '../decide';
import { withHardCaseNotice } from '../hardcase-notice';
import type { Decision, Effect } from '../decision';
import { checkItem } from '../item-step';
import { licenceMoment, licencesForRules } from '../licences';
import { judgeMaterials } from '../materials';
import { ruleFacts } from '../rules';
import { ref } from '../step';
import type { Applicant, CreditRecord, Licence, Profile, ServiceItem, SubmittedMaterial } from '../types';
import { bundleFacts, type Applicability } from './applicability';
import { childItem, combinedNotice, type ChildMaterials, type MergedMaterial, type NoticeEntry } from './materials';
import { ancestors } from './order';
import { planBundle, type ReadyChild } from './plan';
import { bundleDeadline, checkBundle } from './rollup';
import { isFinalBundleStatus, type Bundle, type BundleStatus, type ChildState, type Question } from './types';

type Json = Readonly<Record<string, unknown>>;

/** A bundle application as submitted (`gov.application.submitted` with `bundleCode`). */
export interface BundleApplication {
  readonly applicationId: string;
  readonly bundleCode: string;
  readonly applicant: Applicant;
  readonly form: Json;
  readonly answers: Json;
  readonly materials: readonly SubmittedMaterial[];
  readonly commitment?: { readonly signedAt: string };
  readonly channel: string;
  readonly submittedAt: string;
}

export interface BundleChild {
  readonly itemCode: string;
  readonly required: boolean;
  readonly state: ChildState;
  /** The department that owns the child (null when the item is unknown). */
  readonly departmentCode: string | null;
  /** The child's decision with its trace; absent while not applicable, waiting or not started. */
  readonly decision?: Decision;
  /**
   * When the deadlines schedule flagged the child's verification (告知承诺核查) overdue: once, kept in every
   * later version (a late verification still closes or revokes it).
   */
  readonly verificationOverdueAt?: string;
}

export interface BundleReason {
  readonly code: string;
  readonly message: string;
  readonly details?: Json;
}

/** One version of a bundle application: what the store keeps and the query shows. */
export interface BundleState {
  readonly applicationId: string;
  readonly bundleCode: string;
  readonly bundleVersion: number | null;
  readonly bundleName: string | null;
  readonly leadDepartmentCode: string | null;
  readonly applicantKind: Applicant['kind'];
  readonly applicantId: string;
  readonly channel: string;
  readonly status: BundleStatus;
  readonly reasons: readonly BundleReason[];
  readonly applicability: readonly Applicability[];
  readonly questions: readonly Question[];
  readonly unknownFacts: readonly string[];
  readonly materials: readonly MergedMaterial[];
  readonly materialsSaved: number;
  /** The combined 一次性告知. */
  readonly notice: readonly NoticeEntry[];
  /** Material codes satisfied by e-licences in any child (免提交), once each. */
  readonly materialsWaived: readonly string[];
  readonly children: readonly BundleChild[];
  /** The application as it stands after supplements (answers, form and materials merged). */
  readonly application: BundleApplication;
  /** The sum of the applicable items' legalDays. */
  readonly legalDaysSum: number;
  /** `promisedDays` working days after submission (null for an unknown bundle). */
  readonly dueAt: string | null;
  readonly submittedAt: string;
  /** When the bundle reached this status (the last child decided, or the refusal); kept while a final status stays. */
  readonly decidedAt: string;
  readonly updatedAt: string;
  /** 1 for the first version; every later event that changes it adds 1. */
  readonly sequence: number;
  /** No person took part: every child decided was decided without manual review or a reviewer (true when none was). */
  readonly noPerson: boolean;
  /** The children whose decision this version made or changed (each sends its own event). */
  readonly changedChildren: readonly string[];
  readonly effects: readonly Effect[];
}

export interface BundleContext {
  /** The bundle version (the one current at submission for a later event); undefined when unknown. */
  readonly bundle: Bundle | undefined;
  /** The version of each item it is decided on. */
  readonly items: ReadonlyMap<string, ServiceItem>;
  readonly profile?: Profile;
  readonly licences: readonly Licence[];
  readonly credit?: CreditRecord;
  readonly now: string;
  readonly calendar: WorkingCalendar;
}

/** The id of a child's decision (and of its certificate). */
export const childApplicationId = (applicationId: string, itemCode: string) => `${applicationId}:${itemCode}`;

/** The first decision of a bundle application. */
export function decideBundle(application: BundleApplication, context: BundleContext): BundleState {
  return settle(application, context, new Map(), undefined);
}

/**
 * The facts an `appliesWhen` reads: the item facts of the application, with the applicant's e-licences as a
 * child's rules see them (valid at the decision: not revoked by then, not expired on its local date; the
 * best of each type), and the answers.
 */
function applicabilityFacts(application: BundleApplication, context: BundleContext): Facts {
  const licences = licencesForRules([], context.licences, licenceMoment(application.applicant.id, context.now, context.calendar));
  return bundleFacts(ruleFacts({ application, ...pickFacts(context) }, licences), application.answers);
}

const pickFacts = (c: BundleContext) => ({ ...(c.profile ? { profile: c.profile } : {}), ...(c.credit ? { credit: c.credit } : {}), now: c.now });

/**
 * Decide every ready child, plan again, until the bundle is settled or needs answers. `kept` are the
 * children decided before that stay as they are; `previous` is the version this one follows.
 *
 * Whether an item applies is asked until its child is first decided, and never after. A child with a
 * decision was found applicable and taken up by its department, whatever the outcome:
 * - approved (on commitment too): its certificate is issued and may serve followers;
 * - rejected, terminated or revoked: the outcome counts in the roll-up;
 * - in manual review: a person has it and will decide it;
 * - accepted pending materials (容缺): accepted; a supplement decides it again, on the new materials, but
 *   does not ask again whether it applies.
 * So it keeps applying whatever its `appliesWhen` says on later facts (answers, form, profile, clock),
 * and its applicability stays the one found when it was first decided. A child with no decision (not yet
 * reached, waiting for a predecessor, not started, not applicable) is asked about on the current facts at
 * every settle; if any of them is unknown the bundle needs answers: the decided children stay, one
 * pending materials is decided again, and no undecided child is started until the answers come.
 */
export function settle(application: BundleApplication, context: BundleContext, kept: ReadonlyMap<string, Decision>, previous: BundleState | undefined): BundleState {
  const { now, calendar } = context;
  const checked = checkBundle(application.bundleCode, context.bundle);
  if (!checked.ok) {
    // Only a submission is refused for its bundle: a later version is decided on the version the first was
    // (active then, immutable), and one missing from the context is the caller's to find, not a rejection.
    if (previous !== undefined) throw new Error(`bundle application ${application.applicationId}: its bundle version ${previous.bundleVersion} is not in the context (${checked.code})`);
    return refusedBundle(application, checked, now, previous);
  }
  const bundle = checked.bundle;
  const decided = new Map<string, Decision>(kept);
  const settled = settledApplicability(bundle, kept, previous);
  const facts = applicabilityFacts(application, context);
  for (let round = 0; round <= bundle.items.length; round++) {
    const plan = planBundle({
      bundle,
      items: context.items,
      facts,
      decided: new Map([...decided].map(([code, d]) => [code, { kind: 'decided', outcome: d.outcome, decidedAt: d.decidedAt, ...(d.certificateNo ? { certificateNo: d.certificateNo } : {}) }])),
      applicantId: application.applicant.id,
      timeZone: calendar.timeZone,
      now,
      settled,
    });
    if (plan.kind === 'decide') {
      for (const ready of plan.ready) decided.set(ready.itemCode, decideChild(application, ready, context, previousChild(previous, ready.itemCode)));
      continue;
    }
    const children: BundleChild[] = plan.children.map((c) => {
      const decision = decided.get(c.itemCode);
      const departmentCode = decision?.departmentCode ?? context.items.get(c.itemCode)?.departmentCode ?? null;
      const flaggedAt = decision === undefined ? undefined : previous?.children.find((p) => p.itemCode === c.itemCode)?.verificationOverdueAt;
      return {
        itemCode: c.itemCode,
        required: c.required,
        state: c.state,
        departmentCode,
        ...(decision ? { decision } : {}),
        ...(flaggedAt === undefined ? {} : { verificationOverdueAt: flaggedAt }),
      };
    });
    const base = { application, bundle, context, decided, previous };
    if (plan.kind === 'needsAnswer' && plan.status === 'NEEDS_ANSWER') {
      const reasons: BundleReason[] = [
        {
          code: 'NEEDS_ANSWER',
          message: `请先回答：${[...plan.questions.map((q) => q.text), ...plan.unknownFacts].join('；')}`,
          details: { questions: plan.questions.map((q) => q.id), unknownFacts: plan.unknownFacts },
        },
      ];
      // The merged material set is known once every item's applicability is.
      return stateOf(base, { status: 'NEEDS_ANSWER', reasons, applicability: plan.applicability, questions: plan.questions, unknownFacts: plan.unknownFacts, merged: [], saved: 0, children });
    }
    return stateOf(base, {
      status: plan.status,
      reasons: rollUpReasons(plan.status, children),
      applicability: plan.applicability,
      questions: [],
      unknownFacts: [],
      merged: plan.merged,
      saved: plan.materialsSaved,
      children,
    });
  }
  throw new Error(`bundle ${bundle.bundleCode} did not settle`);
}

/**
 * The applicability of every child decided before (kept, or decided again now): as the version it was
 * decided in found it. A child decided before always applied then; a version that lost that finding (or
 * never had it) still keeps the child applicable, with no trace.
 *
 * Once the bundle is final, every item's applicability is the one it ended with: a later event on it (a
 * person's decision on a child still in review, a verification) never starts an item that did not apply,
 * however the applicant's profile, licences or the clock have moved since.
 */
function settledApplicability(bundle: Bundle, kept: ReadonlyMap<string, Decision>, previous: BundleState | undefined): Map<string, Applicability> {
  const settled = new Map<string, Applicability>();
  const ended = previous !== undefined && isFinalBundleStatus(previous.status) ? previous.applicability : [];
  for (const a of ended) if (a.applies !== null) settled.set(a.itemCode, a);
  for (const { itemCode, required } of bundle.items) {
    if (!kept.has(itemCode) && previousChild(previous, itemCode) === undefined) continue;
    const found = previous?.applicability.find((a) => a.itemCode === itemCode && a.applies === true);
    settled.set(itemCode, found ?? { itemCode, required, applies: true, explanation: null });
  }
  return settled;
}

/**
 * One child decided by approval's own decide() on its item (merged requirements), with the certificates
 * it is served by. A child decided before (a supplement re-decides it) gets the next sequence and keeps its supplement deadline.
 */
function decideChild(application: BundleApplication, ready: ReadyChild, context: BundleContext, prior: Decision | undefined): Decision {
  const { answers: _answers, bundleCode: _bundle, applicationId, ...rest } = application;
  const decision = decide({
    application: { ...rest, applicationId: childApplicationId(applicationId, ready.itemCode), itemCode: ready.itemCode },
    item: ready.item,
    ...pickFacts(context),
    licences: [...context.licences, ...ready.licences],
    calendar: context.calendar,
    sharedMaterials: true,
  });
  const keepDue = prior?.supplementDue !== undefined && decision.outcome === 'ACCEPTED_PENDING_MATERIALS';
  return {
    ...decision,
    ...(keepDue ? { supplementDue: prior.supplementDue } : {}),
    sequence: (prior?.sequence ?? 0) + 1,
    effects: decision.effects.filter((e) => e.kind !== 'openReviewCase'),
  };
}

interface Settled {
  readonly status: BundleStatus;
  readonly reasons: readonly BundleReason[];
  readonly applicability: readonly Applicability[];
  readonly questions: readonly Question[];
  readonly unknownFacts: readonly string[];
  readonly merged: readonly MergedMaterial[];
  readonly saved: number;
  readonly children: readonly BundleChild[];
}

function stateOf(
  base: { application: BundleApplication; bundle: Bundle; context: BundleContext; decided: ReadonlyMap<string, Decision>; previous: BundleState | undefined },
  s: Settled,
): BundleState {
  const { application, bundle, context, previous } = base;
  const { now, calendar } = context;
  const live = s.children.filter((c) => c.state.kind !== 'notApplicable');
  const notStarted = new Set(s.children.filter((c) => c.state.kind === 'notStarted').map((c) => c.itemCode));
  const decisions = live.flatMap((c) => (c.decision ? [c.decision] : []));
  const notice = combinedNotice(
    live.flatMap((c): ChildMaterials[] => {
      if (c.decision) return [{ itemCode: c.itemCode, missing: c.decision.materialsMissing, pending: c.decision.materialsPending }];
      return c.state.kind === 'waiting' ? awaitedMaterials(c.itemCode, base, s) : [];
    }),
    notStarted,
  );
  const changedChildren = decisions.filter((d) => previousChild(previous, d.itemCode)?.sequence !== d.sequence || previousChild(previous, d.itemCode)?.decidedAt !== d.decidedAt).map((d) => d.itemCode);
  // A final status keeps the moment it was reached (the figures' time to outcome) when a later child
  // decision leaves it as it was.
  const unchanged = previous !== undefined && previous.status === s.status && (changedChildren.length === 0 || isFinalBundleStatus(s.status));
  const decidedAt = unchanged ? previous.decidedAt : reachedAt(decisions.filter((d) => changedChildren.includes(d.itemCode)), previous, now);
  const legalDaysSum = live.reduce((sum, c) => sum + (context.items.get(c.itemCode)?.legalDays ?? 0), 0);
  const becameFinal = isFinalBundleStatus(s.status) && (previous === undefined || !isFinalBundleStatus(previous.status));
  return {
    applicationId: application.applicationId,
    bundleCode: bundle.bundleCode,
    bundleVersion: bundle.version,
    bundleName: bundle.name,
    leadDepartmentCode: bundle.leadDepartmentCode,
    applicantKind: application.applicant.kind,
    applicantId: application.applicant.id,
    channel: application.channel,
    status: s.status,
    reasons: s.reasons,
    applicability: s.applicability,
    questions: s.questions,
    unknownFacts: s.unknownFacts,
    materials: s.merged,
    materialsSaved: s.saved,
    notice,
    materialsWaived: [...new Set(decisions.flatMap((d) => d.materialsWaived))],
    children: s.children,
    application,
    legalDaysSum,
    dueAt: bundleDeadline(bundle, application.submittedAt, s.status, now, calendar).due.dueAt,
    submittedAt: application.submittedAt,
    decidedAt,
    updatedAt: now,
    sequence: (previous?.sequence ?? 0) + 1,
    // No person at all: every child decided was decided by the machine (one not started involved no one
    // either). Vacuously so when no child applies, as for an unknown bundle.
    noPerson: decisions.every((d) => d.review === undefined && d.outcome !== 'MANUAL_REVIEW'),
    changedChildren,
    effects: [
      // A child TERMINATED or waiting for a person (or no longer waiting) is heard of by 办不成事, as a
      // single item's version is: the notice names the child (its own applicationId).
      ...decisions.filter((d) => changedChildren.includes(d.itemCode)).flatMap((d) => withHardCaseNotice(d, previousChild(previous, d.itemCode)).effects),
      ...(becameFinal && (s.status === 'APPROVED' || s.status === 'PARTIALLY_APPROVED') && bundle.leadDepartmentCode
        ? [bundleReviewCase(application, bundle, decidedAt)]
        : []),
    ],
  };
}

/**
 * What a child waiting for the items it follows lacks, judged now as its decision will judge it (the merged
 * requirements, the materials submitted, the applicant's e-licences), so the one combined 一次性告知 lists it
 * before the child starts and the applicant can bring it meanwhile. A material of the type an applicable
 * item it follows certifies is left out: that certificate will serve it (trust A). Nothing for an item its
 * decision would refuse at step 1 (unknown, inactive, another applicant kind): no material would help.
 */
function awaitedMaterials(
  itemCode: string,
  base: { application: BundleApplication; bundle: Bundle; context: BundleContext },
  s: Pick<Settled, 'merged' | 'children'>,
): ChildMaterials[] {
  const { application, bundle, context } = base;
  const checked = checkItem(itemCode, application.applicant, context.items.get(itemCode));
  if (!checked.ok) return [];
  const applicable = new Set(s.children.filter((c) => c.state.kind !== 'notApplicable').map((c) => c.itemCode));
  const byCode = new Map(bundle.items.map((i) => [i.itemCode, i] as const));
  const certified = new Set(ancestors(itemCode, byCode).flatMap((code) => (applicable.has(code) ? [context.items.get(code)?.certificateType] : [])));
  const requirements = childItem(checked.item, s.merged).materials.filter((m) => m.licenceType === undefined || !certified.has(m.licenceType));
  const { excluded } = checkCredit(application.applicant.id, checked.item, context.credit);
  const at = licenceMoment(application.applicant.id, context.now, context.calendar);
  const { checks } = judgeMaterials(requirements, application.materials, context.licences, at, excluded);
  const having = (status: 'missing' | 'pending') => checks.filter((c) => c.status === status).map(ref);
  return [{ itemCode, missing: having('missing'), pending: having('pending') }];
}

const previousChild = (previous: BundleState | undefined, itemCode: string) => previous?.children.find((c) => c.itemCode === itemCode)?.decision;

/**
 * When the bundle reached a new status: when the last child this version decided (or decided again) was
 * decided — a person's decision at its own time, as a single item's (its review case completed then), not
 * when the event reached us — and never before the status it follows was reached. `now` when no child
 * changed (a supplement's answers alone settle it).
 */
function reachedAt(changed: readonly Decision[], previous: BundleState | undefined, now: string): string {
  if (changed.length === 0) return now;
  // A child decided anew carries its decision's time; one whose outcome a later step changed (terminated at
  // its deadline, revoked by a verification) keeps its decision's time and changed now.
  const moment = (d: Decision) => (previousChild(previous, d.itemCode)?.decidedAt === d.decidedAt ? now : d.decidedAt);
  const moments = [...changed.map(moment), ...(previous === undefined ? [] : [previous.decidedAt])];
  return moments.reduce((latest, at) => (Date.parse(at) > Date.parse(latest) ? at : latest));
}

/** The one review case of a bundle: the application itself, owned by the lead department. */
function bundleReviewCase(application: BundleApplication, bundle: Bundle, completedAt: string): Effect {
  return {
    kind: 'openReviewCase',
    caseId: application.applicationId,
    itemCode: bundle.bundleCode,
    departmentCode: bundle.leadDepartmentCode,
    applicantId: application.applicant.id,
    channel: application.channel,
    completedAt,
    acceptedAt: application.submittedAt,
  };
}

/** Why the bundle has its status: the children that made it, named. */
function rollUpReasons(status: BundleStatus, children: readonly BundleChild[]): BundleReason[] {
  const named = (pred: (c: BundleChild) => boolean) => children.filter(pred).map((c) => c.itemCode);
  const outcome = (c: BundleChild) => (c.state.kind === 'decided' ? c.state.outcome : c.state.kind);
  const notStarted: BundleReason[] = children.flatMap((c) =>
    c.state.kind === 'notStarted'
      ? [{ code: 'CHILD_NOT_STARTED', message: `事项 ${c.itemCode} 未启动：前置事项 ${c.state.predecessor} 为 ${c.state.predecessorState}`, details: { itemCode: c.itemCode, predecessor: c.state.predecessor } }]
      : [],
  );
  const main = ((): BundleReason | undefined => {
    switch (status) {
      case 'REJECTED':
        return { code: 'REQUIRED_CHILD_REJECTED', message: `必办事项不予办理：${named((c) => c.required && outcome(c) === 'REJECTED').join('、')}` };
      case 'TERMINATED':
        return { code: 'REQUIRED_CHILD_TERMINATED', message: `必办事项已终止或撤销：${named((c) => c.required && ['TERMINATED', 'REVOKED'].includes(outcome(c))).join('、')}` };
      case 'ACCEPTED_PENDING_MATERIALS':
        return { code: 'CHILD_PENDING_MATERIALS', message: `容缺受理，待补齐材料：${named((c) => outcome(c) === 'ACCEPTED_PENDING_MATERIALS').join('、')}` };
      case 'IN_PROGRESS':
        return { code: 'CHILD_IN_REVIEW', message: `等待人工审核：${named((c) => outcome(c) === 'MANUAL_REVIEW' || c.state.kind === 'waiting').join('、')}` };
      case 'PARTIALLY_APPROVED': {
        const optional = `可选事项未获准：${named((c) => !c.required && c.state.kind !== 'notApplicable' && !['APPROVED', 'APPROVED_ON_COMMITMENT'].includes(outcome(c))).join('、')}`;
        // A required item that follows an optional one which failed never starts: the roll-up still reads
        // PARTIALLY_APPROVED (no required child was rejected), but the required items are not all done.
        const idle = children.flatMap((c) => (c.required && c.state.kind === 'notStarted' ? [`${c.itemCode}（前置事项 ${c.state.predecessor} 为 ${c.state.predecessorState}）`] : []));
        return idle.length > 0
          ? { code: 'REQUIRED_CHILD_NOT_STARTED', message: `必办事项未启动：${idle.join('、')}；${optional}` }
          : { code: 'OPTIONAL_CHILD_NOT_APPROVED', message: `必办事项均已办结，${optional}` };
      }
      default:
        return undefined;
    }
  })();
  return [...(main ? [main] : []), ...notStarted];
}

/** An unknown or inactive bundle: REJECTED at once, nothing decided (as step 1 does for an item). */
function refusedBundle(application: BundleApplication, check: Extract<ReturnType<typeof checkBundle>, { ok: false }>, now: string, previous: BundleState | undefined): BundleState {
  return {
    applicationId: application.applicationId,
    bundleCode: application.bundleCode,
    bundleVersion: null,
    bundleName: null,
    leadDepartmentCode: null,
    applicantKind: application.applicant.kind,
    applicantId: application.applicant.id,
    channel: application.channel,
    status: 'REJECTED',
    reasons: [{ code: check.code, message: check.message }],
    applicability: [],
    questions: [],
    unknownFacts: [],
    materials: [],
    materialsSaved: 0,
    notice: [],
    materialsWaived: [],
    children: [],
    application,
    legalDaysSum: 0,
    dueAt: null,
    submittedAt: application.submittedAt,
    decidedAt: now,
    updatedAt: now,
    sequence: (previous?.sequence ?? 0) + 1,
    noPerson: true,
    changedChildren: [],
    effects: [],
  };
}
