/**
 * The review use cases (shared/review/service.ts, schedule.ts) over in-memory ports (tests/support/memory/review.ts):
 * what each event writes, publishes, answers and counts; refusals and redeliveries; steps that come too
 * early; the outbox after a failed publish; the group commit of a consumer's batch; and the schedule.
 */
import type { EventRef } from '#platform/receipts';
import type { ActionInput } from '#review/domain/rectification';
import { DEFAULT_REVIEW_CONFIG, type Case, type Review } from '#review/domain/types';
import { runSchedule, SCHEDULE_TIME_RESERVE_MS } from '#review/schedule';
import { loadedCaseIds } from '#review/inbound';
import { createReviewService, OUT_OF_ORDER_RECEIVES, StepBeforeRectification, StepOutOfOrder, type ReviewService } from '#review/service';
import { memoryReview, type MemoryReview } from '#support/memory/review';
import { makeCase, makeReview } from './fixtures';

const SEPT = { granularity: 'month', value: '2026-09' } as const;
const OWNER = { departmentCode: 'D-QX', staffId: 'S9' };
let serial = 0;
const ref = (type: string): EventRef => ({ source: '/systems/test', id: `ev-${++serial}`, type });
const withEvent = (review: Review): Review => ({ ...review, event: ref('gov.review.submitted') });
const step = (caseId: string, action: string, at: string, extra: Partial<ActionInput> = {}) => ({
  caseId,
  input: { action, actor: OWNER, at, ...extra },
  event: ref('gov.rectification.updated'),
});

let m: MemoryReview;
let reviews: ReviewService;
beforeEach(() => {
  m = memoryReview({ now: '2026-09-10T02:05:00.000Z', district: 'DIST-STAGE' });
  reviews = createReviewService(m.ports);
});

const completed = (kase: Case = makeCase()) => reviews.completeCase(kase, ref('gov.case.completed'));

describe('completeCase', () => {
  it('records the case once, with its counters, audit line and receipt, and counts it', async () => {
    const cause = ref('gov.case.completed');
    const { district: _none, ...withoutDistrict } = makeCase();
    expect(await reviews.completeCase(withoutDistrict, cause)).toEqual({ outcome: 'completed' });
    const state = m.store.cases.get('C1')?.state;
    // A case that names no district is the stage's.
    expect(state?.case.district).toBe('DIST-STAGE');
    expect(m.store.figures('department', 'D-QX', SEPT)?.completedCases).toBe(1);
    expect([...m.store.audits.values()].map((a) => a.action)).toEqual(['case:completed']);
    expect(m.store.receipts.get(`${cause.source}#${cause.id}`)).toMatchObject({ outcome: 'applied', effect: { resource: 'case', id: 'C1', state: 'completed' } });
    expect(m.metrics.total('CasesCompleted')).toBe(1);

    const again = ref('gov.case.completed');
    expect(await reviews.completeCase(withoutDistrict, again)).toEqual({ outcome: 'duplicate' });
    expect(m.store.figures('department', 'D-QX', SEPT)?.completedCases).toBe(1);
    expect(m.store.receipts.get(`${again.source}#${again.id}`)).toMatchObject({ outcome: 'noEffect', kind: 'DUPLICATE' });
    expect(m.metrics.total('CasesCompleted')).toBe(1);
  });

  it('gives no receipt to a case an approval opened (an internal event)', async () => {
    await reviews.completeCase(makeCase({ source: 'application' }), ref('civicflow.case.opened'));
    expect(m.store.receipts.size).toBe(0);
    expect(m.store.cases.get('C1')?.state?.case.source).toBe('application');
  });

  it('applies a review parked before its case, and moves its receipt on from PARKED', async () => {
    const review = withEvent(makeReview(makeCase(), 5));
    expect(await reviews.submitReview(review)).toEqual({ outcome: 'parked' });
    const receiptId = `${review.event!.source}#${review.event!.id}`;
    expect(m.store.receipts.get(receiptId)).toMatchObject({ outcome: 'pending', kind: 'PARKED' });
    expect(m.metrics.total('ReviewsParked')).toBe(1);
    expect(await reviews.submitReview(review)).toEqual({ outcome: 'duplicate' });

    await completed();
    expect(m.store.cases.get('C1')).toMatchObject({ parked: [], state: { review: { reviewId: 'R-C1' } } });
    expect(m.store.receipts.get(receiptId)).toMatchObject({ outcome: 'applied', effect: { state: 'reviewed' }, details: { reviewId: 'R-C1', level: 5 } });
    expect(m.store.figures('department', 'D-QX', SEPT)).toMatchObject({ completedCases: 1, realReviews: 1, points: 10 });
  });
});

describe('reviews parked before their case, on the dashboard', () => {
  it('counts the parked reviews when the case arrives: the one applied by level (a 差评 as bad), the one refused as rejected', async () => {
    const first = withEvent(makeReview(makeCase(), 1, { submittedAt: '2026-09-10T03:00:00.000Z' }));
    const second = withEvent(makeReview(makeCase(), 4, { reviewId: 'R-second', submittedAt: '2026-09-10T04:00:00.000Z' }));
    await reviews.submitReview(second);
    await reviews.submitReview(first);
    expect(m.metrics.total('ReviewsParked')).toBe(2);
    expect(m.metrics.singles).toEqual([]);

    await completed();
    // The earliest is kept (a 差评), the other refused as a second review: each counted as it became.
    expect(m.store.cases.get('C1')?.state?.review?.reviewId).toBe('R-C1');
    expect(m.metrics.singles).toEqual([{ dimensions: { Level: '1' }, values: [{ name: 'ReviewsReceived', unit: 'Count', value: 1 }] }]);
    expect(m.metrics.total('BadReviews')).toBe(1);
    expect(m.metrics.total('ReviewsRejected')).toBe(1);
    expect(m.log.messages('refused')).toEqual([
      { eventId: second.event!.id, eventType: 'gov.review.submitted', code: 'DUPLICATE_REVIEW', reason: expect.stringContaining('一事一评') },
    ]);

    // The case again (a redelivery) counts nothing again.
    await completed();
    expect(m.metrics.total('BadReviews')).toBe(1);
    expect(m.metrics.total('ReviewsRejected')).toBe(1);
    expect(m.metrics.singles).toHaveLength(1);
  });
});

describe('a review sent again under its id with other content', () => {
  it('is refused with its reason and receipt, not answered as a duplicate, whether its case is known or not', async () => {
    // Parked: the case is not known yet.
    const parked = withEvent(makeReview(makeCase(), 5));
    await reviews.submitReview(parked);
    const changed = withEvent(makeReview(makeCase(), 1));
    const reason = 'review R-C1 of case C1 was recorded before with other content; one review per case (一事一评), the first is kept';
    expect(await reviews.submitReview(changed)).toEqual({ outcome: 'rejected', code: 'DUPLICATE_REVIEW', reason });
    expect(m.store.receipts.get(`${changed.event!.source}#${changed.event!.id}`)).toMatchObject({ outcome: 'refused', kind: 'DUPLICATE_REVIEW', reason });
    expect(m.store.cases.get('C1')?.parked.map((r) => r.level)).toEqual([5]);

    // Applied once the case arrives; the changed one again, now against the recorded review.
    await completed();
    expect(m.store.cases.get('C1')?.state?.review?.level).toBe(5);
    const again = withEvent(makeReview(makeCase(), 1));
    expect(await reviews.submitReview(again)).toMatchObject({ outcome: 'rejected', code: 'DUPLICATE_REVIEW', reason });
    expect(m.store.receipts.get(`${again.event!.source}#${again.event!.id}`)).toMatchObject({ outcome: 'refused', kind: 'DUPLICATE_REVIEW' });
    expect(m.store.rects.get('C1')).toBeUndefined();
    expect(m.store.figures('department', 'D-QX', SEPT)).toMatchObject({ realReviews: 1, negative: 0, points: 10 });
  });
});

describe('12345 work orders', () => {
  it('forwards a 差评 as one work order in the same change where the stage says so, and only then', async () => {
    const forwarding = memoryReview({ now: '2026-09-10T02:05:00.000Z', config: { ...DEFAULT_REVIEW_CONFIG, forwardWorkOrders: true } });
    const service = createReviewService(forwarding.ports);
    await service.completeCase(makeCase(), ref('gov.case.completed'));
    await service.submitReview(withEvent(makeReview(makeCase(), 1)));
    expect(forwarding.outbound.published.map((e) => e.type)).toEqual(['gov.rectification.opened', 'gov.workorder.forwarded']);
    expect(forwarding.outbound.published[1]).toMatchObject({ subject: 'C1', data: { orderNo: 'HCP-C1', caseId: 'C1', reviewId: 'R-C1', departmentCode: 'D-QX', level: 1 } });

    // A redelivered 差评 forwards nothing again; a good review forwards nothing; the default stage forwards nothing.
    await service.submitReview(withEvent(makeReview(makeCase(), 1)));
    expect(forwarding.outbound.published.filter((e) => e.type === 'gov.workorder.forwarded')).toHaveLength(1);
    await service.completeCase(makeCase({ caseId: 'C2' }), ref('gov.case.completed'));
    await service.submitReview(withEvent(makeReview(makeCase({ caseId: 'C2' }), 5)));
    expect(forwarding.outbound.published.filter((e) => e.type === 'gov.workorder.forwarded')).toHaveLength(1);

    await completed();
    await reviews.submitReview(withEvent(makeReview(makeCase(), 1)));
    expect(m.outbound.published.map((e) => e.type)).toEqual(['gov.rectification.opened']);
  });
});

describe('submitReview', () => {
  it('opens the rectification of a 差评, publishes its opening, clears the outbox and counts a bad review', async () => {
    await completed();
    const review = withEvent(makeReview(makeCase(), 1));
    expect(await reviews.submitReview(review)).toEqual({ outcome: 'accepted', level: 1 });
    expect(m.store.rects.get('C1')?.rect).toMatchObject({ state: 'OPEN', reviewId: 'R-C1', departmentCode: 'D-QX' });
    expect(m.outbound.published.map((e) => e.type)).toEqual(['gov.rectification.opened']);
    expect(m.outbound.published[0]).toMatchObject({ id: 'gov.rectification.opened:C1', subject: 'C1', time: '2026-09-10T02:05:00.000Z' });
    expect(m.store.outboxes.get('C1')?.size).toBe(0);
    expect(m.metrics.singles).toEqual([{ dimensions: { Level: '1' }, values: [{ name: 'ReviewsReceived', unit: 'Count', value: 1 }] }]);
    expect(m.metrics.total('BadReviews')).toBe(1);
    expect(m.log.messages('review.submitted')).toEqual([
      expect.objectContaining({ caseId: 'C1', reviewId: 'R-C1', reviewLevel: 1, outcome: 'accepted' }),
    ]);
    // No reviewer id and no comment in the log line.
    expect(JSON.stringify(m.log.lines)).not.toContain(review.reviewerId);
  });

  it('refuses a second real review with its reason, once, and gives each event its receipt', async () => {
    await completed();
    await reviews.submitReview(makeReview(makeCase(), 4));
    const second = withEvent(makeReview(makeCase(), 1, { reviewId: 'R-other' }));
    expect(await reviews.submitReview(second)).toMatchObject({ outcome: 'rejected', code: 'DUPLICATE_REVIEW' });
    const resent = { ...second, event: ref('gov.review.submitted') };
    expect(await reviews.submitReview(resent)).toMatchObject({ outcome: 'rejected', code: 'DUPLICATE_REVIEW' });
    expect([...m.store.rejections.values()]).toEqual([expect.objectContaining({ kind: 'review', ref: 'R-other', code: 'DUPLICATE_REVIEW' })]);
    for (const r of [second, resent]) {
      expect(m.store.receipts.get(`${r.event!.source}#${r.event!.id}`)).toMatchObject({ outcome: 'refused', kind: 'DUPLICATE_REVIEW' });
    }
    // Counted once, when the refusal was first recorded; each event is still answered and logged.
    expect(m.metrics.total('ReviewsRejected')).toBe(1);
    expect(m.log.messages('refused')).toEqual([
      { eventId: second.event!.id, eventType: 'gov.review.submitted', code: 'DUPLICATE_REVIEW', reason: expect.stringContaining('一事一评') },
      { eventId: resent.event!.id, eventType: 'gov.review.submitted', code: 'DUPLICATE_REVIEW', reason: expect.stringContaining('一事一评') },
    ]);
    expect(m.store.figures('department', 'D-QX', SEPT)?.realReviews).toBe(1);
  });

  it('keeps on a refused review the source that posted it, whether refused at once or when its case arrives', async () => {
    const from = (source: string, review: Review): Review => ({ ...review, event: { source, id: `${source}-${++serial}`, type: 'gov.review.submitted' } });
    // Parked before its case by one channel, a second review of the same case by another: refused when the case arrives.
    const kept = from('/systems/review-channel', makeReview(makeCase(), 4, { submittedAt: '2026-09-10T03:00:00.000Z' }));
    const parkedSecond = from('/systems/online-portal', makeReview(makeCase(), 2, { reviewId: 'R-portal', submittedAt: '2026-09-10T04:00:00.000Z' }));
    await reviews.submitReview(kept);
    await reviews.submitReview(parkedSecond);
    await completed();
    // A third, after the case: refused at once.
    const late = from('/systems/review-channel', makeReview(makeCase(), 1, { reviewId: 'R-late' }));
    expect(await reviews.submitReview(late)).toMatchObject({ outcome: 'rejected', code: 'DUPLICATE_REVIEW' });
    expect([...m.store.rejections.values()].map((r) => [r.kind, r.ref, r.source, r.details.parked ?? false])).toEqual([
      ['review', 'R-portal', '/systems/online-portal', true],
      ['review', 'R-late', '/systems/review-channel', false],
    ]);
  });

  it('names on a refused review’s audit line the source that posted it, besides its channel', async () => {
    const from = (source: string, review: Review): Review => ({ ...review, event: { source, id: `${source}-${++serial}`, type: 'gov.review.submitted' } });
    await reviews.submitReview(from('/systems/review-channel', makeReview(makeCase(), 4)));
    await reviews.submitReview(from('/systems/online-portal', makeReview(makeCase(), 2, { reviewId: 'R-portal', submittedAt: '2026-09-11T03:00:00.000Z' })));
    await completed();
    await reviews.submitReview(from('/systems/review-channel', makeReview(makeCase(), 1, { reviewId: 'R-late', channel: '12345' })));
    const refused = [...m.store.audits.values()].filter((a) => a.action === 'review:rejected');
    expect(refused.map((a) => [a.subject, a.causeId, a.actor, a.details?.source])).toEqual([
      ['case:C1', 'R-portal', 'system', '/systems/online-portal'],
      ['case:C1', 'R-late', '12345', '/systems/review-channel'],
    ]);
  });
});

describe('the audit lines of accepted changes', () => {
  const from = <T extends object>(source: string, type: string, what: T): T & { event: EventRef } => ({ ...what, event: { source, id: `${source}-${++serial}`, type } });
  const lines = () => [...m.store.audits.values()].map((a) => [a.subject, a.action, a.actor, a.details?.source]);

  it('name the system that posted the review and each step, besides the channel or staff member they name; the schedule’s lines none', async () => {
    await reviews.completeCase(makeCase(), { source: '/systems/case-system', id: `case-${++serial}`, type: 'gov.case.completed' });
    await reviews.submitReview(from('/systems/review-channel', 'gov.review.submitted', makeReview(makeCase(), 2)));
    // The department acknowledges late (the deadline was Mon 09-14): the flag the step raises is its doing too.
    await reviews.applyStep(from('/systems/department', 'gov.rectification.updated', step('C1', 'acknowledge', '2026-09-15T02:00:00.000Z')));
    // The schedule flags the rectification deadline (Fri 09-18) itself: its line names no source.
    m.setNow('2026-09-19T03:00:00.000Z');
    await runSchedule(m.ports);
    // The 12345 hotline posts the next step in the department's name; redelivered, it writes no second line.
    const rectify = from('/systems/hotline-12345', 'gov.rectification.updated', step('C1', 'rectify', '2026-09-19T03:00:00.000Z'));
    await reviews.applyStep(rectify);
    await reviews.applyStep(rectify);
    expect(lines()).toEqual([
      ['case:C1', 'case:completed', '/systems/case-system', '/systems/case-system'],
      ['case:C1', 'review:accepted', '政务服务网', '/systems/review-channel'],
      ['rectification:C1', 'state:none->OPEN', expect.any(String), '/systems/review-channel'],
      ['rectification:C1', expect.stringMatching(/^overdue:acknowledge/), expect.any(String), '/systems/department'],
      ['rectification:C1', 'state:OPEN->IN_PROGRESS', 'D-QX/S9', '/systems/department'],
      ['rectification:C1', expect.stringMatching(/^overdue:rectif/), expect.any(String), undefined],
      ['rectification:C1', 'state:IN_PROGRESS->RECTIFIED', 'D-QX/S9', '/systems/hotline-12345'],
    ]);
  });

  it('name the review channel that posted a parked review, when it is parked and when its case arrives', async () => {
    await reviews.submitReview(from('/systems/review-channel', 'gov.review.submitted', makeReview(makeCase(), 1)));
    await reviews.completeCase(makeCase(), { source: '/systems/case-system', id: `case-${++serial}`, type: 'gov.case.completed' });
    expect(lines()).toEqual([
      ['case:C1', 'review:parked', '政务服务网', '/systems/review-channel'],
      ['case:C1', 'case:completed', '/systems/case-system', '/systems/case-system'],
      // Applied when the case arrived, the review and the rectification it opens are the review channel's doing.
      ['case:C1', 'review:accepted', '政务服务网', '/systems/review-channel'],
      ['rectification:C1', 'state:none->OPEN', expect.any(String), '/systems/review-channel'],
    ]);
  });

  it('name no source for a case an approval opened (an internal event)', async () => {
    await reviews.completeCase(makeCase({ source: 'application' }), ref('civicflow.case.opened'));
    await reviews.submitReview(from('/systems/review-channel', 'gov.review.submitted', makeReview(makeCase(), 4)));
    expect(lines()).toEqual([
      ['case:C1', 'case:completed', '/systems/test', undefined],
      ['case:C1', 'review:accepted', '政务服务网', '/systems/review-channel'],
    ]);
  });
});

describe('applyStep', () => {
  async function badReview(): Promise<void> {
    await completed();
    await reviews.submitReview(makeReview(makeCase(), 2));
  }

  it('is retried (thrown) before the case has a 差评, and refused when its review is not one', async () => {
    await expect(reviews.applyStep(step('C1', 'acknowledge', '2026-09-11T03:00:00.000Z'), { receiveCount: 1 })).rejects.toBeInstanceOf(StepBeforeRectification);
    await completed();
    await reviews.submitReview(makeReview(makeCase(), 5));
    const s = step('C1', 'acknowledge', '2026-09-11T03:00:00.000Z');
    expect(await reviews.applyStep(s)).toMatchObject({ outcome: 'refused', code: 'NO_RECTIFICATION' });
    expect(m.store.receipts.get(`${s.event.source}#${s.event.id}`)).toMatchObject({ outcome: 'refused', kind: 'NO_RECTIFICATION' });
    expect(m.metrics.total('RectificationStepsRefused')).toBe(1);
  });

  it('counts a refused step once, however often it is redelivered', async () => {
    await badReview();
    // Not allowed in OPEN and in no state the case can reach: refused at once.
    const forbidden = step('C1', 'close', '2026-09-11T03:00:00.000Z');
    expect(await reviews.applyStep(forbidden)).toMatchObject({ outcome: 'refused', code: 'ACTION_NOT_ALLOWED' });
    for (const receiveCount of [OUT_OF_ORDER_RECEIVES + 1, OUT_OF_ORDER_RECEIVES + 2]) {
      expect(await reviews.applyStep(forbidden, { receiveCount })).toMatchObject({ outcome: 'refused', code: 'ACTION_NOT_ALLOWED', recordedBefore: true });
    }
    // The same step under another event id (a system that posts it again): the first refusal stands.
    expect(await reviews.applyStep({ ...forbidden, event: ref('gov.rectification.updated') })).toMatchObject({ outcome: 'refused', recordedBefore: true });
    expect(m.store.rejections.size).toBe(1);
    expect(m.metrics.total('RectificationStepsRefused')).toBe(1);
    // Each delivery is still logged with its outcome.
    expect(m.log.messages('rectification.step').filter((l) => l.outcome === 'refused')).toHaveLength(4);
  });

  it('keeps on a refused step the source that posted it, for the routes to show each source its own', async () => {
    await badReview();
    const fromHotline = { ...step('C1', 'close', '2026-09-11T03:00:00.000Z'), event: { source: '/systems/hotline-12345', id: `wo-${++serial}`, type: 'gov.rectification.updated' } };
    const fromDepartment = { ...step('C1', 'returnVisit', '2026-09-11T04:00:00.000Z'), event: { source: '/systems/department', id: `d-${++serial}`, type: 'gov.rectification.updated' } };
    expect(await reviews.applyStep(fromHotline)).toMatchObject({ outcome: 'refused', code: 'ACTION_NOT_ALLOWED' });
    expect(await reviews.applyStep(fromDepartment)).toMatchObject({ outcome: 'refused', code: 'ACTION_NOT_ALLOWED' });
    expect([...m.store.rejections.values()].map((r) => [r.details.action, r.source])).toEqual([
      ['close', '/systems/hotline-12345'],
      ['returnVisit', '/systems/department'],
    ]);
  });

  it('names on a refused step’s audit line the system that posted it, besides the department and staff member the step names', async () => {
    await badReview();
    const fromHotline = { ...step('C1', 'close', '2026-09-11T03:00:00.000Z'), event: { source: '/systems/hotline-12345', id: `wo-${++serial}`, type: 'gov.rectification.updated' } };
    const fromDepartment = { ...step('C1', 'returnVisit', '2026-09-11T04:00:00.000Z'), event: { source: '/systems/department', id: `d-${++serial}`, type: 'gov.rectification.updated' } };
    await reviews.applyStep(fromHotline);
    await reviews.applyStep(fromDepartment);
    const refused = [...m.store.audits.values()].filter((a) => a.action.startsWith('refused:'));
    expect(refused.map((a) => [a.subject, a.action, a.actor, a.details?.source])).toEqual([
      ['rectification:C1', 'refused:close', 'D-QX/S9', '/systems/hotline-12345'],
      ['rectification:C1', 'refused:returnVisit', 'D-QX/S9', '/systems/department'],
    ]);
  });

  it('waits a few receives for a 差评 still on its way, then refuses a step for a case with none as RECTIFICATION_UNKNOWN', async () => {
    // A 12345 work order's outcome naming a case the review service does not know.
    const hotline = (caseId: string) => ({ ...step(caseId, 'acknowledge', '2026-09-11T03:00:00.000Z'), event: { source: '/systems/hotline-12345', id: `wo-${++serial}`, type: 'gov.rectification.updated' } });
    const unknown = hotline('C-404');
    for (let receive = 1; receive < OUT_OF_ORDER_RECEIVES; receive++) {
      await expect(reviews.applyStep(unknown, { receiveCount: receive })).rejects.toBeInstanceOf(StepBeforeRectification);
    }
    expect([m.store.rejections.size, m.store.receipts.size, m.store.audits.size]).toEqual([0, 0, 0]);

    expect(await reviews.applyStep(unknown, { receiveCount: OUT_OF_ORDER_RECEIVES })).toMatchObject({ outcome: 'refused', code: 'RECTIFICATION_UNKNOWN' });
    const receiptId = `${unknown.event.source}#${unknown.event.id}`;
    const receipt = m.store.receipts.get(receiptId);
    expect(receipt).toMatchObject({
      outcome: 'refused',
      kind: 'RECTIFICATION_UNKNOWN',
      reason: expect.stringContaining('no such case is known'),
      effect: { resource: 'rectification', id: 'C-404' },
      details: { action: 'acknowledge', caseKnown: false },
    });
    expect([...m.store.rejections.values()]).toEqual([expect.objectContaining({ kind: 'step', code: 'RECTIFICATION_UNKNOWN', at: '2026-09-11T03:00:00.000Z' })]);
    expect([...m.store.audits.values()].map((a) => [a.subject, a.action])).toEqual([['rectification:C-404', 'refused:acknowledge']]);
    // Nothing else changed: no case, no rectification, no figures, nothing published.
    expect([m.store.cases.has('C-404'), m.store.rects.has('C-404'), m.store.counters.size, m.outbound.published.length]).toEqual([false, false, 0, 0]);
    expect(m.metrics.total('RectificationStepsRefused')).toBe(1);

    // A redelivery after the refusal (the message's last receives) records nothing more: the first receipt stands.
    m.setNow('2026-09-10T03:00:00.000Z');
    expect(await reviews.applyStep(unknown, { receiveCount: OUT_OF_ORDER_RECEIVES + 1 })).toMatchObject({ outcome: 'refused', code: 'RECTIFICATION_UNKNOWN' });
    expect(m.store.receipts.get(receiptId)).toEqual(receipt);
    expect([m.store.rejections.size, m.store.audits.size, m.store.receipts.size]).toEqual([1, 1, 1]);
    expect(m.metrics.total('RectificationStepsRefused')).toBe(1);

    // A case completed but never given a 差评: the same, and its record is left as it was.
    await completed();
    const before = structuredClone(m.store.cases.get('C1'));
    const noBadReview = hotline('C1');
    await expect(reviews.applyStep(noBadReview, { receiveCount: 1 })).rejects.toBeInstanceOf(StepBeforeRectification);
    expect(await reviews.applyStep(noBadReview, { receiveCount: OUT_OF_ORDER_RECEIVES })).toMatchObject({ outcome: 'refused', code: 'RECTIFICATION_UNKNOWN' });
    expect(m.store.receipts.get(`${noBadReview.event.source}#${noBadReview.event.id}`)).toMatchObject({ kind: 'RECTIFICATION_UNKNOWN', details: { caseKnown: true } });
    expect(m.store.cases.get('C1')).toEqual(before);
    expect(m.store.rects.has('C1')).toBe(false);

    // The refusal does not stand in the way of the step sent again once the 差评 is there.
    await reviews.submitReview(makeReview(makeCase(), 2));
    expect(await reviews.applyStep(hotline('C1'), { receiveCount: 1 })).toEqual({ outcome: 'applied' });
    expect(m.store.rects.get('C1')?.rect.state).toBe('IN_PROGRESS');
  });

  it('retries a step that may have overtaken the one it depends on, then refuses it on the last receive', async () => {
    await badReview();
    const early = step('C1', 'rectify', '2026-09-11T04:00:00.000Z');
    for (let receive = 1; receive < OUT_OF_ORDER_RECEIVES; receive++) {
      await expect(reviews.applyStep(early, { receiveCount: receive })).rejects.toBeInstanceOf(StepOutOfOrder);
    }
    expect(m.store.rejections.size).toBe(0);
    expect(await reviews.applyStep(early, { receiveCount: OUT_OF_ORDER_RECEIVES })).toMatchObject({ outcome: 'refused', code: 'ACTION_NOT_ALLOWED' });
    expect([...m.store.rejections.values()][0]).toMatchObject({ kind: 'step', details: { action: 'rectify', state: 'OPEN', allowedActions: ['acknowledge', 'claimInvalid'] } });
    // Allowed in no state the case can still reach: refused at the first receive.
    await reviews.applyStep(step('C1', 'acknowledge', '2026-09-11T05:00:00.000Z'));
    expect(await reviews.applyStep(step('C1', 'acknowledge', '2026-09-11T06:00:00.000Z'), { receiveCount: 1 })).toMatchObject({ outcome: 'refused' });
  });

  it('applies a step once: its event, counters and receipt; a redelivery changes and publishes nothing', async () => {
    await badReview();
    await reviews.applyStep(step('C1', 'acknowledge', '2026-09-11T03:00:00.000Z'));
    const rectify = step('C1', 'rectify', '2026-09-12T03:00:00.000Z');
    expect(await reviews.applyStep(rectify)).toEqual({ outcome: 'applied' });
    expect(m.outbound.published.map((e) => e.id)).toEqual([
      'gov.rectification.opened:C1',
      'gov.rectification.acknowledged:C1|acknowledge|2026-09-11T03:00:00.000Z',
      'gov.rectification.rectified:C1|rectify|2026-09-12T03:00:00.000Z',
    ]);
    expect(m.store.receipts.get(`${rectify.event.source}#${rectify.event.id}`)).toMatchObject({ outcome: 'applied', effect: { resource: 'rectification', state: 'RECTIFIED' } });
    const again = { ...rectify, event: ref('gov.rectification.updated') };
    expect(await reviews.applyStep(again)).toEqual({ outcome: 'duplicate' });
    expect(m.outbound.published).toHaveLength(3);
    expect(m.store.figures('department', 'D-QX', SEPT)?.rectified).toBe(1);
    expect(m.metrics.total('RectificationSteps')).toBe(2);
    expect(m.log.messages('rectification.step').map((l) => l.outcome)).toEqual(['applied', 'applied', 'duplicate']);
  });

  it('marks the case record when the 差评 is approved invalid', async () => {
    await badReview();
    await reviews.applyStep(step('C1', 'claimInvalid', '2026-09-11T03:00:00.000Z'));
    await reviews.applyStep(step('C1', 'approveInvalid', '2026-09-11T04:00:00.000Z'));
    expect(m.store.cases.get('C1')?.state?.invalidated).toBe(true);
    expect(m.store.figures('department', 'D-QX', SEPT)).toMatchObject({ realReviews: 0, invalidated: 1 });
  });
});

describe('overdue flags raised by a late step', () => {
  // A 差评 on Fri 09-11: acknowledgement due by the end of Mon 09-14 (Shanghai), rectification by Fri 09-18.
  const LATE_ACK = '2026-09-15T02:00:00.000Z';
  async function badReview(caseId = 'C1', applicantId = 'P1'): Promise<void> {
    await completed(makeCase({ caseId, applicantId }));
    await reviews.submitReview(makeReview(makeCase({ caseId, applicantId }), 2));
  }

  it('counts each flag for the overdue alarm and logs it as the schedule does, once under redelivery', async () => {
    await badReview();
    const late = step('C1', 'acknowledge', LATE_ACK);
    // No schedule ran since the deadline: the step itself finds the case overdue as of its moment.
    expect(await reviews.applyStep(late)).toMatchObject({ outcome: 'applied', overdue: { kinds: ['acknowledge'] } });
    expect(m.metrics.total('OverdueRectifications')).toBe(1);
    const line = { caseId: 'C1', reviewId: 'R-C1', departmentCode: 'D-QX', itemCode: 'ITEM-QX-01', reviewLevel: 2, kinds: ['acknowledge'], flagChange: 1, state: 'OPEN', at: LATE_ACK };
    expect(m.log.messages('rectification.overdue')).toEqual([line]);
    expect(m.store.figures('department', 'D-QX', SEPT)).toMatchObject({ overdue: 1, overdueAcknowledge: 1 });

    // The same step again, under its event id or another: a duplicate, neither counted nor logged again.
    expect(await reviews.applyStep(late)).toEqual({ outcome: 'duplicate' });
    expect(await reviews.applyStep({ ...late, event: ref('gov.rectification.updated') })).toEqual({ outcome: 'duplicate' });
    // The schedule, later, finds the flag raised: nothing more.
    m.setNow('2026-09-16T03:00:00.000Z');
    expect(await runSchedule(m.ports)).toMatchObject({ overdue: 0 });
    expect(m.metrics.total('OverdueRectifications')).toBe(1);
    expect(m.log.messages('rectification.overdue')).toHaveLength(1);

    // The schedule's line for another case has the same fields.
    await badReview('C2', 'P2');
    m.setNow('2026-09-19T03:00:00.000Z');
    expect(await runSchedule(m.ports)).toMatchObject({ overdue: 3 });
    const scheduled = m.log.messages('rectification.overdue').filter((l) => l.caseId === 'C2');
    expect(scheduled.map((l) => Object.keys(l).sort())).toEqual([Object.keys(line).sort()]);
    // C1 acknowledged late but not rectified by 09-18: the schedule flags its rectification (1), C2 both kinds (2).
    expect(m.metrics.total('OverdueRectifications')).toBe(4);
  });

  it('counts a step redone after a lost race once: the flag the schedule raised meanwhile is not raised again', async () => {
    await badReview();
    const unit = reviews.unitOfWork();
    await unit.run('m1', async () => void (await reviews.applyStep(step('C1', 'acknowledge', LATE_ACK))));
    // Nothing is counted before the batch is written.
    expect(m.metrics.total('OverdueRectifications')).toBe(0);
    // The schedule runs before the batch is written and flags the case first.
    m.setNow('2026-09-15T03:00:00.000Z');
    expect(await runSchedule(m.ports)).toMatchObject({ overdue: 1 });
    expect((await unit.commit()).size).toBe(0);
    expect(unit.stats.redone).toBe(1);
    expect(m.store.rects.get('C1')?.rect.state).toBe('IN_PROGRESS');
    expect(m.metrics.total('OverdueRectifications')).toBe(1);
    expect(m.log.messages('rectification.overdue')).toHaveLength(1);
    expect(m.store.figures('department', 'D-QX', SEPT)).toMatchObject({ overdue: 1, overdueAcknowledge: 1 });
  });
});

describe('overdue whatever the delivery order', () => {
  // A 差评 on Fri 2026-09-11: acknowledgement due by the end of Mon 09-14 (Shanghai). The department
  // acknowledges on 09-14 at 10:00; the schedule runs on 09-15 at 00:15.
  const ACK = '2026-09-14T02:00:00.000Z';
  const SCHEDULE = '2026-09-14T16:15:00.000Z';

  async function scenario(order: 'schedule first' | 'step first'): Promise<MemoryReview> {
    const world = memoryReview({ now: '2026-09-10T02:05:00.000Z' });
    const service = createReviewService(world.ports);
    await service.completeCase(makeCase(), ref('gov.case.completed'));
    await service.submitReview(makeReview(makeCase(), 2));
    const acknowledge = step('C1', 'acknowledge', ACK);
    world.setNow(SCHEDULE);
    if (order === 'schedule first') {
      expect(await runSchedule(world.ports)).toMatchObject({ overdue: 1 });
      expect(world.store.figures('department', 'D-QX', SEPT)).toMatchObject({ overdue: 1, overdueAcknowledge: 1 });
    }
    world.setNow('2026-09-15T01:00:00.000Z');
    expect(await service.applyStep(acknowledge)).toMatchObject({ outcome: 'applied' });
    if (order === 'step first') await runSchedule(world.ports);
    // A redelivery of the step takes nothing back twice.
    expect(await service.applyStep({ ...acknowledge, event: ref('gov.rectification.updated') })).toEqual({ outcome: 'duplicate' });
    return world;
  }

  it('a step taken by the deadline leaves the case not overdue, whether the schedule flagged it before the step arrived or not', async () => {
    const late = await scenario('schedule first');
    const inOrder = await scenario('step first');
    for (const world of [late, inOrder]) {
      expect(world.store.figures('department', 'D-QX', SEPT)).toMatchObject({ overdue: 0, overdueAcknowledge: 0, overdueRectify: 0 });
      expect(world.store.rects.get('C1')?.rect).toMatchObject({ state: 'IN_PROGRESS', overdue: {} });
      // Still watched for the rectification deadline (Fri 09-18).
      expect(world.store.rects.get('C1')?.dueAt).toBe('2026-09-18T15:59:59.999Z');
    }
    expect(late.store.figures('all', 'all', SEPT)).toEqual(inOrder.store.figures('all', 'all', SEPT));

    // Flagged, then withdrawn: both in the history and the audit trail.
    expect(late.store.rects.get('C1')?.rect.history.map((h) => h.action)).toEqual(['open', 'overdue', 'overdueWithdrawn', 'acknowledge']);
    expect([...late.store.audits.values()].map((a) => a.action).filter((a) => a.startsWith('overdue'))).toEqual([
      'overdue:acknowledgement deadline passed',
      `overdue-withdrawn:acknowledgement deadline met by a step taken at ${ACK}: the flag of ${SCHEDULE} is withdrawn`,
    ]);
    // The overdue event was published and stands; the step's event says the flag was withdrawn.
    const types = (world: MemoryReview) => world.outbound.published.map((e) => e.type);
    expect(types(late)).toEqual(['gov.rectification.opened', 'gov.rectification.overdue', 'gov.rectification.acknowledged']);
    expect(late.outbound.published[2]?.data).toMatchObject({ at: ACK, overdueWithdrawn: ['acknowledge'] });
    expect(types(inOrder)).toEqual(['gov.rectification.opened', 'gov.rectification.acknowledged']);
    expect(inOrder.outbound.published[1]?.data).not.toHaveProperty('overdueWithdrawn');
  });

  it('logs the withdrawal, so the saved query "overdue 差评 this month" (sum of flagChange per case, kept when > 0) leaves the case out', async () => {
    const late = await scenario('schedule first');
    const lines = late.log.lines
      .filter((l) => l.message === 'rectification.overdue' || l.message === 'rectification.overdue.withdrawn')
      .map((l): Record<string, unknown> => ({ message: l.message, ...l.attributes }));
    expect(lines.map((l) => [l.message, l.caseId, l.kinds, l.flagChange])).toEqual([
      ['rectification.overdue', 'C1', ['acknowledge'], 1],
      ['rectification.overdue.withdrawn', 'C1', ['acknowledge'], -1],
    ]);
    // The withdrawal line has the flag line's fields (the case as the step left it, at the step's moment).
    expect(late.log.messages('rectification.overdue.withdrawn')).toEqual([
      { caseId: 'C1', reviewId: 'R-C1', departmentCode: 'D-QX', itemCode: 'ITEM-QX-01', reviewLevel: 2, kinds: ['acknowledge'], flagChange: -1, state: 'IN_PROGRESS', at: ACK },
    ]);
    // What the saved query computes: flags still held per case; C1 holds none and is not listed.
    const held = new Map<string, number>();
    for (const l of lines) held.set(l.caseId as string, (held.get(l.caseId as string) ?? 0) + (l.flagChange as number));
    expect([...held].filter(([, flags]) => flags > 0)).toEqual([]);
    // Redelivered, the step is a duplicate and logs no second withdrawal.
    expect(late.log.messages('rectification.overdue.withdrawn')).toHaveLength(1);
  });
});

describe('the saved query of overdue 差评 and a 差评 approved invalid', () => {
  it('logs the flags of a 差评 approved invalid as taken back, so the query leaves the case out as the overdue count does', async () => {
    // A 差评 on Fri 2026-09-11, not acknowledged by Mon 09-14: flagged by the schedule on 09-15.
    await completed();
    await reviews.submitReview(makeReview(makeCase(), 1));
    m.setNow('2026-09-14T16:15:00.000Z');
    expect(await runSchedule(m.ports)).toMatchObject({ overdue: 1 });
    m.setNow('2026-09-15T03:00:00.000Z');
    expect(await reviews.applyStep(step('C1', 'claimInvalid', '2026-09-15T02:00:00.000Z'))).toMatchObject({ outcome: 'applied' });
    // Approved after the rectification deadline (Fri 09-18): the step raises that flag as of its moment too.
    m.setNow('2026-09-21T03:00:00.000Z');
    expect(await reviews.applyStep(step('C1', 'approveInvalid', '2026-09-21T02:00:00.000Z'))).toMatchObject({ outcome: 'applied' });
    expect(m.store.figures('department', 'D-QX', SEPT)).toMatchObject({ overdue: 0, overdueAcknowledge: 0, overdueRectify: 0, invalidated: 1 });

    const lines = m.log.lines
      .filter((l) => l.message === 'rectification.overdue' || l.message === 'rectification.overdue.withdrawn')
      .map((l): Record<string, unknown> => ({ message: l.message, ...l.attributes }));
    expect(lines.map((l) => [l.message, l.kinds, l.flagChange, l.state])).toEqual([
      ['rectification.overdue', ['acknowledge'], 1, 'OPEN'],
      ['rectification.overdue', ['rectify'], 1, 'INVALID_CLAIMED'],
      ['rectification.overdue.withdrawn', ['acknowledge', 'rectify'], -2, 'INVALID_APPROVED'],
    ]);
    // What the saved query computes: the flags still held per case; C1 holds none and is not listed.
    expect(lines.reduce((sum, l) => sum + (l.flagChange as number), 0)).toBe(0);
    // Redelivered, the step is a duplicate and logs nothing again.
    expect(await reviews.applyStep(step('C1', 'approveInvalid', '2026-09-21T02:00:00.000Z'))).toEqual({ outcome: 'duplicate' });
    expect(m.log.messages('rectification.overdue.withdrawn')).toHaveLength(1);
  });
});

describe('the outbox', () => {
  it('keeps what a committed change produced when publishing fails, and sends it with the next event of the case', async () => {
    await completed();
    m.outbound.failures = 1;
    await expect(reviews.submitReview(makeReview(makeCase(), 1))).rejects.toThrow('outbound queue unavailable');
    // The change is made; its event waits in the outbox.
    expect(m.store.rects.get('C1')).toBeDefined();
    expect([...m.store.outboxes.get('C1')!.keys()]).toEqual(['gov.rectification.opened:C1']);
    // The redelivered review is a duplicate, and its load sends what waited.
    expect(await reviews.submitReview(makeReview(makeCase(), 1))).toEqual({ outcome: 'duplicate' });
    expect(m.outbound.published.map((e) => e.id)).toEqual(['gov.rectification.opened:C1']);
    expect(m.store.outboxes.get('C1')?.size).toBe(0);
  });
});

describe('a consumer batch (group commit)', () => {
  const kase = (n: number) => makeCase({ caseId: `G${n}`, applicantId: `P${n}` });

  it('writes the batch in one go and counts each outcome once it is written', async () => {
    const unit = reviews.unitOfWork();
    for (let n = 1; n <= 3; n++) await unit.run(`m${n}`, async () => void (await completed(kase(n))));
    expect(m.store.writes).toEqual([]);
    expect(m.metrics.total('CasesCompleted')).toBe(0);
    expect((await unit.commit()).size).toBe(0);
    expect(m.store.writes).toEqual([{ kind: 'commitMany', changes: 3 }]);
    expect(m.metrics.total('CasesCompleted')).toBe(3);
    expect(m.store.figures('all', 'all', SEPT)?.completedCases).toBe(3);
  });

  it('decides a completed case as new without reading it, and the case is the same as one decided on a read', async () => {
    const unit = reviews.unitOfWork();
    for (let n = 1; n <= 3; n++) await unit.run(`m${n}`, async () => void (await completed(kase(n))));
    expect((await unit.commit()).size).toBe(0);
    expect(m.store.loads).toEqual([]);
    expect(unit.stats.redone).toBe(0);
    // Outside a batch the case is read first; what is stored is the same.
    const alone = memoryReview({ now: '2026-09-10T02:05:00.000Z', district: 'DIST-STAGE' });
    await createReviewService(alone.ports).completeCase(kase(1), ref('gov.case.completed'));
    expect(alone.store.loads).toEqual(['G1']);
    expect(m.store.cases.get('G1')).toEqual(alone.store.cases.get('G1'));
  });

  it('runs a completed case again, on its read, when a review was parked for it: the review applies once', async () => {
    const review = withEvent(makeReview(kase(1), 1));
    expect(await reviews.submitReview(review)).toEqual({ outcome: 'parked' });
    const unit = reviews.unitOfWork();
    await unit.run('m1', async () => void (await completed(kase(1))));
    await unit.run('m2', async () => void (await completed(kase(2))));
    expect((await unit.commit()).size).toBe(0);
    // The optimistic write of G1 conflicted (its STATE held the parked review); G2 was written with the batch.
    expect(unit.stats.redone).toBe(1);
    expect(m.store.loads.filter((id) => id === 'G2')).toEqual([]);
    expect(m.store.cases.get('G1')).toMatchObject({ parked: [], state: { review: { reviewId: review.reviewId, level: 1 } } });
    expect(m.store.receipts.get(`${review.event!.source}#${review.event!.id}`)).toMatchObject({ outcome: 'applied' });
    expect(m.store.figures('all', 'all', SEPT)).toMatchObject({ completedCases: 2, realReviews: 1 });
    expect(m.metrics.total('CasesCompleted')).toBe(2);
    expect(m.outbound.published.map((e) => e.type)).toEqual(['gov.rectification.opened']);
  });

  it('answers a completed case delivered again in a later batch as a duplicate, counted once', async () => {
    const first = ref('gov.case.completed');
    const once = reviews.unitOfWork();
    await once.run('m1', async () => void (await reviews.completeCase(kase(1), first)));
    await once.commit();
    const again = reviews.unitOfWork();
    let outcome: unknown;
    await again.run('m1', async () => void (outcome = await reviews.completeCase(kase(1), first)));
    expect((await again.commit()).size).toBe(0);
    expect(again.stats.redone).toBe(1);
    expect(outcome).toEqual({ outcome: 'duplicate' });
    expect(m.store.figures('all', 'all', SEPT)?.completedCases).toBe(1);
    expect(m.metrics.total('CasesCompleted')).toBe(1);
    expect(m.store.receipts.get(`${first.source}#${first.id}`)).toMatchObject({ outcome: 'applied', effect: { state: 'completed' } });
  });

  it('writes a waiting change of a case before a later record of the batch loads it', async () => {
    const unit = reviews.unitOfWork();
    await unit.run('m1', async () => void (await completed(kase(1))));
    await unit.run('m2', async () => void (await reviews.submitReview(makeReview(kase(1), 1))));
    await unit.commit();
    expect(m.store.writes).toEqual([{ kind: 'commitMany', changes: 1 }, { kind: 'commitMany', changes: 1 }]);
    expect(m.store.cases.get('G1')?.state?.review?.level).toBe(1);
    expect(m.outbound.published.map((e) => e.type)).toEqual(['gov.rectification.opened']);
  });

  it('redoes a record whose change lost a race, on fresh state, and counts it once', async () => {
    const unit = reviews.unitOfWork();
    await unit.run('m1', async () => void (await completed(kase(1))));
    // Another consumer records the same case before the batch is written.
    await createReviewService(m.ports).completeCase(kase(1), ref('gov.case.completed'));
    const failed = await unit.commit();
    expect(failed.size).toBe(0);
    expect(unit.stats.redone).toBe(1);
    expect(m.metrics.total('CasesCompleted')).toBe(1);
    expect(m.store.figures('all', 'all', SEPT)?.completedCases).toBe(1);
  });
});

describe('a consumer batch that reads its cases ahead', () => {
  const kase = (n: number) => makeCase({ caseId: `G${n}`, applicantId: `P${n}` });
  /** The parsed events of a batch, as the consumer hands them to the unit of work before its records run. */
  const reviewEvents = (...caseIds: string[]) => caseIds.map((caseId) => ({ type: 'gov.review.submitted', data: { caseId } }));
  const review = (n: number, level: 1 | 2 | 3 | 4 | 5, reviewId?: string) => withEvent(makeReview(kase(n), level, reviewId ? { reviewId } : {}));

  beforeEach(async () => {
    for (let n = 1; n <= 3; n++) await completed(kase(n));
    m.store.loads.length = 0;
  });

  it('reads the cases its reviews name in one request, and stores what a load of each would have given', async () => {
    const batch = [review(1, 5), review(2, 1), review(3, 5)];
    const unit = reviews.unitOfWork(loadedCaseIds);
    await unit.prepare!(reviewEvents('G1', 'G2', 'G3', 'G2'));
    for (const [n, r] of batch.entries()) await unit.run(`m${n}`, async () => void (await reviews.submitReview(r)));
    expect((await unit.commit()).size).toBe(0);
    expect(m.store.loadsAhead).toEqual([['G1', 'G2', 'G3']]);
    expect(m.store.loads).toEqual([]);
    expect(m.store.writes.at(-1)).toEqual({ kind: 'commitMany', changes: 3 });

    // The same batch without the read-ahead: each record loads its case; what is stored is the same.
    const plain = memoryReview({ now: '2026-09-10T02:05:00.000Z', district: 'DIST-STAGE' });
    const plainReviews = createReviewService(plain.ports);
    for (let n = 1; n <= 3; n++) await plainReviews.completeCase(kase(n), ref('gov.case.completed'));
    plain.store.loads.length = 0;
    const plainUnit = plainReviews.unitOfWork();
    for (const [n, r] of batch.entries()) await plainUnit.run(`m${n}`, async () => void (await plainReviews.submitReview(r)));
    await plainUnit.commit();
    expect(plain.store.loads).toEqual(['G1', 'G2', 'G3']);
    for (const id of ['G1', 'G2', 'G3']) expect(m.store.cases.get(id)?.state?.review).toEqual(plain.store.cases.get(id)?.state?.review);
    expect(m.store.rects.get('G2')?.rect).toEqual(plain.store.rects.get('G2')?.rect);
    expect(m.store.figures('all', 'all', SEPT)).toEqual(plain.store.figures('all', 'all', SEPT));
  });

  it('serves the read-ahead to the first record of a case only: a second review loads the case its first wrote, and is refused', async () => {
    const unit = reviews.unitOfWork(loadedCaseIds);
    await unit.prepare!(reviewEvents('G1', 'G2'));
    const outcomes: unknown[] = [];
    await unit.run('m1', async () => void outcomes.push(await reviews.submitReview(review(1, 5))));
    await unit.run('m2', async () => void outcomes.push(await reviews.submitReview(review(1, 2, 'R-other'))));
    await unit.run('m3', async () => void outcomes.push(await reviews.submitReview(review(2, 4))));
    expect((await unit.commit()).size).toBe(0);
    expect(outcomes).toEqual([{ outcome: 'accepted', level: 5 }, expect.objectContaining({ outcome: 'rejected', code: 'DUPLICATE_REVIEW' }), { outcome: 'accepted', level: 4 }]);
    // The second record of G1 wrote the first's change, then loaded G1; G2 came from the read-ahead.
    expect(m.store.loads).toEqual(['G1']);
    expect(m.store.cases.get('G1')?.state?.review?.level).toBe(5);
    expect(m.store.figures('all', 'all', SEPT)?.realReviews).toBe(2);
  });

  it('loads a case that a record earlier in the batch created without reading it, even once that write is out', async () => {
    const unit = reviews.unitOfWork(loadedCaseIds);
    // G4 and G5 are read ahead while they do not exist yet; completions earlier in the batch create them.
    await unit.prepare!(reviewEvents('G5', 'G4'));
    await unit.run('m1', async () => void (await completed(kase(4))));
    await unit.run('m2', async () => void (await completed(kase(5))));
    const outcomes: unknown[] = [];
    // G5's review writes what waits (G4's completion too) before it loads G5; G4's then finds nothing waiting.
    await unit.run('m3', async () => void outcomes.push(await reviews.submitReview(review(5, 4))));
    await unit.run('m4', async () => void outcomes.push(await reviews.submitReview(review(4, 5))));
    expect((await unit.commit()).size).toBe(0);
    expect(outcomes).toEqual([{ outcome: 'accepted', level: 4 }, { outcome: 'accepted', level: 5 }]);
    // Neither review decided on the read-ahead's empty case (that would have parked it, then lost a race).
    expect(unit.stats.redone).toBe(0);
    expect(m.store.loads).toEqual(['G5', 'G4']);
    expect(m.store.cases.get('G4')).toMatchObject({ parked: [], state: { review: { level: 5 } } });
  });

  it('decides again on a fresh load when the case changed after the read-ahead (a review from elsewhere landed first)', async () => {
    const unit = reviews.unitOfWork(loadedCaseIds);
    await unit.prepare!(reviewEvents('G1', 'G2'));
    // Another consumer's review of G1, after this batch read it.
    expect(await reviews.submitReview(review(1, 5))).toEqual({ outcome: 'accepted', level: 5 });
    m.store.loads.length = 0;
    let outcome: unknown;
    await unit.run('m1', async () => void (outcome = await reviews.submitReview(review(1, 1, 'R-late'))));
    expect((await unit.commit()).size).toBe(0);
    // Decided on the read-ahead as a first review, its write lost to the version; decided again on a load.
    expect(unit.stats.redone).toBe(1);
    expect(m.store.loads).toEqual(['G1']);
    expect(m.store.cases.get('G1')?.state?.review?.level).toBe(5);
    expect(m.store.rects.get('G1')).toBeUndefined();
    expect(m.store.figures('all', 'all', SEPT)?.realReviews).toBe(1);
    // Counted once, as refused: the first decision's outcome was never written, so never counted.
    expect(m.metrics.total('ReviewsRejected')).toBe(1);
    expect(m.metrics.total('BadReviews')).toBe(0);
    expect(outcome).toMatchObject({ outcome: 'rejected', code: 'DUPLICATE_REVIEW' });
  });

  it('reads nothing ahead for a batch that names one case or none', async () => {
    const unit = reviews.unitOfWork(loadedCaseIds);
    await unit.prepare!([...reviewEvents('G1', 'G1'), { type: 'gov.case.completed', data: { caseId: 'G9' } }]);
    await unit.run('m1', async () => void (await reviews.submitReview(review(1, 5))));
    await unit.commit();
    expect(m.store.loadsAhead).toEqual([]);
    expect(m.store.loads).toEqual(['G1']);
  });
});

describe('a version race outside a batch', () => {
  it('reloads and decides again when the case changed between its load and its write', async () => {
    await completed();
    const store = m.store;
    const commit = store.commit.bind(store);
    let raced = false;
    store.commit = async (change) => {
      if (!raced) {
        raced = true;
        // Another record's review lands first.
        await commit({ caseId: 'C1', caseWrite: { expectedVersion: 1, version: 2, state: { ...store.cases.get('C1')!.state!, version: 2, review: makeReview(makeCase(), 4, { reviewId: 'R-first' }) } } });
      }
      return commit(change);
    };
    expect(await reviews.submitReview(makeReview(makeCase(), 2))).toMatchObject({ outcome: 'rejected', code: 'DUPLICATE_REVIEW' });
    expect(m.log.messages('version race: deciding again on fresh state')).toEqual([{ caseId: 'C1', attempt: 1 }]);
  });
});

describe('runSchedule', () => {
  it('invites, reminds and defaults from the due index, flags overdue, emits figures, and changes nothing when run again', async () => {
    await completed(makeCase({ caseId: 'K1', applicantId: 'P1' }));
    await completed(makeCase({ caseId: 'K2', applicantId: 'P2' }));
    await reviews.submitReview(makeReview(makeCase({ caseId: 'K2', applicantId: 'P2' }), 1, { submittedAt: '2026-09-10T03:00:00.000Z' }));

    m.setNow('2026-09-10T03:00:00.000Z');
    expect(await runSchedule(m.ports)).toEqual({ invited: 1, reminded: 0, defaulted: 0, overdue: 0, failed: 0, deferred: 0 });
    m.setNow('2026-09-13T03:00:00.000Z'); // 3 days on; K2's 差评 still OPEN after its acknowledgement deadline (09-11)
    expect(await runSchedule(m.ports)).toEqual({ invited: 0, reminded: 1, defaulted: 0, overdue: 1, failed: 0, deferred: 0 });
    expect(m.log.messages('rectification.overdue')).toEqual([
      expect.objectContaining({ caseId: 'K2', departmentCode: 'D-QX', reviewLevel: 1, kinds: ['acknowledge'], state: 'OPEN', at: '2026-09-13T03:00:00.000Z' }),
    ]);
    m.setNow('2026-09-17T03:00:00.000Z'); // 7 days on: the default
    expect(await runSchedule(m.ports)).toEqual({ invited: 0, reminded: 0, defaulted: 1, overdue: 0, failed: 0, deferred: 0 });
    expect(m.store.cases.get('K1')?.state?.review).toMatchObject({ defaulted: true, level: 3 });
    expect(m.outbound.published.filter((e) => e.subject === 'K1').map((e) => e.type)).toEqual(['gov.review.invited', 'gov.review.reminded', 'gov.review.defaulted']);
    // Nothing more can fall due for K1: it left the index.
    expect(await m.store.dueCaseIds('invite', '2030-01-01T00:00:00.000Z')).toEqual([]);

    const published = m.outbound.published.length;
    expect(await runSchedule(m.ports)).toEqual({ invited: 0, reminded: 0, defaulted: 0, overdue: 0, failed: 0, deferred: 0 });
    expect(m.outbound.published).toHaveLength(published);
    expect(m.metrics.total('ReviewInvitations')).toBe(1);
    expect(m.metrics.total('DefaultReviews')).toBe(1);
    // This month's figures per department: K2's 差评 and K1's default.
    const figures = m.metrics.singles.filter((s) => s.dimensions.Department === 'D-QX').at(-1)!;
    expect(figures.values).toEqual(
      expect.arrayContaining([
        { name: 'CompositeScore', unit: 'None', value: 0 },
        { name: 'Coverage', unit: 'None', value: 1 },
        { name: 'OverdueRectificationCases', unit: 'Count', value: 1 },
      ]),
    );
  });

  it('counts a case that fails, logs it, and goes on with the others', async () => {
    await completed(makeCase({ caseId: 'K1', applicantId: 'P1' }));
    await completed(makeCase({ caseId: 'K2', applicantId: 'P2' }));
    const load = m.store.loadCase.bind(m.store);
    m.store.loadCase = async (caseId) => {
      if (caseId === 'K1') throw new Error('throttled');
      return load(caseId);
    };
    expect(await runSchedule(m.ports)).toEqual({ invited: 1, reminded: 0, defaulted: 0, overdue: 0, failed: 1, deferred: 0 });
    expect(m.log.lines.filter((l) => l.level === 'error')).toEqual([expect.objectContaining({ attributes: expect.objectContaining({ caseId: 'K1' }) })]);
    expect(m.store.cases.get('K2')?.state?.invitationSentAt).toBeDefined();
    // The items-failed alarm reads it.
    expect(m.metrics.total('ItemsFailed')).toBe(1);
  });

  it('writes ItemsFailed and ItemsDeferred once, even when its figures throw after its cases were counted', async () => {
    await completed(makeCase({ caseId: 'K1', applicantId: 'P1' }));
    await completed(makeCase({ caseId: 'K2', applicantId: 'P2' }));
    await completed(makeCase({ caseId: 'K3', applicantId: 'P3' }));
    const load = m.store.loadCase.bind(m.store);
    m.store.loadCase = async (caseId) => {
      if (caseId === 'K1') throw new Error('throttled');
      return load(caseId);
    };
    m.store.listCounters = async () => {
      throw new Error('counters unreachable');
    };
    const left = [30_000, 30_000, SCHEDULE_TIME_RESERVE_MS - 1];
    const timeLeftMs = () => left.shift() ?? SCHEDULE_TIME_RESERVE_MS - 1;
    await expect(runSchedule(m.ports, { timeLeftMs })).rejects.toThrow('counters unreachable');
    // K1 failed (logged at ERROR) and K3 was not started: the items-failed and items-deferred alarms read them.
    expect(m.metrics.counts.filter((c) => c.name === 'ItemsFailed' || c.name === 'ItemsDeferred')).toEqual([
      { name: 'ItemsFailed', value: 1 },
      { name: 'ItemsDeferred', value: 1 },
    ]);
  });

  // Its counts are written when the run returns (the overdue-rectifications alarm reads one): a run the
  // function's timeout cut short would lose the counts of the cases it moved, for good.
  it('starts no more cases once the time left falls below the reserve, counts what it did, and the next run takes the rest', async () => {
    await completed(makeCase({ caseId: 'K1', applicantId: 'P1' }));
    await completed(makeCase({ caseId: 'K2', applicantId: 'P2' }));
    await completed(makeCase({ caseId: 'K3', applicantId: 'P3' }));
    const left = [30_000, SCHEDULE_TIME_RESERVE_MS - 1];
    const timeLeftMs = () => left.shift() ?? SCHEDULE_TIME_RESERVE_MS - 1;
    expect(await runSchedule(m.ports, { timeLeftMs })).toEqual({ invited: 1, reminded: 0, defaulted: 0, overdue: 0, failed: 0, deferred: 2 });
    expect(m.metrics.total('ReviewInvitations')).toBe(1);
    expect(m.log.messages('review schedule')).toEqual([expect.objectContaining({ invited: 1, deferred: 2 })]);
    // The items-deferred alarm reads it.
    expect(m.metrics.total('ItemsDeferred')).toBe(2);
    expect(await runSchedule(m.ports, { timeLeftMs: () => 30_000 })).toEqual({ invited: 2, reminded: 0, defaulted: 0, overdue: 0, failed: 0, deferred: 0 });
    expect(['K1', 'K2', 'K3'].filter((id) => m.store.cases.get(id)?.state?.invitationSentAt !== undefined)).toHaveLength(3);
  });
});
