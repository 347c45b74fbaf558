import {
  buildWorkOrder,
  planWorkOrderSteps,
  type WorkOrderOutcome,
  type WorkOrderStatus,
} from '#review/domain/workorder';
import { applyAction, openRectification } from '#review/domain/rectification';
import { subjectOf } from '#review/domain/reviews';
import { DEFAULT_REVIEW_CONFIG, type Rectification, type Review } from '#review/domain/types';
import { calendar, makeCase, makeReview } from './fixtures';

const config = DEFAULT_REVIEW_CONFIG;
const kase = makeCase();
// A 差评 by SMS on Thu 2026-09-10 10:00 Shanghai: acknowledge due Fri 09-11, rectify due Thu 09-17.
const REVIEW: Review = makeReview(kase, 1, {
  channel: 'sms',
  reviewerId: '13812345678',
  indicators: ['WAIT_TOO_LONG'],
  comment: '等了两个小时，回电13812345678',
  submittedAt: '2026-09-10T02:00:00.000Z',
});
const hour = (n: number) => new Date(Date.parse(REVIEW.submittedAt) + n * 3_600_000).toISOString();

function opened(): Rectification {
  return openRectification(REVIEW, subjectOf(kase, calendar), calendar, config).rectification;
}

function outcome(status: WorkOrderStatus, at: string, extra: Partial<WorkOrderOutcome> = {}): WorkOrderOutcome {
  return { orderNo: 'HCP-C1', caseId: 'C1', status, at, departmentCode: 'D-QX', staffId: 'H-07', ...extra };
}

/** Plans the outcome and applies its steps as the rectification consumer would. */
function deliver(rect: Rectification, o: WorkOrderOutcome): { rect: Rectification; actions: string[] } {
  const plan = planWorkOrderSteps(rect, o, calendar, config);
  if (!plan.ok) throw new Error(plan.reason);
  let next = rect;
  for (const step of plan.steps) {
    const result = applyAction(next, step, calendar, config);
    if (!result.ok) throw new Error(result.reason);
    next = result.next;
  }
  expect(next.state).toBe(plan.stateAfter);
  return { rect: next, actions: plan.steps.map((s) => s.action) };
}

describe('buildWorkOrder', () => {
  it('forwards the 差评 with its deadlines, masked text and the reviewer’s number for the call back', () => {
    const order = buildWorkOrder(REVIEW, opened());
    expect(order).toEqual({
      orderNo: 'HCP-C1',
      caseId: 'C1',
      reviewId: 'R-C1',
      itemCode: 'ITEM-QX-01',
      departmentCode: 'D-QX',
      level: 1,
      levelLabel: '非常不满意',
      channel: 'sms',
      indicators: ['WAIT_TOO_LONG'],
      content: '办件 C1 收到差评（非常不满意）：等了两个小时，回电138****5678',
      callbackPhone: '13812345678',
      reviewedAt: REVIEW.submittedAt,
      acknowledgeDue: { date: '2026-09-11', dueAt: '2026-09-11T15:59:59.999Z' },
      rectifyDue: { date: '2026-09-17', dueAt: '2026-09-17T15:59:59.999Z' },
    });
  });

  it('has no call-back number when the reviewer is known by an ID number, and the same order number again', () => {
    const byId = { ...REVIEW, reviewerId: '440306200002290711' };
    expect(buildWorkOrder(byId, opened()).callbackPhone).toBeUndefined();
    expect(buildWorkOrder(byId, opened()).orderNo).toBe(buildWorkOrder(REVIEW, opened()).orderNo);
  });
});

describe('planWorkOrderSteps: a 差评 round-tripped through a work order', () => {
  it('accepted → handled → revisited → archived closes the case, every step by the hotline for the owner', () => {
    let rect = opened();
    const trail: string[][] = [];
    for (const [status, at, extra] of [
      ['accepted', hour(1), {}],
      ['handled', hour(20), { note: '已电话解释并优化预约' }],
      ['revisited', hour(30), { satisfied: true }],
      ['archived', hour(31), {}],
    ] as const) {
      const delivered = deliver(rect, outcome(status, at, extra));
      rect = delivered.rect;
      trail.push(delivered.actions);
    }
    expect(trail).toEqual([['acknowledge'], ['rectify'], ['returnVisit'], ['close']]);
    expect(rect.state).toBe('CLOSED');
    expect(rect.returnVisit).toEqual({ satisfied: true, at: hour(30) });
    const steps = rect.history.slice(1);
    expect(new Set(steps.map((h) => `${h.actor.departmentCode} ${h.actor.staffId}`))).toEqual(new Set(['D-QX 12345/H-07']));
    expect(steps[1]!.note).toBe('12345工单 HCP-C1 已办结答复：已电话解释并优化预约');
  });

  it('acknowledges first when the order is handled while the case is still OPEN', () => {
    expect(deliver(opened(), outcome('handled', hour(3))).actions).toEqual(['acknowledge', 'rectify']);
  });

  it('gives no step for an outcome already in effect: a redelivered outcome changes nothing', () => {
    const once = deliver(opened(), outcome('handled', hour(3))).rect;
    const again = planWorkOrderSteps(once, outcome('handled', hour(3)), calendar, config);
    expect(again).toEqual({ ok: true, steps: [], stateAfter: 'RECTIFIED' });
    expect(planWorkOrderSteps(once, outcome('accepted', hour(1)), calendar, config)).toMatchObject({ ok: true, steps: [] });
  });

  it('runs an extension and an unfixable claim through the same state machine', () => {
    let rect = deliver(opened(), outcome('extensionRequested', hour(2))).rect;
    expect(rect.state).toBe('EXTENSION_REQUESTED');
    rect = deliver(rect, outcome('extensionApproved', hour(5))).rect;
    expect(rect.state).toBe('IN_PROGRESS');
    // Extended 5 working days from Thu 09-10: 09-11, 14, 15, 16, 17.
    expect(rect.deadlines.rectifyDue.date).toBe('2026-09-17');
    const unfixable = deliver(rect, outcome('unfixable', hour(6))).rect;
    expect(unfixable.state).toBe('UNFIXABLE_CLAIMED');
  });

  it('refuses what the rectification state machine refuses, with its reason', () => {
    const plan = planWorkOrderSteps(opened(), outcome('revisited', hour(2), { satisfied: false }), calendar, config);
    expect(plan).toEqual({
      ok: false,
      code: 'REFUSED',
      reason: 'returnVisit: Action returnVisit is not allowed in state OPEN; allowed: acknowledge, claimInvalid',
    });
    expect(planWorkOrderSteps(opened(), outcome('extensionApproved', hour(2)), calendar, config)).toMatchObject({ ok: false, code: 'REFUSED' });
  });

  it('refuses an outcome that does not apply in the state, a return visit without an answer, another department or order', () => {
    const claimed = applyAction(opened(), { action: 'claimInvalid', actor: { departmentCode: 'D-QX', staffId: 'S9' }, at: hour(1) }, calendar, config);
    if (!claimed.ok) throw new Error(claimed.reason);
    expect(planWorkOrderSteps(claimed.next, outcome('handled', hour(2)), calendar, config)).toEqual({
      ok: false,
      code: 'NOT_APPLICABLE',
      reason: 'work order outcome handled does not apply to a rectification in state INVALID_CLAIMED',
    });
    expect(planWorkOrderSteps(opened(), outcome('revisited', hour(2)), calendar, config)).toMatchObject({ ok: false, code: 'SATISFIED_REQUIRED' });
    expect(planWorkOrderSteps(opened(), outcome('accepted', hour(2), { departmentCode: 'D-OTHER' }), calendar, config)).toEqual({
      ok: false,
      code: 'WRONG_DEPARTMENT',
      reason: 'work order HCP-C1 was dispatched to D-OTHER; the rectification is owned by D-QX',
    });
    expect(planWorkOrderSteps(opened(), outcome('accepted', hour(2), { orderNo: 'HCP-C2' }), calendar, config)).toMatchObject({ ok: false, code: 'WRONG_ORDER' });
  });

  it('takes a work order returned for re-dispatch (退单) as no step', () => {
    expect(planWorkOrderSteps(opened(), outcome('returned', hour(2)), calendar, config)).toEqual({
      ok: true,
      steps: [],
      stateAfter: 'OPEN',
      remark: 'returned to the hotline for re-dispatch; the rectification is unchanged',
    });
  });

  it('names the hotline itself when no staff member is given', () => {
    const plan = planWorkOrderSteps(opened(), outcome('accepted', hour(1), { staffId: undefined }), calendar, config);
    expect(plan.ok && plan.steps[0]!.actor).toEqual({ departmentCode: 'D-QX', staffId: '12345' });
  });
});
