/**
 * 免申即享 — proactive entitlement. Pure domain types: handlers load these records, call the
 * planners in this folder and apply what they return with conditional writes.
 */
import type { Condition, Truth } from '#rules/types';

/** RFC 3339 instant with an offset ("2025-03-01T09:00:00+08:00"); the clock is always passed in. */
export type Instant = string;
/** "YYYY-MM-DD" (a whole local day in the bureau's time zone) or an RFC 3339 instant. */
export type DateOrInstant = string;

export type PolicyKind = 'grant' | 'confirm';
export type PolicyStatus = 'active' | 'withdrawn';

export interface Benefit {
  /** Machine-readable kind, e.g. "subsidy", "exemption", "tax-reduction", "insurance". */
  readonly type: string;
  /** Yuan per enterprise; what a grant or confirmation reserves from the budget. */
  readonly amount?: number;
  readonly description: string;
}

export interface Policy {
  readonly policyId: string;
  readonly name: string;
  readonly departmentCode: string;
  /** `grant` grants at once when pushed; `confirm` waits for the enterprise's one-click confirmation. */
  readonly kind: PolicyKind;
  readonly criteria: Condition;
  readonly benefit: Benefit;
  /** Inclusive. A date-only value starts at local midnight of that day. */
  readonly validFrom: DateOrInstant;
  /** Inclusive. A date-only value lasts to the end of that local day. */
  readonly validTo: DateOrInstant;
  /** Total yuan available; absent means unlimited. */
  readonly budget?: number;
  readonly channels: readonly string[];
  readonly version: number;
  /** Dishonest (失信) enterprises are excluded unless the policy says otherwise. */
  readonly includeDishonest?: boolean;
  /** Who the policy is for (default enterprise); a person policy matches person profiles (`person.*`). */
  readonly subjectKind?: SubjectKind;
  /** Dishonest persons are excluded only when this is true. */
  readonly excludeDishonest?: boolean;
  /** 公示: the eligible are listed for objections before anyone is notified (publicity.ts; 5 working days by default). */
  readonly publicity?: { readonly workingDays?: number };
  /** Absent means active (a freshly published policy). */
  readonly status?: PolicyStatus;
  /** When the first version was published (event time); the start of "publish to last push". */
  readonly publishedAt?: Instant;
  readonly withdrawnAt?: Instant;
}

export type SubjectKind = 'enterprise' | 'person';

/**
 * The shared person profile (`gov.person.profile.updated`). The birth date criteria read is `birthDate`,
 * else the one encoded in the ID number.
 */
export interface PersonProfile {
  /** 居民身份证号码, 18 characters: the person's subject id. */
  readonly idNumber: string;
  readonly name: string;
  readonly asOf: Instant;
  /** "YYYY-MM-DD", the local date of birth. */
  readonly birthDate?: string;
  /** District code of residence (户籍/居住地行政区划代码). */
  readonly residenceDistrict?: string;
  readonly [extra: string]: unknown;
}

export type EnterpriseSize = 'micro' | 'small' | 'medium' | 'large';
export type TaxCreditRating = 'A' | 'B' | 'M' | 'C' | 'D';

/**
 * The shared enterprise profile (`gov.enterprise.profile.updated`). Any field may be missing: a criterion
 * that needs a missing field is unknown, and the entitlement is NEEDS_INFO rather than refused.
 */
export interface EnterpriseProfile {
  /** 统一社会信用代码, 18 characters. */
  readonly creditCode: string;
  readonly name: string;
  readonly asOf: Instant;
  readonly size?: EnterpriseSize | string;
  /** 国民经济行业门类, in Chinese, e.g. "制造业". */
  readonly industry?: string;
  /** District code (行政区划代码), e.g. "440106". */
  readonly region?: string;
  /** 登记状态, e.g. "存续", "注销", "吊销". */
  readonly status?: string;
  readonly employees?: number;
  /** Prior-year exports in US dollars. */
  readonly exportValueUsd?: number;
  readonly taxCreditRating?: TaxCreditRating | string;
  readonly [extra: string]: unknown;
}

/** A profile a policy matches: an enterprise's or a person's. */
export type SubjectProfile = EnterpriseProfile | PersonProfile;

/** `gov.credit.updated`, declared once by the contract. No record means no known mark: the subject is not dishonest. */
export type { CreditRecord } from '#contract/schemas';

/**
 * PUBLICIZED: listed in the policy's publicity window (公示), counted as eligible, nobody notified yet;
 * OBJECTED: held by a third-party objection until it is resolved; REMOVED: an upheld objection took it off
 * the list (not eligible, its budget returned). LAPSED: the policy ended while the pair was listed — it was
 * withdrawn before the pair's release, or its validTo passed before the pair's window ended — so the pair is
 * off the list and never pushed (not eligible, its budget returned; counted as lapsed). RECOVERED: money
 * disbursed was taken back (追回), the amount credited back to the budget; it still counts in every state it
 * reached.
 *
 * INELIGIBLE is stored only for a pair that was ELIGIBLE, NEEDS_INFO or EXHAUSTED (never notified) and no
 * longer matches (so it leaves the needs-info list and is never pushed nor paid from returned budget); a
 * pair that never matched has no entitlement at all.
 */
export const ENTITLEMENT_STATES = [
  'ELIGIBLE', 'NEEDS_INFO', 'INELIGIBLE', 'NOTIFIED', 'GRANTED', 'CONFIRMED', 'DISBURSED', 'EXHAUSTED',
  'PUBLICIZED', 'OBJECTED', 'REMOVED', 'RECOVERED', 'LAPSED',
] as const;
export type EntitlementState = (typeof ENTITLEMENT_STATES)[number];

/** Leaf ids by their effect on eligibility (a leaf under `not` holds when its own result is false). */
export interface ExplanationSummary {
  readonly held: readonly string[];
  readonly failed: readonly string[];
  readonly unknown: readonly string[];
  /** Fact paths whose values were declared by the enterprise in a self-objection, not read from its profile. */
  readonly declared?: readonly string[];
}

/**
 * A publicity window of a policy (公示期): opened by the first pair listed when none is open, named by the
 * local date it opened; it closes at the end of the N-th working day after that date.
 */
export interface PublicityWindow {
  readonly windowId: string;
  readonly openedAt: Instant;
  readonly closesAt: Instant;
}

export interface HistoryEntry {
  readonly from: EntitlementState | null;
  readonly to: EntitlementState;
  readonly at: Instant;
  readonly reason: TransitionReason;
}

export interface Entitlement {
  readonly policyId: string;
  readonly creditCode: string;
  /** The policy version under which the state last changed. */
  readonly policyVersion: number;
  readonly state: EntitlementState;
  /** Every state ever reached, in the order first reached; figures count from this. */
  readonly reached: readonly EntitlementState[];
  /** Increases by one with every write; the adapter's optimistic-concurrency token. */
  readonly revision: number;
  readonly explanation?: ExplanationSummary;
  readonly history: readonly HistoryEntry[];
  readonly createdAt: Instant;
  readonly updatedAt: Instant;
  readonly notifiedAt?: Instant;
  readonly grantedAt?: Instant;
  readonly confirmedAt?: Instant;
  readonly disbursedAt?: Instant;
  readonly exhaustedAt?: Instant;
  /** What was taken from the policy's budget (only when the policy has a budget and an amount). */
  readonly amountReserved?: number;
  readonly amountDisbursed?: number;
  /** The window the pair was listed in (PUBLICIZED); kept after the close. */
  readonly publicity?: { readonly windowId: string; readonly listedAt: Instant; readonly closesAt: Instant };
  /** Third-party objections not yet resolved (while OBJECTED). */
  readonly openObjections?: readonly string[];
  readonly publicizedAt?: Instant;
  readonly objectedAt?: Instant;
  readonly removedAt?: Instant;
  /** When the listing lapsed with its policy (LAPSED). */
  readonly lapsedAt?: Instant;
  readonly recoveredAt?: Instant;
  /** Yuan taken back after the disbursement (追回). */
  readonly amountRecovered?: number;
  /** The recovery as recorded: a second one is compared against it. */
  readonly recovery?: RecoveryRecord;
}

/** Why money was taken back (the contract's reasons); `fraud` also marks the subject's credit record. */
export type RecoveryReason = 'fraud' | 'overpayment' | 'other';

export interface RecoveryRecord {
  readonly amount: number;
  readonly reason: RecoveryReason;
  readonly at: Instant;
  /** What went back to the policy's budget: the amount, at most what the pair had taken from it. */
  readonly credited: number;
}

export type TransitionReason =
  | 'MATCHED_ELIGIBLE'
  | 'MATCHED_NEEDS_INFO'
  | 'INFO_ARRIVED'
  | 'NO_LONGER_MATCHED'
  | 'DISHONEST'
  | 'REMATCHED'
  | 'PUSHED'
  | 'GRANTED_AT_ONCE'
  | 'CONFIRMED_BY_ENTERPRISE'
  | 'BUDGET_EXHAUSTED'
  | 'DISBURSED'
  | 'LISTED'
  | 'PUBLICITY_CLOSED'
  | 'OBJECTED_BY_THIRD_PARTY'
  | 'OBJECTION_UPHELD'
  | 'OBJECTION_DISMISSED'
  | 'BUDGET_RETURNED'
  | 'RECOVERED'
  /** A listed pair lapsed: its policy was withdrawn, or expired before the pair's window ended. */
  | 'POLICY_WITHDRAWN'
  | 'POLICY_EXPIRED';

/** Truth re-exported so callers of this module need one import. */
export type { Truth };
