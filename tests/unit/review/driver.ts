/**
 * Drives the review use cases (shared/review/service.ts) over in-memory ports the way the consumer and the
 * schedule (shared/review/schedule.ts) would, keeping a log of what each call came to, so figure tests can compare the counters the
 * use cases stored with the reference figures computed from full state.
 */
import type { ActionInput } from '#review/domain/rectification';
import type { Case, CaseReviewState, Rectification, Review } from '#review/domain/types';
import type { Dimension, Figures, Period } from '#review/domain/figures';
import { runSchedule } from '#review/schedule';
import { createReviewService, OUT_OF_ORDER_RECEIVES, type ReviewService } from '#review/service';
import { memoryReview, type MemoryReview } from '#support/memory/review';

export class ReviewDriver {
  readonly memory: MemoryReview = memoryReview();
  readonly service: ReviewService = createReviewService(this.memory.ports);
  readonly log: string[] = [];

  async completeCase(kase: Case): Promise<void> {
    const out = await this.service.completeCase(kase, { source: '/test/departments', id: `done-${kase.caseId}`, type: 'gov.case.completed' });
    this.log.push(`case ${kase.caseId}: ${out.outcome}`);
  }

  async submitReview(review: Review): Promise<void> {
    const out = await this.service.submitReview(review);
    this.log.push(`review ${review.reviewId}: ${out.outcome}`);
  }

  /** The schedule at `now`: invitations, reminders, defaults and overdue flags that are due. */
  async tick(now: string): Promise<void> {
    this.memory.setNow(now);
    await runSchedule(this.memory.ports);
  }

  /**
   * A rectification step, on the last receive the consumer waits for (a step that may be early is refused at
   * once: RECTIFICATION_UNKNOWN when the case has no rectification); false when it was refused.
   */
  async rectify(caseId: string, input: ActionInput): Promise<boolean> {
    const out = await this.service.applyStep({ caseId, input }, { receiveCount: OUT_OF_ORDER_RECEIVES });
    const said = out.outcome === 'applied' ? 'ok' : out.outcome === 'refused' ? out.code : out.outcome;
    this.log.push(`rect ${caseId} ${input.action}: ${said}`);
    return out.outcome !== 'refused';
  }

  state(caseId: string): CaseReviewState | undefined {
    return this.memory.store.cases.get(caseId)?.state;
  }
  private states(): CaseReviewState[] {
    return [...this.memory.store.cases.values()].flatMap((item) => (item.state ? [item.state] : []));
  }
  cases(): Case[] {
    return this.states().map((s) => s.case);
  }
  reviews(): Review[] {
    return this.states().flatMap((s) => (s.review ? [s.review] : []));
  }
  rectifications(): Rectification[] {
    return [...this.memory.store.rects.values()].map((item) => item.rect);
  }
  figures(dimension: Dimension, key: string, period: Period): Figures | undefined {
    return this.memory.store.figures(dimension, key, period);
  }
}
