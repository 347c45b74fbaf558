/**
 * 秒批 use cases, each: load through the ports → decide (domain/) → write once (the store) →
 * send what the stored version owes (its outbox) → metrics and log lines after the write.
 *
 *   submitApplication     gov.application.submitted               service/submit.ts (and the batch's group commit)
 *   supplementMaterials   gov.application.materials.supplemented  service/later.ts
 *   reportVerification    gov.application.verification.reported   service/later.ts (a bundle's child: service/bundle.ts)
 *   reviewApplication     gov.application.reviewed                service/later.ts (a bundle's child: service/bundle.ts)
 *   submitBundle (and a later event on a bundle application)    service/bundle.ts
 *   (either submission under an id the other kind holds: refused)  service/one-id.ts
 *   runDeadlines          the approval-deadlines schedule          service/deadlines.ts
 *
 * The services take their ports as arguments: adapters.ts plugs in DynamoDB, SQS and the registry; unit
 * tests plug in small in-memory adapters. Only infrastructure errors throw (the event is retried, then
 * dead-lettered); a refused event is recorded with its reason.
 */
import { currentUnit, type GroupCommit } from '#platform/group-commit';
import type { Cause } from './domain/decision';
import type { VerificationReport } from './domain/lifecycle';
import type { BundleApplication } from './domain/bundle/application';
import type { PersonReview } from './domain/reviewed';
import type { Application, SubmittedMaterial } from './domain/types';
import type { ApplicationKey, ApprovalPorts, SubmissionKey } from './ports';
import { bundleService, type BundlePorts } from './service/bundle';
import { laterEvents } from './service/later';
import { oneDecisionPerId } from './service/one-id';
import { outboxSender } from './service/outbox';
import { submission, type FirstDecisionChange } from './service/submit';

export { createDeadlinesService, receiptGraceMs, RECEIPT_QUEUE_WAIT_MS, type DeadlinesService, type DeadlinesSummary } from './service/deadlines';
export type { FirstDecisionChange };

export interface ApprovalService {
  submitApplication(application: Application, cause: Cause): Promise<void>;
  /** A bundle application (一件事): service/bundle.ts. */
  submitBundle(application: BundleApplication, cause: Cause): Promise<void>;
  /**
   * Materials (and, for a bundle, answers and form) supplied later; `receivedAt`, the supplement's receipt at
   * ingest, is what its deadline is judged by (the time it is processed when there is none).
   */
  supplementMaterials(
    applicationId: string,
    materials: readonly SubmittedMaterial[],
    cause: Cause,
    receives: number,
    more?: BundleExtras,
    receivedAt?: string,
  ): Promise<void>;
  reportVerification(applicationId: string, report: VerificationReport, cause: Cause, receives: number): Promise<void>;
  /** A person's decision on an application in manual review. */
  reviewApplication(applicationId: string, review: PersonReview, cause: Cause, receives: number): Promise<void>;
  /**
   * The approval consumer's unit of work: a batch's first decisions written together, and what they read
   * read ahead for the whole batch (`readAhead`: the batch's events' single-item submissions; `submissions`:
   * every submission's id and kind, whose holder of the other kind is read ahead).
   */
  batch(
    readAhead?: (events: readonly unknown[]) => readonly ApplicationKey[],
    submissions?: (events: readonly unknown[]) => readonly SubmissionKey[],
  ): GroupCommit<FirstDecisionChange>;
}

type BundleExtras = { readonly answers?: Readonly<Record<string, unknown>>; readonly form?: Readonly<Record<string, unknown>> };

/**
 * Without the bundle ports (unit tests of single items) a bundle application is an error to retry. A later
 * event goes to the bundle application of its id if there is one, else to the single item's.
 */
export function createApprovalService(ports: ApprovalPorts, bundlePorts?: Omit<BundlePorts, keyof ApprovalPorts>): ApprovalService {
  const outbox = outboxSender(ports);
  const later = laterEvents(ports, outbox);
  const bundles = bundlePorts === undefined ? undefined : bundleService({ ...ports, ...bundlePorts });
  // An id is decided once, whichever kind it was submitted as (service/one-id.ts): only with bundles is there another kind.
  const ids = bundlePorts === undefined ? undefined : oneDecisionPerId({ ...ports, bundles: bundlePorts.bundles });
  return {
    ...submission(ports, outbox, ids),
    ...later,
    async submitBundle(application, cause) {
      if (bundles === undefined || ids === undefined) throw new Error('bundle applications are not configured');
      // A single item's first decision of this id waiting in the batch is written first, so the check sees it.
      await currentUnit()?.unit.beforeLoad(application.applicationId);
      // A single-item application under this id: a conflict, recorded against it, and nothing decided.
      if (await ids.refused({ kind: 'bundle', application }, cause)) return;
      await bundles.submitBundle(application, cause);
    },
    // A later event looks for a single-item application first and for a bundle only when there is none.
    async supplementMaterials(applicationId, materials, cause, receives, more, receivedAt) {
      const bundleOnly = materials.length === 0 || more?.answers !== undefined || more?.form !== undefined;
      const bundle = bundles && (() => bundles.supplementBundle(applicationId, { materials, ...more }, cause, receivedAt));
      await later.supplementMaterials(applicationId, materials, cause, receives, bundleOnly, bundle, receivedAt);
    },
    async reportVerification(applicationId, report, cause, receives) {
      const bundle = bundles && (() => bundles.verifyBundle(applicationId, report, cause));
      await later.reportVerification(applicationId, report, cause, receives, bundle);
    },
    async reviewApplication(applicationId, review, cause, receives) {
      const bundle = bundles && (() => bundles.reviewBundle(applicationId, review, cause));
      await later.reviewApplication(applicationId, review, cause, receives, bundle);
    },
  };
}
