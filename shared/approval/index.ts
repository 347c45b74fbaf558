/**
 * 秒批's public module: what other areas may use. The query routes and the monthly report read current
 * decisions, cases and figures here; the types of items, applications and decisions come with them.
 * Nothing here writes: changes to approvals arrive as events on the approval queue.
 */
export * from './domain/types';
export * from './domain/decision';
export { decide, rulesCacheKey, licenceProblems, itemTimes, openReviewCase, type DecideInput } from './domain/decide';
export { onReview, reviewRefusal, type PersonReview, type ReviewedItem } from './domain/reviewed';
export { supplement, onSupplementDeadline, supplementMissed, dueBeforeGrace, onVerification, isVerificationOverdue, openDeadline, type DueKind, type VerificationReport } from './domain/lifecycle';
export { contentHash, canonicalJson, isSameApplication, classifySubmission, type SubmissionDisposition } from './domain/conflict';
export { approvalFigures, currentDecisions, type ApprovalFigures, type FiguresInput } from './domain/figures';
// Readers of the approvals table: one application's case, every current decision (or one item's).
export { loadCase, queryDecisions, currentDecisionsWithOverdueFlags, FLAG_OVERDUE_SK, type CurrentDecision } from './store';
// A simulation's replay: the facts a first decision saw, replayed against a draft (pure), and the bulk read.
export { replay, redecide, factsOf, isRegression, flipOf, blockingFacts, APPROVALS, type DecisionFacts, type Draft, type Flip } from './domain/replay';
export { bundleChildrenDecided, replayableDecisions, DECISION_SHARDS, type Replayable, type Window } from './store';
export type { StoredCase, StoredVersion, StoredConflict, StoredRefusal, StoredFlag, StoredRefusalCode } from './ports';
// 一件事 bundle applications: the query's view and the figures (store/bundle.ts keeps them).
export { bundleView, bundleFigures } from './domain/bundle/view';
export { bundleReader, bundleStore } from './store/bundle';
export type { BundleReader, BundleSummary, StoredBundleVersion } from './bundle-ports';
export type { BundleState } from './domain/bundle/application';
