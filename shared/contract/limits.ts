/** Limits that keep a hostile or broken payload from costing more than a clear rejection. */
export const LIMITS = {
  code: 64,
  name: 200,
  text: 2000,
  materials: 200,
  indicators: 50,
  /** Reasons a person gives for a decision on an application. */
  reasons: 20,
  channels: 20,
  /** Items of one 一件事 bundle: the largest found in the reports has 12. */
  bundleItems: 50,
  bundleQuestions: 50,
  formFields: 200,
  /**
   * Bytes (UTF-8 JSON, as `JSON.stringify` writes it) of the open objects one decision draws on. A first
   * decision stores the application, the profile, the applicant's e-licences and the trace (each rule's
   * fact value, up to four times) in one DynamoDB item of at most 400 KB: with these limits the largest
   * application, profile and e-licence together stay far below it (docs/contract.md, "Open objects").
   */
  formBytes: 32 * 1024,
  answersBytes: 8 * 1024,
  attributesBytes: 16 * 1024,
  profileBytes: 16 * 1024,
  days: 3650,
  // 公示 windows in working days: a quarter is longer than any programme found publicizes its list.
  publicityDays: 60,
} as const;

/** The bytes of a value's JSON text as `JSON.stringify` writes it, in UTF-8: what the byte limits above count. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}
