/**
 * The review consumer (好差评): completed cases (from departments, and from 秒批 approvals as the internal
 * `civicflow.case.opened`), reviews from every channel, and rectification steps. Thin: it maps the parsed
 * message (shared/contract/queued.ts) to the domain, calls the use case and counts what happened. Semantic refusals are recorded by the use case and
 * do not throw; what throws is retried by SQS and reaches the DLQ after the queue's max receives. A step
 * that may have overtaken an earlier one is retried a few receives before it is refused (applyStep).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { caseOpenedSchema } from '#contract/internal-schemas';
import { config } from '#platform/stage-config';
import { nowIso } from '#platform/clock';
import { carriedBy, receiveCountOf, sqsConsumer, type CarriedBy } from '#platform/consumer';
import { afterCommit } from '#platform/group-commit';
import { logger, metrics } from '#platform/powertools';
import { applyStep, completeCase, reviewBatch, submitReview, type Outcome } from '#review/service';
import type { Case, Review, ReviewLevel } from '#review/types';

/** The review queue: inbound cases, reviews and rectification steps, and the cases approvals open. */
const parse = carriedBy('review', { 'civicflow.case.opened': caseOpenedSchema });

type ReviewEvent = CarriedBy<'review'>;
type EventOf<T extends ReviewEvent['type']> = Extract<ReviewEvent, { type: T }>;

function toCase(event: EventOf<'gov.case.completed' | 'civicflow.case.opened'>): Case {
  const d = event.data;
  // A case an approval opened has no staff member: the decision was the system's.
  const staffId = event.type === 'gov.case.completed' ? event.data.staffId : undefined;
  return {
    caseId: d.caseId,
    itemCode: d.itemCode,
    departmentCode: d.departmentCode,
    ...(staffId !== undefined ? { staffId } : {}),
    applicantId: d.applicantId,
    channel: d.channel,
    completedAt: new Date(d.completedAt).toISOString(),
    district: config().district.code,
    source: event.type === 'civicflow.case.opened' ? 'application' : 'external',
  };
}

function toReview(event: EventOf<'gov.review.submitted'>): Review {
  const d = event.data;
  return {
    reviewId: d.reviewId,
    caseId: d.caseId,
    itemCode: d.itemCode,
    departmentCode: d.departmentCode,
    ...(d.staffId !== undefined ? { staffId: d.staffId } : {}),
    channel: d.channel,
    level: d.level as ReviewLevel,
    ...(d.indicators !== undefined ? { indicators: d.indicators } : {}),
    ...(d.comment !== undefined ? { comment: d.comment } : {}),
    reviewerId: d.reviewerId,
    submittedAt: new Date(d.submittedAt).toISOString(),
    defaulted: false,
    event: { source: event.source, id: event.id, type: event.type },
  };
}

function count(name: string, dimensions: Record<string, string> = {}): void {
  if (Object.keys(dimensions).length === 0) {
    metrics.addMetric(name, MetricUnit.Count, 1);
    return;
  }
  const single = metrics.singleMetric();
  for (const [k, v] of Object.entries(dimensions)) single.addDimension(k, v);
  single.addMetric(name, MetricUnit.Count, 1);
}

async function handle(event: ReviewEvent, receiveCount: number): Promise<Outcome> {
  const now = nowIso();
  switch (event.type) {
    case 'gov.case.completed':
    case 'civicflow.case.opened': {
      const out = await completeCase(toCase(event), event.source, now, { source: event.source, id: event.id, type: event.type });
      afterCommit(() => {
        if (out.outcome === 'completed') count('CasesCompleted');
      });
      return out;
    }
    case 'gov.review.submitted': {
      const review = toReview(event);
      const out = await submitReview(review, now);
      afterCommit(() => {
        // Read by the saved query "every action on a rectification case"; no reviewer id, no comment.
        logger.info('review.submitted', {
          caseId: review.caseId,
          reviewId: review.reviewId,
          departmentCode: review.departmentCode,
          itemCode: review.itemCode,
          channel: review.channel,
          // `level` is the log level in Powertools' lines.
          reviewLevel: review.level,
          outcome: out.outcome,
          ...(out.code !== undefined ? { code: out.code, reason: out.reason } : {}),
        });
        if (out.outcome === 'accepted') {
          count('ReviewsReceived', { Level: String(out.level) });
          if ((out.level ?? 5) <= 2) count('BadReviews');
        } else if (out.outcome === 'rejected') count('ReviewsRejected');
        else if (out.outcome === 'parked') count('ReviewsParked');
      });
      return out;
    }
    case 'gov.rectification.updated': {
      const d = event.data;
      const out = await applyStep(
        d.caseId,
        {
          action: d.action,
          actor: { departmentCode: d.actor.departmentCode, staffId: d.actor.staffId },
          ...(d.note !== undefined ? { note: d.note } : {}),
          at: new Date(d.at).toISOString(),
          ...(d.satisfied !== undefined ? { satisfied: d.satisfied } : {}),
        },
        now,
        { receiveCount, event: { source: event.source, id: event.id, type: event.type } },
      );
      afterCommit(() => {
        logger.info('rectification.step', {
          caseId: d.caseId,
          action: d.action,
          actorDepartment: d.actor.departmentCode,
          actorStaff: d.actor.staffId,
          at: new Date(d.at).toISOString(),
          ...(d.satisfied !== undefined ? { satisfied: d.satisfied } : {}),
          outcome: out.outcome,
          ...(out.code !== undefined ? { code: out.code, reason: out.reason } : {}),
        });
        if (out.outcome === 'applied') count('RectificationSteps');
        else if (out.outcome === 'refused') count('RectificationStepsRefused');
      });
      return out;
    }
  }
}

/**
 * The records of a batch write together (shared/platform/group-commit.ts): metrics and log lines about an
 * outcome wait in `afterCommit` until its change is written, so a record redone after a conflict counts once.
 */
export const handler = sqsConsumer(
  async (event, record) => {
    const out = await handle(event, receiveCountOf(record));
    if (out.outcome === 'rejected' || out.outcome === 'refused') {
      logger.info('refused', { eventId: event.id, eventType: event.type, code: out.code, reason: out.reason });
    }
  },
  { parse, unitOfWork: reviewBatch },
);
