/**
 * What 秒批 decides: the decision with every step of how it was reached, its versions' later events,
 * and what a version asks others to do (effects).
 */
import { DECISION_OUTCOMES } from '#contract/internal';
import type { Explanation } from '#rules/types';
import type { Due } from '#calendar/types';
import type { ApplicantKind, ItemMode, TrustLevel } from './types';

export const REASON_CODES = [
  'ITEM_UNKNOWN',
  'ITEM_INACTIVE',
  'APPLICANT_KIND_MISMATCH',
  'CREDIT_DISHONEST',
  'MATERIALS_MISSING',
  'MATERIAL_UNVERIFIABLE',
  'RULE_FALSE',
  'RULE_UNKNOWN',
  'MATERIALS_PENDING',
  'COMMITMENT_UNSIGNED',
  'COMMITMENT_EXCLUDED',
  'MANUAL_ITEM',
  'SUPPLEMENT_DEADLINE_MISSED',
  'COMMITMENT_UNTRUTHFUL',
  // A person's decision on an application in manual review: the message is the reviewer's own reason.
  'REVIEWED_BY_PERSON',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** The outcomes of a decision: the contract's list, so an internal event can never name one approval lacks. */
export const OUTCOMES = DECISION_OUTCOMES;
export type Outcome = (typeof OUTCOMES)[number];

export interface Reason {
  readonly code: ReasonCode;
  /** Shown to the applicant and the reviewer. */
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export type TraceStepName =
  | 'item'
  | 'credit'
  | 'materials'
  | 'rules'
  | 'mode'
  | 'supplement'
  | 'supplementDeadline'
  | 'verification'
  | 'review';

/** `reject` and `manual` say what the step alone would lead to; the outcome weighs every step. */
export type StepResult = 'pass' | 'reject' | 'manual' | 'pending' | 'skip';

export interface TraceStep {
  readonly step: TraceStepName;
  readonly result: StepResult;
  readonly notes: readonly string[];
}

export type MaterialStatus =
  | 'waived' // satisfied by an e-licence (免提交)
  | 'declared' // a declared material that was provided
  | 'unverifiable' // provided, but no machine can check it
  | 'pending' // tolerable and missing: 容缺
  | 'missing';

export interface MaterialCheck {
  readonly code: string;
  readonly name: string;
  readonly status: MaterialStatus;
  readonly licenceNo?: string;
  /** Why each e-licence considered for this material was not usable (Chinese). */
  readonly problems: readonly string[];
}

export interface MaterialRef {
  readonly code: string;
  readonly name: string;
}

export interface LicenceUse {
  readonly materialCode: string;
  readonly licenceNo: string;
  readonly licenceType: string;
  readonly trustLevel: TrustLevel;
}

export interface RuleRef {
  readonly id: string;
  readonly description: string;
  readonly fact: string;
  readonly seen?: unknown;
}

/** What the handler must do because of this decision version; each effect is emitted exactly once. */
export type Effect =
  | {
      readonly kind: 'openReviewCase';
      /** The review case of an approval is the application itself (秒批 → 好差评). */
      readonly caseId: string;
      readonly itemCode: string;
      readonly departmentCode: string;
      readonly applicantId: string;
      readonly channel: string;
      readonly completedAt: string;
      /** 受理时间: when the application was submitted (the upward sync's acceptDate). */
      readonly acceptedAt: string;
    }
  | {
      readonly kind: 'markFalseCommitment';
      readonly subjectId: string;
      readonly applicationId: string;
      readonly at: string;
      /**
       * The verification report that found the commitment untruthful: the re-match the mark asks for names its
       * system on the audit lines it writes. Absent in an effect stored before it was kept.
       */
      readonly cause?: { readonly source: string; readonly id: string; readonly type: string };
    }
  | {
      /** 办不成事 is told of a version that may offer a hard case, or that ends a manual review it watches. */
      readonly kind: 'tellHardCase';
      readonly decided: HardCaseNotice;
    };

/** A decision version as the hard-case capability takes it (`civicflow.application.decided`). */
export interface HardCaseNotice {
  readonly applicationId: string;
  readonly itemCode: string;
  /** Absent when the item is unknown. */
  readonly departmentCode?: string;
  readonly outcome: Outcome;
  readonly reasons: readonly { readonly code: string; readonly message: string }[];
  readonly submittedAt: string;
  readonly updatedAt: string;
  readonly sequence: number;
  /** Absent when the item is unknown (nothing was promised then). */
  readonly item?: { readonly name: string; readonly promisedDays: number };
}

export interface VerificationRecord {
  readonly truthful: boolean;
  readonly note: string;
  readonly reportedAt: string;
  /** Reported after `verificationDue.dueAt`. */
  readonly late: boolean;
}

/** A person's decision (人工审核) on an application in manual review, as the department reported it. */
export interface ReviewRecord {
  readonly outcome: 'APPROVED' | 'REJECTED';
  /** The reviewer's reasons, as written. */
  readonly reasons: readonly string[];
  readonly staffId: string;
  /** When the person decided (the department's time). */
  readonly at: string;
  /** When CivicFlow recorded it. */
  readonly recordedAt: string;
}

export interface Decision {
  readonly applicationId: string;
  readonly itemCode: string;
  /** Null when the item is unknown. */
  readonly itemVersion: number | null;
  readonly itemMode: ItemMode | null;
  readonly departmentCode: string | null;
  /**
   * The item's name and promised working days as decided on; absent when the item is unknown (and on
   * versions stored before they were kept). A later version made without the catalogue (a deadline)
   * still knows what was promised.
   */
  readonly itemName?: string;
  readonly promisedDays?: number;
  readonly applicantKind: ApplicantKind;
  readonly applicantId: string;
  readonly channel: string;
  readonly outcome: Outcome;
  /** The reasons for the outcome, in step order (empty for a clean approval). */
  readonly reasons: readonly Reason[];
  readonly trace: {
    readonly steps: readonly TraceStep[];
    readonly materials: readonly MaterialCheck[];
    /** Null when the rules were not evaluated (unknown, inactive or mismatched item). */
    readonly rules: Explanation | null;
  };
  readonly licencesUsed: readonly LicenceUse[];
  /** Codes of the materials satisfied by e-licences (免提交). */
  readonly materialsWaived: readonly string[];
  readonly materialsMissing: readonly MaterialRef[];
  /** 容缺: tolerable materials accepted as missing, to be supplied by `supplementDue`. */
  readonly materialsPending: readonly MaterialRef[];
  readonly materialsUnverifiable: readonly MaterialRef[];
  /** Fact paths whose absence left a rule unknown. */
  readonly unknownFacts: readonly string[];
  /** Rules responsible for a false result (Kleene: only the leaves that decided it). */
  readonly failedRules: readonly RuleRef[];
  /** Rules responsible for an unknown result. */
  readonly unknownRules: readonly RuleRef[];
  readonly certificateNo?: string;
  readonly verificationDue?: Due;
  readonly verification?: VerificationRecord;
  /** Set on the version a person decided (人工审核): who, when, what and why. */
  readonly review?: ReviewRecord;
  readonly supplementDue?: Due;
  readonly submittedAt: string;
  /** When the application was last decided on its merits (the first decision or a supplement's re-decision). */
  readonly decidedAt: string;
  /** When this version was made: decidedAt, or the time of a later deadline or verification event. */
  readonly updatedAt: string;
  /** decidedAt − submittedAt, in milliseconds; 0 when `submittedAt` is after the decision (clock skew, decide.ts `latencyMs`). */
  readonly latencyMs: number;
  /** `legalDays` working days from submission. Null when the item is unknown. */
  readonly legalDue: Due | null;
  /**
   * 1 − actual / legal, where both are counted in working days by the administrative rule (the day of
   * submission not counted): actual = working days after the submission's local date up to and including
   * the decision's local date. A decision on the day of submission compresses the limit by 1 (100 %); a
   * decision on the legal due date by 0; a late one is negative. Null without a positive `legalDays`.
   */
  readonly timeLimitCompression: number | null;
  readonly actualWorkingDays: number | null;
  /** 1 for the first decision of an application; each later event (supplement, deadline, verification) adds 1. */
  readonly sequence: number;
  /** `contentHash` of the submitted application, to tell a redelivery from a conflicting resubmission. */
  readonly applicationHash: string;
  readonly effects: readonly Effect[];
}

export type RefusalCode =
  | 'NOT_PENDING_MATERIALS'
  | 'SUPPLEMENT_TOO_LATE'
  | 'SUPPLEMENT_IN_TIME_AFTER_TERMINATION'
  | 'APPLICATION_MISMATCH'
  | 'NOT_APPROVED_ON_COMMITMENT'
  | 'ALREADY_VERIFIED'
  | 'NOT_IN_MANUAL_REVIEW'
  | 'BEFORE_SUBMITTED'
  | 'NOT_A_BUNDLE'
  | 'SUPPLEMENT_TOO_LARGE'
  | 'ITEM_NOT_IN_APPLICATION'
  | 'ITEM_CODE_REQUIRED';

/** A later event that is not allowed in the decision's current state: nothing changes. */
export interface Refusal {
  readonly code: RefusalCode;
  readonly message: string;
}

export type Transition =
  | { readonly ok: true; readonly decision: Decision }
  | { readonly ok: false; readonly refusal: Refusal };

/** What made a decision version: the first decision, a later event (a person's decision included), or a schedule. */
export type VersionCause = 'submitted' | 'supplemented' | 'supplementDeadline' | 'verification' | 'reviewed';

/** The event (or schedule run) that caused a change; `(source, id)` makes a redelivery recognisable. */
export interface Cause {
  readonly source: string;
  readonly id: string;
  readonly type: string;
}

export const causeKey = (c: Pick<Cause, 'source' | 'id'>): string => `${c.source}#${c.id}`;
