/**
 * A test stand-in for the handlers: keeps records in maps, applies what the pure functions return the
 * way a storage adapter would (state replaced, counters ADDed per row), so tests can compare the
 * counters with the reference figures from full state.
 */
import {
  addCounters,
  counterDeltas,
  emptyCounters,
  figuresFromCounters,
  rowId,
  type Dimension,
  type Figures,
  type Period,
} from '#review/figures';
import { planInvitations } from '#review/invitations';
import { applyAction, openRectification, overdueCheck, type ActionInput } from '#review/rectification';
import { acceptReview, invalidateReview, onCaseCompleted, type OpenRectificationEffect } from '#review/reviews';
import {
  DEFAULT_REVIEW_CONFIG,
  type Case,
  type CaseReviewState,
  type CounterName,
  type FigureDelta,
  type Rectification,
  type Review,
} from '#review/types';
import { calendar } from './fixtures';

export class Store {
  readonly states = new Map<string, CaseReviewState>();
  readonly parked = new Map<string, Map<string, Review>>();
  readonly rects = new Map<string, Rectification>();
  readonly counters = new Map<string, Record<CounterName, number>>();
  readonly log: string[] = [];

  private add(deltas: readonly FigureDelta[]): void {
    for (const delta of deltas) {
      for (const row of counterDeltas(delta)) {
        const id = rowId(row.dimension, row.key, row.period);
        addCounters(this.counters.get(id) ?? this.counters.set(id, emptyCounters()).get(id)!, row.add);
      }
    }
  }

  private open(effects: readonly OpenRectificationEffect[]): void {
    for (const effect of effects) {
      if (this.rects.has(effect.review.caseId)) continue; // put with attribute_not_exists
      const { rectification } = openRectification(effect.review, effect.subject, calendar, DEFAULT_REVIEW_CONFIG);
      this.rects.set(rectification.caseId, rectification);
    }
  }

  completeCase(kase: Case): void {
    const parked = [...(this.parked.get(kase.caseId)?.values() ?? [])];
    const result = onCaseCompleted(kase, parked, calendar, this.states.get(kase.caseId));
    this.log.push(`case ${kase.caseId}: ${result.outcome}`);
    if (result.outcome !== 'completed') return;
    this.states.set(kase.caseId, result.next);
    this.parked.delete(kase.caseId);
    this.add(result.figureDeltas);
    this.open(result.effects);
  }

  submitReview(review: Review): void {
    const result = acceptReview(this.states.get(review.caseId), review);
    this.log.push(`review ${review.reviewId}: ${result.outcome}`);
    if (result.outcome === 'parked') {
      const byId = this.parked.get(review.caseId) ?? new Map<string, Review>();
      byId.set(review.reviewId, review);
      this.parked.set(review.caseId, byId);
    } else if (result.outcome === 'accepted') {
      this.states.set(review.caseId, result.next);
      this.add(result.figureDeltas);
      this.open(result.effects);
    }
  }

  tick(now: string): void {
    for (const [caseId, state] of this.states) {
      const plan = planInvitations(state, now, DEFAULT_REVIEW_CONFIG);
      if (plan.actions.length === 0) continue;
      this.states.set(caseId, plan.next);
      this.add(plan.figureDeltas);
    }
    for (const [caseId, rect] of this.rects) {
      const check = overdueCheck(rect, now);
      if (check.flagged.length === 0) continue;
      this.rects.set(caseId, check.next);
      this.add(check.figureDeltas);
    }
  }

  rectify(caseId: string, input: ActionInput): boolean {
    const rect = this.rects.get(caseId);
    if (!rect) return false;
    const result = applyAction(rect, input, calendar, DEFAULT_REVIEW_CONFIG);
    this.log.push(`rect ${caseId} ${input.action}: ${result.ok ? (result.duplicate ? 'duplicate' : 'ok') : result.code}`);
    if (!result.ok || result.duplicate) return result.ok;
    this.rects.set(caseId, result.next);
    this.add(result.figureDeltas);
    for (const effect of result.effects) {
      const next = invalidateReview(this.states.get(effect.caseId)!, effect.reviewId);
      if (next) this.states.set(effect.caseId, next);
    }
    return true;
  }

  cases(): Case[] {
    return [...this.states.values()].map((s) => s.case);
  }
  reviews(): Review[] {
    return [...this.states.values()].flatMap((s) => (s.review ? [s.review] : []));
  }
  rectifications(): Rectification[] {
    return [...this.rects.values()];
  }

  figuresFromCounters(dimension: Dimension, key: string, period: Period): Figures | undefined {
    const counters = this.counters.get(rowId(dimension, key, period));
    return counters && figuresFromCounters(counters);
  }
}
