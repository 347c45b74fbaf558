/**
 * 秒批 use cases (SPEC §4), each: load through the ports → decide (domain/) → write once (the store) →
 * send what the stored version owes (its outbox) → metrics and log lines after the write.
 *
 *   submitApplication     gov.application.submitted               service/submit.ts (and the batch's group commit)
 *   supplementMaterials   gov.application.materials.supplemented  service/later.ts
 *   reportVerification    gov.application.verification.reported   service/later.ts
 *   reviewApplication     gov.application.reviewed                service/later.ts
 *   runDeadlines          the approval-deadlines schedule          service/deadlines.ts
 *
 * The services take their ports as arguments: adapters.ts plugs in DynamoDB, SQS and the registry; unit
 * tests plug in small in-memory adapters. Only infrastructure errors throw (the event is retried, then
 * dead-lettered); a refused event is recorded with its reason.
 */
import type { GroupCommit } from '#platform/group-commit';
import type { Cause } from './domain/decision';
import type { VerificationReport } from './domain/lifecycle';
import type { PersonReview } from './domain/reviewed';
import type { Application, SubmittedMaterial } from './domain/types';
import type { ApprovalPorts } from './ports';
import { laterEvents } from './service/later';
import { outboxSender } from './service/outbox';
import { submission, type FirstDecisionChange } from './service/submit';

export { createDeadlinesService, type DeadlinesService, type DeadlinesSummary } from './service/deadlines';
export type { FirstDecisionChange };

export interface ApprovalService {
  submitApplication(application: Application, cause: Cause): Promise<void>;
  supplementMaterials(applicationId: string, materials: readonly SubmittedMaterial[], cause: Cause, receives: number): Promise<void>;
  reportVerification(applicationId: string, report: VerificationReport, cause: Cause, receives: number): Promise<void>;
  /** A person's decision on an application in manual review. */
  reviewApplication(applicationId: string, review: PersonReview, cause: Cause, receives: number): Promise<void>;
  /** The approval consumer's unit of work: a batch's first decisions written together. */
  batch(): GroupCommit<FirstDecisionChange>;
}

export function createApprovalService(ports: ApprovalPorts): ApprovalService {
  const outbox = outboxSender(ports);
  return { ...submission(ports, outbox), ...laterEvents(ports, outbox) };
}
