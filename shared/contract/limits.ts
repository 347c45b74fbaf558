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
  days: 3650,
  // 公示 windows in working days: a quarter is longer than any programme found publicizes its list.
  publicityDays: 60,
} as const;
