/**
 * 一件事 bundles as the approval domain takes them: the bundle (several service items applied for with one
 * form, one material set and the applicant's answers), and what became of each of its items (a child).
 */
import type { Condition } from '#rules/types';
import type { Outcome } from '../decision';

export interface BundleItem {
  readonly itemCode: string;
  /** A required item decides the bundle; an optional one only adds to it. */
  readonly required: boolean;
  /** When the item applies; absent: always. */
  readonly appliesWhen?: Condition;
  /** Items of the bundle decided before this one. */
  readonly after?: readonly string[];
}

export interface Question {
  /** The key of the answer: `answers.<id>`. */
  readonly id: string;
  readonly text: string;
  readonly kind: string;
  readonly options?: readonly string[];
}

export interface Bundle {
  readonly bundleCode: string;
  readonly name: string;
  readonly leadDepartmentCode: string;
  /** Working days from submission to the bundle's outcome. */
  readonly promisedDays: number;
  readonly items: readonly BundleItem[];
  readonly questions?: readonly Question[];
  readonly version: number;
  readonly active: boolean;
}

/** A child that ended without approval: what makes its followers not start. */
export const FAILED_OUTCOMES = ['REJECTED', 'TERMINATED', 'REVOKED'] as const satisfies readonly Outcome[];
export type FailedOutcome = (typeof FAILED_OUTCOMES)[number];

/** A child whose certificate was issued (an approval on commitment counts). */
export const APPROVED_OUTCOMES = ['APPROVED', 'APPROVED_ON_COMMITMENT'] as const satisfies readonly Outcome[];

export const isApproved = (outcome: Outcome): boolean => (APPROVED_OUTCOMES as readonly Outcome[]).includes(outcome);
export const isFailed = (outcome: Outcome): outcome is FailedOutcome => (FAILED_OUTCOMES as readonly Outcome[]).includes(outcome);

/**
 * What became of one item of a bundle application:
 * - `notApplicable`: its `appliesWhen` is false for this applicant;
 * - `notStarted`: a predecessor ended without approval (or was itself not started), named with its state;
 * - `waiting`: it follows items not yet approved, named;
 * - `decided`: decided by the item's own rules, with the decision's outcome.
 */
export type ChildState =
  | { readonly kind: 'notApplicable' }
  | { readonly kind: 'notStarted'; readonly predecessor: string; readonly predecessorState: FailedOutcome | 'NOT_STARTED' }
  | { readonly kind: 'waiting'; readonly for: readonly string[] }
  | { readonly kind: 'decided'; readonly outcome: Outcome; readonly certificateNo?: string; readonly decidedAt: string };

export interface Child {
  readonly itemCode: string;
  readonly required: boolean;
  readonly state: ChildState;
}

/** A bundle application's outcome: the roll-up of its children, or NEEDS_ANSWER before any is decided. */
export const BUNDLE_STATUSES = [
  'NEEDS_ANSWER',
  'IN_PROGRESS',
  'ACCEPTED_PENDING_MATERIALS',
  'APPROVED',
  'PARTIALLY_APPROVED',
  'REJECTED',
  'TERMINATED',
] as const;
export type BundleStatus = (typeof BUNDLE_STATUSES)[number];

/** Nothing more will happen to a bundle in these: a supplement is refused, the figures count it. */
export const FINAL_BUNDLE_STATUSES = ['APPROVED', 'PARTIALLY_APPROVED', 'REJECTED', 'TERMINATED'] as const satisfies readonly BundleStatus[];
export const isFinalBundleStatus = (status: BundleStatus): boolean => (FINAL_BUNDLE_STATUSES as readonly BundleStatus[]).includes(status);
