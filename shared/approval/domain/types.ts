/**
 * What 秒批 instant approval decides on: service items, applications, e-licences, credit records and
 * profiles, as the domain takes them (decision.ts holds what it decides).
 */
import type { Condition } from '#rules/types';

export type ApplicantKind = 'person' | 'enterprise';
export type ItemMode = 'instant' | 'commitment' | 'manual';
/** Trust level of an e-licence: A is the higher trust. */
export type TrustLevel = 'A' | 'B';

export interface MaterialRequirement {
  readonly code: string;
  readonly name: string;
  /** Satisfied by a valid e-licence of this type held by the applicant (免提交). */
  readonly licenceType?: string;
  /** Lowest acceptable trust level of that e-licence (A > B); any level when absent. */
  readonly minTrustLevel?: TrustLevel;
  /** A statement or online form the applicant fills in, checked by the rules: satisfied when provided. */
  readonly declared?: boolean;
  /** May be missing at acceptance and supplied later (容缺 pending materials). */
  readonly tolerable?: boolean;
}

export interface ServiceItem {
  readonly itemCode: string;
  readonly name: string;
  readonly departmentCode: string;
  readonly applicantKind: ApplicantKind | 'any';
  readonly mode: ItemMode;
  /** Working days the bureau promises; also the supplement period for pending materials. */
  readonly promisedDays: number;
  /** Working days the law allows. */
  readonly legalDays: number;
  readonly materials: readonly MaterialRequirement[];
  readonly rules: Condition;
  /** What happens to a dishonest (失信) subject; `manual` when absent. */
  readonly credit?: { readonly dishonest: 'manual' | 'reject' };
  /** Working days after an approval on commitment within which the department verifies it. */
  readonly verificationDays?: number;
  readonly certificateType: string;
  readonly version: number;
  readonly active: boolean;
}

export interface Applicant {
  readonly kind: ApplicantKind;
  /** 身份证号 for a person, 统一社会信用代码 for an enterprise. */
  readonly id: string;
  readonly name: string;
}

export interface SubmittedMaterial {
  readonly code: string;
  readonly provided?: boolean;
  /** The e-licence the applicant names for this material. */
  readonly licenceNo?: string;
}

export interface Application {
  readonly applicationId: string;
  readonly itemCode: string;
  readonly applicant: Applicant;
  readonly form: Readonly<Record<string, unknown>>;
  readonly materials: readonly SubmittedMaterial[];
  /** A signed 告知承诺书. */
  readonly commitment?: { readonly signedAt: string };
  readonly channel: string;
  readonly submittedAt: string;
}

export interface Licence {
  readonly licenceNo: string;
  readonly licenceType: string;
  readonly holderId: string;
  readonly issuer: string;
  readonly issuedAt: string;
  /** Last local date on which the licence is valid ("YYYY-MM-DD"). */
  readonly validUntil: string;
  readonly trustLevel: TrustLevel;
  readonly attributes: Readonly<Record<string, unknown>>;
  /** The revocation takes effect at this instant. */
  readonly revokedAt?: string;
}

/** A subject's credit record (`gov.credit.updated`), declared once by the contract. */
export type { CreditRecord } from '#contract/schemas';

/** The shared person or enterprise profile from the data-sharing platform; free-form. */
export type Profile = Readonly<Record<string, unknown>>;
