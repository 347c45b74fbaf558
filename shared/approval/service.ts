/**
 * 秒批 use cases (SPEC §4): decide a submitted application, re-decide a supplemented 容缺 case, apply a
 * department's verification report, and the deadlines schedule's work. Each loads the case, calls the pure
 * domain, stores what it returns exactly once (store.ts) and sends what the stored version asks for
 * (dispatch.ts); a submission loads its case only when its create-only write finds it already there.
 * Shared by the approval consumer and the deadlines schedule, which only parse and call.
 *
 * Only infrastructure errors throw (the event is retried, then dead-lettered). A refused event (a
 * supplement for a case that is not pending, a second verification…) is recorded with its reason and
 * returns: retrying cannot change the answer.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { nowIso } from '#platform/clock';
import { logger, metrics } from '#platform/powertools';
import { getItemVersion } from '#registry';
import { applicationFactsOf, auditOf, certificateNo, factsOf, recordDecisionMetrics } from './adapters';
import { stageCalendar } from '#platform/calendar';
import { classifySubmission, contentHash } from './conflict';
import { decide } from './decide';
import { dispatch, dispatchAll, type Dispatch } from './dispatch';
import { afterCommit, currentUnit, GroupCommit } from '#platform/group-commit';
import { writeChanges, type TransactItem } from '#platform/transactions';
import { isVerificationOverdue, onSupplementDeadline, onVerification, supplement, type VerificationReport } from './lifecycle';
import { outboundFor, verificationOverdueFor, type VersionCause } from './messages';
import { recordReceipt, withKind } from '#platform/receipts';
import {
  applicationHref,
  causeKey,
  firstDecisionItems,
  FLAG_OVERDUE_SK,
  loadCase,
  overdue,
  recordConflict,
  recordRefusal,
  storeFirstDecision,
  storeOverdueFlag,
  storeTransition,
  unsentOutboxes,
  versionSk,
  type Cause,
  type StoredCase,
  type StoredRefusalCode,
} from './store';
import type { Application, Decision, ServiceItem, SubmittedMaterial, Transition } from './types';

/**
 * A supplement or report may overtake its submission on the queue (standard SQS does not keep order).
 * Before recording "unknown application" the event is retried this many receives, so a few minutes of
 * reordering cannot lose a supplement.
 */
const UNKNOWN_APPLICATION_RECEIVES = 3;

const DEADLINES_SOURCE = '/civicflow/approval-deadlines';
const DEADLINES_TYPE = 'civicflow.schedule.approval-deadlines';
/** An outbox younger than this is probably being sent right now by the handler that wrote it. */
const OUTBOX_GRACE_MS = 2 * 60_000;

/**
 * `gov.application.submitted`: the first decision, once; a redelivery or resubmission decides nothing new.
 * Optimistic: a submission is nearly always new, so it is decided without looking for the case first.
 * storeFirstDecision creates the application only if absent, in the same transaction as the decision;
 * when it was there, the work is thrown away and the stored case is handled as before.
 */
export async function submitApplication(application: Application, cause: Cause): Promise<void> {
  const batch = currentUnit<FirstDecisionChange>();
  // In a batch, the same application's first decision may be waiting: write it first (then this is known).
  await batch?.unit.beforeLoad(application.applicationId);
  const { item, ...facts } = await applicationFactsOf(application.itemCode, application.applicant);
  const now = nowIso();
  const decision = decide({ application, item, ...facts, now, calendar: stageCalendar(), certificateNo });
  const outbox = { outbound: [outboundFor(decision, 'submitted')], effects: decision.effects };
  const first = { application, decision, cause, receivedAt: now, outbox, audit: auditOf(decision, cause, `decided:${decision.outcome}`, now) };
  if (batch) {
    // Written with the batch's other first decisions; if the application turns out to be known, this
    // record runs again on its own and takes the path below.
    batch.unit.defer({ items: firstDecisionItems(first), dispatch: { applicationId: application.applicationId, sk: versionSk(1), outbox } });
    afterCommit(() => {
      recordDecisionMetrics(decision, undefined, 'submitted');
      logDecision(decision, 'submitted');
    });
    return;
  }
  const stored = await storeFirstDecision(first);
  if (stored === 'exists') {
    // A redelivery (perhaps after a crash before its outbox was sent), a resubmission or a conflict.
    return onKnownSubmission(await loadCase(application.applicationId), application, cause);
  }
  recordDecisionMetrics(decision, undefined, 'submitted');
  logDecision(decision, 'submitted');
  await dispatch(application.applicationId, versionSk(1), outbox);
}

/** A first decision waiting in the consumer's unit of work: its transaction's items and what it sends. */
export interface FirstDecisionChange {
  readonly items: TransactItem[];
  readonly dispatch: Dispatch;
}

/**
 * The approval consumer's unit of work (platform/group-commit.ts): the first decisions of a batch's new
 * applications in as few transactions as fit (5 items each), then their outboxes sent together and marked
 * sent 25 per request. Later events (supplements, verifications) are written on their own, as before.
 */
export function approvalBatch(): GroupCommit<FirstDecisionChange> {
  return new GroupCommit<FirstDecisionChange>({
    keyOf: (change) => change.dispatch.applicationId,
    write: (changes) => writeChanges(changes.map((c) => c.items)),
    afterWrite: (changes) => dispatchAll(changes.map((c) => c.dispatch)),
  });
}

/** `gov.application.materials.supplemented`: re-decides a 容缺 case under the item version it was accepted under. */
export function supplementMaterials(
  applicationId: string,
  materials: readonly SubmittedMaterial[],
  cause: Cause,
  receives: number,
): Promise<void> {
  return onLaterEvent(applicationId, cause, receives, 'supplemented', async (known, now) => {
    const previous = known.decision;
    // Re-decided under the item version the case was accepted under, on today's facts.
    const item =
      previous.itemVersion === null
        ? undefined
        : ((await getItemVersion(previous.itemCode, previous.itemVersion)) as ServiceItem | undefined);
    const application = known.application!.application;
    const facts = previous.outcome === 'ACCEPTED_PENDING_MATERIALS' ? await factsOf(application.applicant) : { licences: [] };
    return supplement(previous, application, materials, { item, ...facts, now, calendar: stageCalendar(), certificateNo });
  });
}

/** `gov.application.verification.reported`: verifies or revokes an approval on commitment. */
export function reportVerification(applicationId: string, report: VerificationReport, cause: Cause, receives: number): Promise<void> {
  return onLaterEvent(applicationId, cause, receives, 'verification', async (known, now) =>
    onVerification(known.decision, report, now),
  );
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
  // The same application under another event id: decided once, this event had no effect. (A redelivery of
  // the event that was decided finds the receipt written with its decision.)
  if (causeKey(stored.cause) !== causeKey(cause)) {
    await recordReceipt(
      withKind(cause, nowIso(), 'DUPLICATE', `application ${application.applicationId} was submitted before with the same content (event ${stored.cause.id}); it is decided once`, {
        effect: { resource: 'application', id: application.applicationId, href: applicationHref(application.applicationId) },
      }),
    );
  }
  logger.info('application already decided', { applicationId: application.applicationId, eventId: cause.id });
}

/**
 * A later event on a decided application. `transition` computes the next version from the current one;
 * the write is conditional on that version, so a concurrent event makes us reload and compute again.
 */
async function onLaterEvent(
  applicationId: string,
  cause: Cause,
  receives: number,
  causeKind: VersionCause,
  transition: (current: StoredCase & { decision: Decision }, now: string) => Promise<Transition>,
): Promise<void> {
  const key = causeKey(cause);
  for (let attempt = 1; attempt <= 5; attempt++) {
    // In a batch, this application's first decision may still be waiting: write it first, then load.
    await currentUnit<FirstDecisionChange>()?.unit.beforeLoad(applicationId);
    const known = await loadCase(applicationId);
    const done = known.versions.find((v) => causeKey(v.cause) === key);
    if (done) {
      if (done.pending) await dispatch(applicationId, done.sk, done.outbox);
      return;
    }
    if (known.refusals.some((r) => causeKey(r.cause) === key)) return;

    const now = nowIso();
    if (!known.decision) {
      if (receives < UNKNOWN_APPLICATION_RECEIVES) {
        throw new Error(`application ${applicationId} is not known yet; retrying in case its submission is still queued`);
      }
      await refuse(applicationId, cause, now, 'APPLICATION_UNKNOWN', `未找到申请 ${applicationId} 的审批决定，无法处理 ${cause.type}`);
      return;
    }

    const result = await transition(known as StoredCase & { decision: Decision }, now);
    if (!result.ok) {
      await refuse(applicationId, cause, now, result.refusal.code, result.refusal.message);
      return;
    }
    if ((await storeAndSend(known.decision, result.decision, cause, causeKind, now)) === 'raced') continue;
    return;
  }
  throw new Error(`application ${applicationId} kept changing under ${cause.type} ${cause.id}; retrying`);
}

/**
 * A later version, stored conditionally on `previous` (see storeTransition), then counted, logged and its
 * outbox sent. 'raced' when another writer changed the case first: the caller reloads or leaves it.
 */
async function storeAndSend(previous: Decision, decision: Decision, cause: Cause, causeKind: VersionCause, now: string): Promise<'stored' | 'raced'> {
  const outbox = { outbound: [outboundFor(decision, causeKind)], effects: decision.effects };
  const stored = await storeTransition({
    previous,
    decision,
    cause,
    causeKind,
    outbox,
    audit: auditOf(decision, cause, `${causeKind}:${decision.outcome}`, now),
  });
  if (stored === 'raced') return stored;
  recordDecisionMetrics(decision, previous, causeKind);
  logDecision(decision, causeKind);
  await dispatch(decision.applicationId, versionSk(decision.sequence), outbox);
  return stored;
}

async function refuse(applicationId: string, cause: Cause, at: string, code: StoredRefusalCode, message: string): Promise<void> {
  const recorded = await recordRefusal({
    applicationId,
    cause,
    at,
    code,
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

// ---- the deadlines schedule (SPEC §4 step 6) ----

export interface DeadlinesSummary {
  readonly terminated: number;
  readonly flagged: number;
  /** Outboxes found unsent after a crash and sent now. */
  readonly resent: number;
}

/**
 * One run: terminates 容缺 cases past their supplement deadline, flags overdue verifications once, and
 * sends outboxes a crash left unsent. Every write is conditional on the version it was computed from, so
 * overlapping runs or a rerun change nothing twice.
 */
export async function runDeadlines(now: string): Promise<DeadlinesSummary> {
  return {
    terminated: await terminateMissedSupplements(now),
    flagged: await flagOverdueVerifications(now),
    resent: await resendUnsent(now),
  };
}

async function terminateMissedSupplements(now: string): Promise<number> {
  let terminated = 0;
  for (const due of await overdue('SUPPLEMENT', now)) {
    // The index is eventually consistent and another run may be at work: decide on the stored case.
    const known = await loadCase(due.applicationId);
    if (!known.decision) continue;
    const next = onSupplementDeadline(known.decision, now);
    if (!next) continue;
    const cause: Cause = { source: DEADLINES_SOURCE, id: `supplement-deadline:${due.applicationId}:${known.decision.sequence}`, type: DEADLINES_TYPE };
    // 'raced': a supplement or another run got there first; the next run looks again.
    if ((await storeAndSend(known.decision, next, cause, 'supplementDeadline', now)) === 'stored') terminated++;
  }
  return terminated;
}

async function flagOverdueVerifications(now: string): Promise<number> {
  let flagged = 0;
  for (const due of await overdue('VERIFICATION', now)) {
    const known = await loadCase(due.applicationId);
    if (!known.decision || known.overdueFlag || !isVerificationOverdue(known.decision, now)) continue;
    const decision = known.decision;
    const outbox = { outbound: [verificationOverdueFor(decision, now)], effects: [] };
    const cause: Cause = { source: DEADLINES_SOURCE, id: `verification-overdue:${decision.applicationId}`, type: DEADLINES_TYPE };
    const stored = await storeOverdueFlag({
      decision,
      flaggedAt: now,
      outbox,
      audit: {
        subject: `application:${decision.applicationId}`,
        action: 'verification-overdue',
        actor: DEADLINES_SOURCE,
        at: now,
        why: `核查期限 ${decision.verificationDue?.date} 已过，尚未报告核查结果`,
        causeId: causeKey(cause),
        details: { verificationDue: decision.verificationDue, sequence: decision.sequence },
      },
    });
    if (stored === 'raced') continue;
    flagged++;
    metrics.addMetric('OverdueVerifications', MetricUnit.Count, 1);
    logger.info('verification overdue', { applicationId: decision.applicationId, itemCode: decision.itemCode });
    await dispatch(decision.applicationId, FLAG_OVERDUE_SK, outbox);
  }
  return flagged;
}

async function resendUnsent(now: string): Promise<number> {
  let resent = 0;
  const before = new Date(Date.parse(now) - OUTBOX_GRACE_MS).toISOString();
  for (const entry of await unsentOutboxes(before)) {
    const known = await loadCase(entry.applicationId);
    const pending = entry.sk === FLAG_OVERDUE_SK ? known.overdueFlag : known.versions.find((v) => v.sk === entry.sk);
    if (!pending?.pending) continue;
    // Effects (review case, credit mark) need grants this function does not have; a version that has
    // them was made by an event, and SQS redelivers that event until its handler has sent them.
    if (pending.outbox.effects.length > 0) continue;
    await dispatch(entry.applicationId, entry.sk, pending.outbox);
    resent++;
  }
  if (resent > 0) logger.warn('resent unsent outboxes', { resent });
  return resent;
}
