/**
 * 秒批 (SPEC §4): decides submitted applications, re-decides supplemented 容缺 cases and applies the
 * departments' verification reports. Thin: the domain decides (shared/approval), the store makes each
 * decision happen once (shared/approval/store.ts), dispatch sends what a stored version asks for.
 *
 * Only infrastructure errors throw (the record is retried, then dead-lettered). A refused event (a
 * supplement for a case that is not pending, a second verification…) is recorded with its reason and
 * acknowledged: retrying cannot change the answer.
 */
import type { SQSRecord } from 'aws-lambda';
import { sqsConsumer, type QueuedEvent } from '../../shared/platform/consumer';
import { nowIso } from '../../shared/platform/clock';
import { logger } from '../../shared/platform/powertools';
import type { DataOf } from '../../shared/contract/schemas';
import {
  classifySubmission,
  contentHash,
  decide,
  onVerification,
  supplement,
  type Application,
  type Decision,
  type ServiceItem,
  type Transition,
} from '../../shared/approval';
import { outboundFor, type VersionCause } from '../../shared/approval/messages';
import {
  causeKey,
  loadCase,
  recordConflict,
  recordRefusal,
  storeFirstDecision,
  storeTransition,
  type Cause,
  versionSk,
  type StoredCase,
} from '../../shared/approval/store';
import { dispatch } from '../../shared/approval/dispatch';
import { getCurrentItem, getItemVersion } from '../../shared/registry/store';
import { auditOf, certificateNo, factsOf, recordDecisionMetrics, workingCalendar } from '../../shared/approval/adapters';

const ACTOR = '/civicflow/approval';

/**
 * A supplement or report may overtake its submission on the queue (standard SQS does not keep order).
 * Before recording "unknown application" the record is retried this many receives, so a few minutes of
 * reordering cannot lose a supplement.
 */
const UNKNOWN_APPLICATION_RECEIVES = 3;

const causeOf = (event: QueuedEvent): Cause => ({ source: event.source, id: event.id, type: event.type });

async function onSubmitted(event: QueuedEvent): Promise<void> {
  const application = event.data as unknown as DataOf<'gov.application.submitted'> & Application;
  const cause = causeOf(event);
  const known = await loadCase(application.applicationId);
  if (known.application) return onKnownSubmission(known, application, cause);

  const item = (await getCurrentItem(application.itemCode)) as ServiceItem | undefined;
  const facts = await factsOf(application.applicant);
  const now = nowIso();
  const decision = decide({ application, item, ...facts, now, calendar: workingCalendar(), certificateNo });
  const outbox = { outbound: [outboundFor(decision, 'submitted')], effects: decision.effects };
  const stored = await storeFirstDecision({
    application,
    decision,
    cause,
    receivedAt: now,
    outbox,
    audit: auditOf(decision, cause, `decided:${decision.outcome}`, now),
  });
  if (stored === 'exists') {
    // Another delivery decided it between our read and our write.
    return onKnownSubmission(await loadCase(application.applicationId), application, cause);
  }
  recordDecisionMetrics(decision, undefined, 'submitted');
  logDecision(decision, 'submitted');
  await dispatch(application.applicationId, versionSk(1), outbox);
}

/** The application was decided before: a redelivery or resubmission (no new decision), or a conflict. */
async function onKnownSubmission(known: StoredCase, application: Application, cause: Cause): Promise<void> {
  const stored = known.application!;
  const disposition = classifySubmission(
    { applicationId: application.applicationId, applicationHash: stored.applicationHash },
    application,
  );
  if (disposition === 'conflict') {
    const now = nowIso();
    const hash = contentHash(application);
    const recorded = await recordConflict({
      application,
      applicationHash: hash,
      storedHash: stored.applicationHash,
      cause,
      receivedAt: now,
      audit: {
        subject: `application:${application.applicationId}`,
        action: 'conflict',
        actor: cause.source,
        at: now,
        why: 'same applicationId submitted with other content; the first submission stands',
        causeId: causeKey(cause),
        details: { cause, applicationHash: hash, storedHash: stored.applicationHash },
      },
    });
    if (recorded) {
      logger.warn('application conflict', { applicationId: application.applicationId, eventId: cause.id, source: cause.source });
    }
    return;
  }
  // The earlier attempt may have crashed after its write: send what version 1 still owes.
  const first = known.versions[0];
  if (first?.pending) await dispatch(application.applicationId, first.sk, first.outbox);
  logger.info('application already decided', { applicationId: application.applicationId, eventId: cause.id });
}

/**
 * A later event on a decided application. `transition` computes the next version from the current one;
 * the write is conditional on that version, so a concurrent event makes us reload and compute again.
 */
async function onLaterEvent(
  event: QueuedEvent,
  record: SQSRecord,
  applicationId: string,
  causeKind: VersionCause,
  transition: (current: StoredCase & { decision: Decision }, now: string) => Promise<Transition>,
): Promise<void> {
  const cause = causeOf(event);
  const key = causeKey(cause);
  for (let attempt = 1; attempt <= 5; attempt++) {
    const known = await loadCase(applicationId);
    const done = known.versions.find((v) => causeKey(v.cause) === key);
    if (done) {
      if (done.pending) await dispatch(applicationId, done.sk, done.outbox);
      return;
    }
    if (known.refusals.some((r) => causeKey(r.cause) === key)) return;

    const now = nowIso();
    if (!known.decision) {
      const receives = Number(record.attributes?.ApproximateReceiveCount ?? '1');
      if (receives < UNKNOWN_APPLICATION_RECEIVES) {
        throw new Error(`application ${applicationId} is not known yet; retrying in case its submission is still queued`);
      }
      await refuse(applicationId, cause, now, 'APPLICATION_UNKNOWN', `未找到申请 ${applicationId} 的审批决定，无法处理 ${event.type}`);
      return;
    }

    const result = await transition(known as StoredCase & { decision: Decision }, now);
    if (!result.ok) {
      await refuse(applicationId, cause, now, result.refusal.code, result.refusal.message);
      return;
    }
    const decision = result.decision;
    const outbox = { outbound: [outboundFor(decision, causeKind)], effects: decision.effects };
    const stored = await storeTransition({
      previous: known.decision,
      decision,
      cause,
      causeKind,
      outbox,
      audit: auditOf(decision, cause, `${causeKind}:${decision.outcome}`, now),
    });
    if (stored === 'raced') continue;
    recordDecisionMetrics(decision, known.decision, causeKind);
    logDecision(decision, causeKind);
    await dispatch(applicationId, versionSk(decision.sequence), outbox);
    return;
  }
  throw new Error(`application ${applicationId} kept changing under ${event.type} ${event.id}; retrying`);
}

async function refuse(applicationId: string, cause: Cause, at: string, code: string, message: string): Promise<void> {
  const recorded = await recordRefusal({
    applicationId,
    cause,
    at,
    code: code as Parameters<typeof recordRefusal>[0]['code'],
    message,
    audit: {
      subject: `application:${applicationId}`,
      action: `refused:${code}`,
      actor: cause.source,
      at,
      why: message,
      causeId: causeKey(cause),
      details: { cause },
    },
  });
  if (recorded) logger.warn('event refused', { applicationId, eventType: cause.type, eventId: cause.id, code });
}

function logDecision(decision: Decision, cause: VersionCause): void {
  // Never the profile or the applicant's identifiers: the decision is readable through the query route.
  logger.info('decision', {
    applicationId: decision.applicationId,
    itemCode: decision.itemCode,
    itemVersion: decision.itemVersion,
    sequence: decision.sequence,
    cause,
    outcome: decision.outcome,
    reasons: decision.reasons.map((r) => r.code),
    latencyMs: decision.latencyMs,
  });
}

export const handler = sqsConsumer(async (event, record) => {
  switch (event.type) {
    case 'gov.application.submitted':
      return onSubmitted(event);
    case 'gov.application.materials.supplemented': {
      const data = event.data as DataOf<'gov.application.materials.supplemented'>;
      return onLaterEvent(event, record, data.applicationId, 'supplemented', async (known, now) => {
        const previous = known.decision;
        // Re-decided under the item version the case was accepted under, on today's facts.
        const item =
          previous.itemVersion === null
            ? undefined
            : ((await getItemVersion(previous.itemCode, previous.itemVersion)) as ServiceItem | undefined);
        const application = known.application!.application;
        const facts = previous.outcome === 'ACCEPTED_PENDING_MATERIALS' ? await factsOf(application.applicant) : { licences: [] };
        return supplement(previous, application, data.materials, {
          item,
          ...facts,
          now,
          calendar: workingCalendar(),
          certificateNo,
        });
      });
    }
    case 'gov.application.verification.reported': {
      const data = event.data as DataOf<'gov.application.verification.reported'>;
      return onLaterEvent(event, record, data.applicationId, 'verification', async (known, now) =>
        onVerification(known.decision, { truthful: data.truthful, note: data.note }, now),
      );
    }
    default:
      // Routing sends only these types here; anything else is a deployment mistake worth a DLQ alarm.
      throw new Error(`approval cannot handle event type ${event.type}`);
  }
});
