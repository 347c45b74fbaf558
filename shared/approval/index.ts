export * from './types';
export { decide, rulesCacheKey, licenceProblems, itemTimes, openReviewCase, type DecideInput } from './decide';
export { supplement, onSupplementDeadline, onVerification, isVerificationOverdue, type VerificationReport } from './lifecycle';
export { contentHash, canonicalJson, isSameApplication, classifySubmission, type SubmissionDisposition } from './conflict';
export { approvalFigures, currentDecisions, type ApprovalFigures } from './figures';
export { loadCase, queryDecisions, FLAG_OVERDUE_SK } from './store';
