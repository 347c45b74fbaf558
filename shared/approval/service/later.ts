/**
 * Later events on a decided application: a supplement re-decides a 容缺 case under the
 * item version it was accepted under; a department's verification report closes or revokes an approval
 * on commitment; a person's decision concludes a manual review. Each computes the next version from the current one (domain/lifecycle.ts) and stores it
 * conditionally on that version, so a concurrent event makes it reload and compute again.
 *
 * A refused event (a supplement for a case that is not pending, a second verification…) is recorded with
 * its reason and returns: retrying cannot change the answer. Only infrastructure errors throw.
 */
import { currentUnit } from '#platform/group-commit';
import { refusalAudit } from '../domain/audit';
import { causeKey, type Cause, type Decision, type Transition, type VersionCause } from '../domain/decision';
import { onVerification, supplement, type VerificationReport } from '../domain/lifecycle';
import { onReview, reviewRefusal, type PersonReview } from '../domain/reviewed';
import type { SubmittedMaterial } from '../domain/types';
import { refusalReceipt } from '../messages';
import type { ApprovalPorts, StoredCase, StoredRefusalCode } from '../ports';
import type { OutboxSender } from './outbox';
import { storeVersion } from './versions';

/**
 * A supplement or report may overtake its submission on the queue (standard SQS does not keep order).
 * Before recording "unknown application" the event is retried this many receives, so a few minutes of
 * reordering cannot lose a supplement.
 */
const UNKNOWN_APPLICATION_RECEIVES = 3;

/** How often a later event reloads and decides again when another writer keeps changing the case. */
const ATTEMPTS = 5;

type Known = StoredCase & { readonly decision: Decision };

/**
 * Asked only when no single-item application has the id: true when another kind of application (a 一件事
 * bundle) took the event. Single items, the common case, so pay no read for bundles.
 */
export type OtherApplication = () => Promise<boolean>;

export function laterEvents(ports: ApprovalPorts, outbox: OutboxSender) {
  const { store, registry, telemetry } = ports;

  /**
   * `gov.application.materials.supplemented`: re-decided under the accepted item version, on today's facts;
   * in time or late by `receivedAt`, its receipt at ingest (domain/lifecycle.ts `supplement`).
   */
  function supplementMaterials(
    applicationId: string,
    materials: readonly SubmittedMaterial[],
    cause: Cause,
    receives: number,
    bundleOnly = false,
    otherwise?: OtherApplication,
    receivedAt?: string,
  ): Promise<void> {
    return onLaterEvent(applicationId, cause, receives, 'supplemented', otherwise, async (known, now) => {
      const previous = known.decision;
      // Answers, form fields or no materials at all: only a bundle application (一件事) takes such a supplement.
      if (bundleOnly) {
        return { ok: false, refusal: { code: 'NOT_A_BUNDLE', message: `申请 ${applicationId} 不是“一件事”套餐申请，补正只接收材料（materials），不接收回答（answers）或表单（form）` } };
      }
      const stored = known.application;
      if (stored === undefined) throw new Error(`application ${applicationId} has a decision but no application; retrying`);
      const item = previous.itemVersion === null ? undefined : await registry.itemVersion(previous.itemCode, previous.itemVersion);
      // Only a pending case is re-decided; any other is refused without reading the applicant's facts.
      const facts = previous.outcome === 'ACCEPTED_PENDING_MATERIALS' ? await registry.applicantFacts(stored.application.applicant) : { licences: [] };
      return supplement(previous, stored.application, materials, { item, ...facts, now, calendar: ports.calendar() }, receivedAt);
    });
  }

  /** `gov.application.verification.reported`: verifies or revokes an approval on commitment. */
  /**
   * `gov.application.verification.reported`: late or not by `report.receivedAt`, its receipt at ingest; an
   * overdue flag the schedule raised before it was processed stands (domain/lifecycle.ts `onVerification`).
   */
  function reportVerification(applicationId: string, report: VerificationReport, cause: Cause, receives: number, otherwise?: OtherApplication): Promise<void> {
    return onLaterEvent(applicationId, cause, receives, 'verification', otherwise, async (known, now) =>
      onVerification(known.decision, report, now, cause, known.overdueFlag?.flaggedAt),
    );
  }

  async function onLaterEvent(
    applicationId: string,
    cause: Cause,
    receives: number,
    causeKind: VersionCause,
    otherwise: OtherApplication | undefined,
    transition: (known: Known, now: string) => Promise<Transition>,
  ): Promise<void> {
    const key = causeKey(cause);
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      // In a batch, this application's first decision may still be waiting: write it first, then load.
      await currentUnit()?.unit.beforeLoad(applicationId);
      const known = await store.loadCase(applicationId);
      const done = known.versions.find((v) => causeKey(v.cause) === key);
      // A redelivery of the event that made a version: send what it owes again.
      if (done) return outbox.resend(done, true);
      if (known.refusals.some((r) => causeKey(r.cause) === key)) return;

      const now = ports.now();
      if (!known.decision) {
        // No single-item application of this id: perhaps another kind (a 一件事 bundle) takes the event.
        if (otherwise !== undefined && (await otherwise())) return;
        if (receives < UNKNOWN_APPLICATION_RECEIVES) {
          throw new Error(`application ${applicationId} is not known yet; retrying in case its submission is still queued`);
        }
        return refuse(applicationId, cause, now, 'APPLICATION_UNKNOWN', `未找到申请 ${applicationId} 的审批决定，无法处理 ${cause.type}`);
      }
      const result = await transition(known as Known, now);
      if (!result.ok) return refuse(applicationId, cause, now, result.refusal.code, result.refusal.message);
      const stored = await storeVersion(ports, outbox, { previous: known.decision, decision: result.decision, cause, causeKind, now });
      if (stored === 'stored') return;
    }
    throw new Error(`application ${applicationId} kept changing under ${cause.type} ${cause.id}; retrying`);
  }

  async function refuse(applicationId: string, cause: Cause, at: string, code: StoredRefusalCode, message: string): Promise<void> {
    const recorded = await store.recordRefusal({
      applicationId,
      cause,
      at,
      code,
      message,
      audit: refusalAudit(applicationId, cause, at, code, message),
      receipt: refusalReceipt(applicationId, cause, at, code, message),
    });
    if (recorded) telemetry.warn('event refused', { applicationId, eventType: cause.type, eventId: cause.id, code });
  }

  /**
   * `gov.application.reviewed`: a person's decision on an application in manual review. The item version it
   * was decided under gives the certificate type and the legal days; it is read only for a decision that
   * will be taken.
   */
  function reviewApplication(applicationId: string, review: PersonReview, cause: Cause, receives: number, otherwise?: OtherApplication): Promise<void> {
    return onLaterEvent(applicationId, cause, receives, 'reviewed', otherwise, async (known, now) => {
      const previous = known.decision;
      const refusal = reviewRefusal(previous, review);
      if (refusal) return { ok: false, refusal };
      const item = previous.itemVersion === null ? undefined : await registry.itemVersion(previous.itemCode, previous.itemVersion);
      // A manual review always has its item (an unknown item is rejected at once): its absence is a defect to retry, then dead-letter.
      if (item === undefined) throw new Error(`item ${previous.itemCode} v${previous.itemVersion} of application ${applicationId} is not in the catalogue; retrying`);
      return onReview(previous, review, { item, now, calendar: ports.calendar() });
    });
  }

  return { supplementMaterials, reportVerification, reviewApplication };
}
