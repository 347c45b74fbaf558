/**
 * 秒批 schedule (SPEC §4 step 6): a 容缺 case still pending after its supplement deadline is TERMINATED;
 * an approval on commitment not verified by its due date is flagged, once. It also sends the outbound
 * events of any outbox a crash left unsent (see shared/approval/store.ts), chiefly its own: an event-made
 * version is also re-sent by its event's redelivery. Every write is conditional on the version it was
 * computed from, so overlapping runs or a rerun change nothing twice.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { nowIso } from '../../shared/platform/clock';
import { logger, metrics } from '../../shared/platform/powertools';
import { isVerificationOverdue, onSupplementDeadline } from '../../shared/approval';
import { outboundFor, verificationOverdueFor } from '../../shared/approval/messages';
import {
  causeKey,
  FLAG_OVERDUE_SK,
  loadCase,
  overdue,
  storeOverdueFlag,
  storeTransition,
  unsentOutboxes,
  versionSk,
  type Cause,
} from '../../shared/approval/store';
import { dispatch } from '../../shared/approval/dispatch';
import { auditOf, recordDecisionMetrics } from '../../shared/approval/adapters';

const SOURCE = '/civicflow/approval-deadlines';
/** An outbox younger than this is probably being sent right now by the handler that wrote it. */
const OUTBOX_GRACE_MS = 2 * 60_000;

export interface DeadlinesSummary {
  readonly terminated: number;
  readonly flagged: number;
  /** Outboxes found unsent after a crash and sent now. */
  readonly resent: number;
}

async function terminateMissedSupplements(now: string): Promise<number> {
  let terminated = 0;
  for (const due of await overdue('SUPPLEMENT', now)) {
    // The index is eventually consistent and another run may be at work: decide on the stored case.
    const known = await loadCase(due.applicationId);
    if (!known.decision) continue;
    const next = onSupplementDeadline(known.decision, now);
    if (!next) continue;
    const cause: Cause = { source: SOURCE, id: `supplement-deadline:${due.applicationId}:${known.decision.sequence}`, type: 'civicflow.schedule.approval-deadlines' };
    const outbox = { outbound: [outboundFor(next, 'supplementDeadline')], effects: next.effects };
    const stored = await storeTransition({
      previous: known.decision,
      decision: next,
      cause,
      causeKind: 'supplementDeadline',
      outbox,
      audit: auditOf(next, cause, `supplementDeadline:${next.outcome}`, now),
    });
    if (stored === 'raced') continue; // a supplement or another run got there first; the next run looks again
    terminated++;
    recordDecisionMetrics(next, known.decision, 'supplementDeadline');
    logger.info('decision', { applicationId: next.applicationId, itemCode: next.itemCode, outcome: next.outcome, reasons: next.reasons.map((r) => r.code) });
    await dispatch(next.applicationId, versionSk(next.sequence), outbox);
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
    const cause: Cause = { source: SOURCE, id: `verification-overdue:${decision.applicationId}`, type: 'civicflow.schedule.approval-deadlines' };
    const stored = await storeOverdueFlag({
      decision,
      flaggedAt: now,
      outbox,
      audit: {
        subject: `application:${decision.applicationId}`,
        action: 'verification-overdue',
        actor: SOURCE,
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
    const pending =
      entry.sk === FLAG_OVERDUE_SK ? known.overdueFlag : known.versions.find((v) => v.sk === entry.sk);
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

export const handler = middy(async (): Promise<DeadlinesSummary> => {
  const now = nowIso();
  const summary = {
    terminated: await terminateMissedSupplements(now),
    flagged: await flagOverdueVerifications(now),
    resent: await resendUnsent(now),
  };
  logger.info('approval deadlines', { ...summary, now });
  return summary;
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
