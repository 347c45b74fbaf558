/**
 * Deciding an application (steps 1–5), as the sequence of the product's steps: 1 the item,
 * 2 credit, 3 materials, 4 rules, 5 mode, then the outcome weighing what they found (outcome.ts). Pure:
 * the use case loads the item, profile, e-licences and credit record and passes the clock's reading and
 * the calendar; the certificate number is derived from the application (certificate.ts).
 *
 * After step 1 (which stops at once: without a usable item there is nothing to check), every step runs
 * and is recorded in the trace, whatever an earlier step found, so the applicant and the reviewer see
 * everything at once (一次性告知).
 */
import type { WorkingCalendar } from '#calendar/types';
import { contentHash } from './conflict';
import { checkCredit } from './credit';
import type { Decision, Effect, Reason } from './decision';
import { checkItem, stoppedAtItem } from './item-step';
import { licenceMoment, licencesForRules } from './licences';
import { judgeMaterials, materialsStep } from './materials';
import { applyMode } from './mode';
import { conclude } from './outcome';
import { evaluateRules, ruleFacts } from './rules';
import { rejects, unique } from './step';
import type { Application, CreditRecord, Licence, Profile, ServiceItem } from './types';

export { draftRulesCacheKey, rulesCacheKey } from './rules';
export { licenceProblems } from './licences';

export interface DecideInput {
  readonly application: Application;
  /** The item version in force, or undefined when the catalogue has no such item. */
  readonly item: ServiceItem | undefined;
  readonly profile?: Profile;
  /** The applicant's e-licences (others are ignored, with a note). */
  readonly licences: readonly Licence[];
  /** The applicant's credit record; absent means the credit system holds no mark against the subject. */
  readonly credit?: CreditRecord;
  /** The decision moment (ISO 8601). */
  readonly now: string;
  /** The stage's working calendar; its time zone is the one the rules compare dates in. */
  readonly calendar: WorkingCalendar;
  /** The compiled rules' cache key when `item` is not a published version (a draft: draftRulesCacheKey). */
  readonly rulesKey?: string;
  /**
   * The materials are a bundle's one set (its child decided on the merged requirements): each is judged
   * once for every child that needs it, so the verdict stands whatever this child's outcome. A tolerable
   * material still to come stays pending (容缺, the bundle's) in a rejection, instead of turning missing
   * as it does for a single item, and a rejection for missing materials lists only those.
   */
  readonly sharedMaterials?: boolean;
}

export function decide(input: DecideInput): Decision {
  const { application, now, calendar } = input;
  const step1 = checkItem(application.itemCode, application.applicant, input.item);
  if (!step1.ok) return stoppedAt(input, step1.reason);
  const { item } = step1;

  const step2 = checkCredit(application.applicant.id, item, input.credit);

  const at = licenceMoment(application.applicant.id, now, calendar);
  const judgement = judgeMaterials(item.materials, application.materials, input.licences, at, step2.excluded);
  const shared = input.sharedMaterials === true;
  const step3 = materialsStep(judgement, item.mode, shared);

  const facts = ruleFacts(input, licencesForRules(judgement.usedLicences, input.licences, at));
  const step4 = evaluateRules(item, facts, calendar.timeZone, input.rulesKey);

  const rejected = rejects([...step2.findings, ...step3.findings, ...step4.findings]);
  const step5 = applyMode(item, application, {
    excluded: step2.excluded,
    rejected,
    preCheck: {
      rules: step4.explanation.result,
      materialsWaived: judgement.waived,
      materialsUnverifiable: step3.unverifiable,
      materialsPending: step3.pending,
      materialsMissing: step3.missing,
    },
  });

  const findings = [step2, step3, step4, step5].flatMap((s) => s.findings);
  // The certificate number and the due dates come with the outcome (issued: what an approval or 容缺 adds).
  const { outcome, reasons, ...issued } = conclude(findings, step3.pending, item, application, now, calendar);
  const approved = outcome === 'APPROVED' || outcome === 'APPROVED_ON_COMMITMENT';
  // No 容缺 in a single item's rejection: a tolerable material still to come is simply missing. A bundle's
  // shared materials keep their one verdict.
  const asMissing = rejected && !shared;
  return {
    ...commonFields(input),
    ...itemTimes(item, application, now, calendar),
    outcome,
    reasons,
    trace: {
      steps: [step1.trace, step2.trace, step3.trace, step4.trace, step5.trace],
      materials: asMissing ? judgement.checks.map((c) => (c.status === 'pending' ? { ...c, status: 'missing' as const } : c)) : judgement.checks,
      rules: step4.explanation,
    },
    licencesUsed: judgement.used,
    materialsWaived: judgement.waived,
    // A single item's rejection names everything missing, the tolerable materials too; 容缺 only exists
    // when accepted.
    materialsMissing: asMissing ? [...step3.missing, ...step3.pending] : step3.missing,
    materialsPending: asMissing ? [] : step3.pending,
    materialsUnverifiable: step3.unverifiable,
    unknownFacts: unique(step4.unknownRules.map((r) => r.fact)),
    failedRules: step4.failedRules,
    unknownRules: step4.unknownRules,
    ...issued,
    effects: approved ? [openReviewCase(application, item.departmentCode, now)] : [],
  };
}

/** Step 1 said no: REJECTED with its reason, the later steps skipped. */
function stoppedAt(input: DecideInput, reason: Reason): Decision {
  const { application, item, now, calendar } = input;
  return {
    ...commonFields(input),
    ...(item === undefined ? {} : itemTimes(item, application, now, calendar)),
    outcome: 'REJECTED',
    reasons: [reason],
    trace: { steps: stoppedAtItem(reason), materials: [], rules: null },
  };
}

/** The review case an approval opens (秒批 → 好差评): the application itself, owned by the item's department. */
export function openReviewCase(application: Application, departmentCode: string, completedAt: string): Effect {
  return {
    kind: 'openReviewCase',
    caseId: application.applicationId,
    itemCode: application.itemCode,
    departmentCode,
    applicantId: application.applicant.id,
    channel: application.channel,
    completedAt,
    acceptedAt: application.submittedAt,
  };
}

type CommonFields = Omit<Decision, 'outcome' | 'reasons' | 'trace'>;

/**
 * Submission to decision, never negative: the edge lets `submittedAt` be up to 5 minutes after the receipt
 * (two systems' clocks drift apart), so an application decided within that skew would otherwise show a
 * negative time and pull the latency figures (mean, p95, the DecisionLatency metric) below what any
 * applicant waited. Such a decision took no measurable time: 0.
 */
export function latencyMs(submittedAt: string, decidedAt: string): number {
  return Math.max(0, Date.parse(decidedAt) - Date.parse(submittedAt));
}

function commonFields(input: DecideInput): CommonFields {
  const { application, item, now } = input;
  return {
    applicationId: application.applicationId,
    itemCode: application.itemCode,
    itemVersion: item?.version ?? null,
    itemMode: item?.mode ?? null,
    departmentCode: item?.departmentCode ?? null,
    ...(item === undefined ? {} : { itemName: item.name, promisedDays: item.promisedDays }),
    applicantKind: application.applicant.kind,
    applicantId: application.applicant.id,
    channel: application.channel,
    licencesUsed: [],
    materialsWaived: [],
    materialsMissing: [],
    materialsPending: [],
    materialsUnverifiable: [],
    unknownFacts: [],
    failedRules: [],
    unknownRules: [],
    submittedAt: application.submittedAt,
    decidedAt: now,
    updatedAt: now,
    latencyMs: latencyMs(application.submittedAt, now),
    legalDue: null,
    timeLimitCompression: null,
    actualWorkingDays: null,
    sequence: 1,
    applicationHash: contentHash(application),
    effects: [],
  };
}

/** The legal due date and the time-limit compression of a decision taken at `decidedAt`. */
export function itemTimes(
  item: Pick<ServiceItem, 'legalDays'>,
  application: Pick<Application, 'submittedAt'>,
  decidedAt: string,
  calendar: WorkingCalendar,
): Pick<Decision, 'legalDue' | 'timeLimitCompression' | 'actualWorkingDays'> {
  if (!(item.legalDays >= 1)) return { legalDue: null, timeLimitCompression: null, actualWorkingDays: null };
  const actual = calendar.workingDaysBetween(application.submittedAt, decidedAt);
  return {
    legalDue: calendar.addWorkingDays(application.submittedAt, item.legalDays),
    actualWorkingDays: actual,
    timeLimitCompression: 1 - actual / item.legalDays,
  };
}
