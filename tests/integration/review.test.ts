/**
 * 好差评 end to end through the local runtime: completed cases, reviews from several channels (a repeated
 * event, the same review under a new event id, a second real review, a mismatched reviewer, a review
 * before its case), a 差评 driven to closure with a refused step in between, invitations, reminders and
 * defaults by the schedule on a shifted clock, a real review replacing a default, a second 差评 left to go
 * overdue; then every figure and the ranking against hand-computed values; then every event redelivered
 * (same ids and new ids) and the schedule fired again, with no figure changed.
 *
 * All cases complete on Monday 2026-11-02 (Asia/Shanghai), so the day and month figures coincide. November
 * 2026 has no public holiday: 1 working day after 11-02 is 11-03, 5 working days is 11-09.
 */
import { readFileSync } from 'node:fs';
import { makeIdNumber } from '#contract/identifiers';
import { startLocal, sample, type Running } from '#support/runtime';

let rt: Running;
beforeAll(async () => {
  rt = await startLocal();
}, 120_000);
afterAll(async () => {
  await rt?.dev('POST', '/_dev/clock', { reset: true }).catch(() => undefined);
  await rt?.stop();
});

const SJJ = '440305-SJJ'; // 市场监管局, item SJ-0001, staff S-0317
const CGJ = '440305-CGJ'; // 城管局, item CG-0107, staff S-0521
const applicant = (n: number) => makeIdNumber('440305', '19900307', String(100 + n).padStart(3, '0'));

interface CaseSpec {
  readonly caseId: string;
  readonly dept: string;
  readonly item: string;
  readonly staff?: string;
  readonly channel: string;
  readonly completedAt: string;
  readonly applicant: string;
}
const cases: Record<string, CaseSpec> = {
  C1: { caseId: 'RV-C1', dept: SJJ, item: 'SJ-0001', staff: 'S-0317', channel: 'window', completedAt: '2026-11-02T08:50:00+08:00', applicant: applicant(1) },
  C2: { caseId: 'RV-C2', dept: SJJ, item: 'SJ-0001', staff: 'S-0317', channel: 'window', completedAt: '2026-11-02T08:55:00+08:00', applicant: applicant(2) },
  C3: { caseId: 'RV-C3', dept: SJJ, item: 'SJ-0001', staff: 'S-0317', channel: 'web', completedAt: '2026-11-02T09:00:00+08:00', applicant: applicant(3) },
  C4: { caseId: 'RV-C4', dept: SJJ, item: 'SJ-0001', staff: 'S-0317', channel: 'window', completedAt: '2026-11-02T09:05:00+08:00', applicant: applicant(4) },
  C5: { caseId: 'RV-C5', dept: CGJ, item: 'CG-0107', staff: 'S-0521', channel: 'kiosk', completedAt: '2026-11-02T09:10:00+08:00', applicant: applicant(5) },
  C6: { caseId: 'RV-C6', dept: CGJ, item: 'CG-0107', staff: 'S-0521', channel: 'window', completedAt: '2026-11-02T09:15:00+08:00', applicant: applicant(6) },
  // No staff member: the case has no row in the staff dimension.
  C7: { caseId: 'RV-C7', dept: CGJ, item: 'CG-0107', channel: 'web', completedAt: '2026-11-02T09:20:00+08:00', applicant: applicant(7) },
};

const completedTemplate = sample('gov.case.completed', 'window-case');
const reviewTemplate = sample('gov.review.submitted', 'good-review');
const stepTemplate = sample('gov.rectification.updated', 'acknowledge');

/** Every event posted, in order, for the redelivery at the end. */
const posted: any[] = [];

function completed(c: CaseSpec): any {
  const data: Record<string, unknown> = {
    caseId: c.caseId,
    itemCode: c.item,
    departmentCode: c.dept,
    applicantId: c.applicant,
    channel: c.channel,
    completedAt: c.completedAt,
  };
  if (c.staff) data.staffId = c.staff;
  return { ...completedTemplate, id: `done-${c.caseId}`, time: c.completedAt, data };
}

function review(id: string, c: CaseSpec, level: number, channel: string, submittedAt: string, over: Record<string, unknown> = {}): any {
  const data: Record<string, unknown> = {
    reviewId: id,
    caseId: c.caseId,
    itemCode: c.item,
    departmentCode: c.dept,
    channel,
    level,
    reviewerId: c.applicant,
    submittedAt,
    ...over,
  };
  if (c.staff) data.staffId = c.staff;
  return { ...reviewTemplate, id: `ev-${id}`, time: submittedAt, data };
}

function step(c: CaseSpec, action: string, at: string, over: Record<string, unknown> = {}): any {
  return {
    ...stepTemplate,
    id: `step-${c.caseId}-${action}-${at}`,
    time: at,
    data: { caseId: c.caseId, action, actor: { departmentCode: c.dept, staffId: 'S-9001' }, at, ...over },
  };
}

async function post(...events: any[]): Promise<void> {
  for (const e of events) {
    const out = await rt.post(e);
    expect({ id: e.id, status: out.status, rejected: out.body.rejected }).toEqual({ id: e.id, status: 202, rejected: [] });
    posted.push(e);
  }
  await rt.drain();
}

async function clock(body: unknown): Promise<void> {
  expect((await rt.dev('POST', '/_dev/clock', body)).status).toBe(200);
}

async function fireSchedule(): Promise<any> {
  const out = await rt.dev('POST', '/_dev/schedules/review-schedule');
  expect(out.status).toBe(200);
  await rt.drain();
  return out.body.result;
}

async function figures(dimension: string, key: string, period = '2026-11'): Promise<any> {
  const out = await rt.get(`/reviews/figures?dimension=${dimension}&key=${encodeURIComponent(key)}&period=${period}`);
  expect(out.status).toBe(200);
  return out.body.figures;
}

async function outboundCount(type: string, subject?: string): Promise<number> {
  const out = await rt.dev('GET', `/_dev/outbound?type=${type}${subject ? `&subject=${subject}` : ''}`);
  return out.body.count as number;
}

/** Every ratio the route returns, from hand-counted numbers; null when the denominator is 0. */
function expected(c: {
  completed: number;
  levels: [number, number, number, number, number]; // counts of levels 1..5
  defaulted: number;
  rectified: number;
  returnVisited: number;
  satisfied: number;
  overdueAck: number;
  overdueRect: number;
}) {
  const [l1, l2, l3, l4, l5] = c.levels;
  const real = l1 + l2 + l3 + l4 + l5;
  const points = l2 * 3 + l3 * 6 + l4 * 8 + l5 * 10;
  const neg = l1 + l2;
  const r = (a: number, b: number) => (b === 0 ? null : a / b);
  return {
    completedCases: c.completed,
    realReviews: real,
    byLevel: { 1: l1, 2: l2, 3: l3, 4: l4, 5: l5 },
    positive: l3 + l4 + l5,
    negative: neg,
    points,
    defaulted: c.defaulted,
    positiveRate: r(l3 + l4 + l5, real),
    negativeRate: r(neg, real),
    compositeScore: r(points, real),
    activeReviewRate: r(real, c.completed),
    unreviewedRate: r(c.completed - real, c.completed),
    coverage: r(real + c.defaulted, c.completed),
    rectified: c.rectified,
    rectificationRate: r(c.rectified, neg),
    returnVisited: c.returnVisited,
    returnVisitRate: r(c.returnVisited, neg),
    returnVisitSatisfied: c.satisfied,
    satisfactionRate: r(c.satisfied, c.returnVisited),
    overdue: c.overdueAck || c.overdueRect ? 1 : 0,
    overdueAcknowledge: c.overdueAck,
    overdueRectify: c.overdueRect,
    invalidated: 0,
    unfixable: 0,
  };
}

const { C1, C2, C3, C4, C5, C6, C7 } = cases as Record<string, CaseSpec>;

describe('好差评 through the local runtime', () => {
  it('parks a review that arrives before its case and applies it when the case arrives', async () => {
    await clock({ set: '2026-11-02T02:00:00Z' }); // Monday 10:00 in Shanghai
    await post(review('R5', C5!, 3, 'kiosk', '2026-11-02T09:40:00+08:00'));
    const early = await rt.get(`/cases/${C5!.caseId}`);
    expect(early.status).toBe(200);
    expect(early.body).toMatchObject({ status: 'awaiting-case', parked: [{ reviewId: 'R5' }], reviews: { real: null } });

    await post(...Object.values(cases).map(completed));
    const later = await rt.get(`/cases/${C5!.caseId}`);
    expect(later.body).toMatchObject({ status: 'completed', parked: [], reviews: { real: { reviewId: 'R5', level: 3 }, default: null } });
  }, 60_000);

  it('keeps one real review per case, records refusals with their reason, and opens a rectification for each 差评', async () => {
    const r1 = review('R1', C1!, 5, 'window', '2026-11-02T09:01:00+08:00');
    await post(r1, r1); // the same event twice
    await post({ ...r1, id: 'ev-R1-resent' }); // the same review under a new event id
    await post(
      review('R2', C2!, 4, 'app', '2026-11-02T09:02:00+08:00'),
      review('R3', C3!, 2, 'web', '2026-11-02T09:30:00+08:00', { indicators: ['WAIT_TOO_LONG'], comment: '等了很久' }),
      review('R6', C6!, 1, '12345', '2026-11-02T09:45:00+08:00'),
      // A second real review for C1: refused, the first kept.
      review('R1b', C1!, 1, '12345', '2026-11-02T09:50:00+08:00'),
      // Not the applicant of C4: refused; C4 stays unreviewed.
      review('R4x', C4!, 5, 'web', '2026-11-02T09:51:00+08:00', { reviewerId: applicant(99) }),
    );

    const c1 = await rt.get(`/cases/${C1!.caseId}`);
    expect(c1.body.reviews.real).toMatchObject({ reviewId: 'R1', level: 5, channel: 'window' });
    expect(c1.body.rejections).toEqual([
      expect.objectContaining({ ref: 'R1b', code: 'DUPLICATE_REVIEW', reason: expect.stringMatching(/one review per case/) }),
    ]);
    const c4 = await rt.get(`/cases/${C4!.caseId}`);
    expect(c4.body.reviews).toEqual({ real: null, default: null });
    expect(c4.body.rejections).toEqual([expect.objectContaining({ ref: 'R4x', code: 'REVIEWER_MISMATCH' })]);

    const rectA = await rt.get(`/rectifications/${C3!.caseId}`);
    expect(rectA.status).toBe(200);
    expect(rectA.body).toMatchObject({
      state: 'OPEN',
      departmentCode: SJJ,
      reviewId: 'R3',
      // 1 and 5 working days after Monday 11-02, due by the end of the day in Shanghai.
      deadlines: {
        acknowledgeDue: { date: '2026-11-03', dueAt: '2026-11-03T15:59:59.999Z' },
        rectifyDue: { date: '2026-11-09', dueAt: '2026-11-09T15:59:59.999Z' },
      },
    });
    expect(await outboundCount('gov.rectification.opened')).toBe(2);
    expect((await rt.get(`/rectifications/${C1!.caseId}`)).status).toBe(404);
  }, 60_000);

  it('drives a 差评 to closure, refusing a forbidden step and a step by another department with no change', async () => {
    await post(step(C3!, 'acknowledge', '2026-11-02T09:35:00+08:00', { note: '已联系申请人' }));
    const before = (await rt.get(`/rectifications/${C3!.caseId}`)).body;
    expect(before.state).toBe('IN_PROGRESS');

    await post(step(C3!, 'close', '2026-11-02T09:36:00+08:00')); // not allowed in IN_PROGRESS
    await post({ ...step(C3!, 'rectify', '2026-11-02T09:37:00+08:00'), data: { ...step(C3!, 'rectify', '2026-11-02T09:37:00+08:00').data, actor: { departmentCode: CGJ, staffId: 'S-0521' } } });
    const refused = (await rt.get(`/rectifications/${C3!.caseId}`)).body;
    expect(refused.state).toBe('IN_PROGRESS');
    expect(refused.version).toBe(before.version);
    expect(refused.history).toEqual(before.history);
    expect(refused.refused.map((r: any) => [r.details.action, r.code])).toEqual(
      expect.arrayContaining([
        ['close', 'ACTION_NOT_ALLOWED'],
        ['rectify', 'NOT_OWNING_DEPARTMENT'],
      ]),
    );
    expect(refused.refused.find((r: any) => r.code === 'ACTION_NOT_ALLOWED').reason).toMatch(/close is not allowed in state IN_PROGRESS; allowed: claimInvalid, rectify, claimUnfixable, requestExtension/);

    await post(step(C3!, 'rectify', '2026-11-02T09:40:00+08:00', { note: '已修订办事指南' }));
    await post(step(C3!, 'returnVisit', '2026-11-02T09:45:00+08:00', { satisfied: true }));
    await post(step(C3!, 'close', '2026-11-02T09:50:00+08:00'));
    const closed = (await rt.get(`/rectifications/${C3!.caseId}`)).body;
    expect(closed.state).toBe('CLOSED');
    expect(closed.history.map((h: any) => [h.action, h.from, h.to])).toEqual([
      ['open', null, 'OPEN'],
      ['acknowledge', 'OPEN', 'IN_PROGRESS'],
      ['rectify', 'IN_PROGRESS', 'RECTIFIED'],
      ['returnVisit', 'RECTIFIED', 'RETURN_VISITED'],
      ['close', 'RETURN_VISITED', 'CLOSED'],
    ]);
    expect(closed.returnVisit).toMatchObject({ satisfied: true });
    expect(closed.allowedActions).toEqual([]);
    for (const type of ['acknowledged', 'rectified', 'returnVisited', 'closed']) {
      expect(await outboundCount(`gov.rectification.${type}`, C3!.caseId)).toBe(1);
    }
  }, 60_000);

  it('invites, reminds after 3 days, defaults after 7, flags overdue rectifications; a real review replaces a default', async () => {
    // Now: C4 and C7 have no review.
    expect(await fireSchedule()).toMatchObject({ invited: 2, reminded: 0, defaulted: 0, overdue: 0 });

    await clock({ set: '2026-11-05T02:00:00Z' }); // 3 days on: reminders; C6 still OPEN after its 11-03 deadline
    expect(await fireSchedule()).toMatchObject({ invited: 0, reminded: 2, defaulted: 0, overdue: 1 });
    expect(await outboundCount('gov.rectification.overdue', C6!.caseId)).toBe(1);

    await clock({ set: '2026-11-09T03:00:00Z' }); // 7 days and 1 hour on: defaults; rectifyDue (end of 11-09) not passed
    expect(await fireSchedule()).toMatchObject({ invited: 0, reminded: 0, defaulted: 2, overdue: 0 });
    const c4 = (await rt.get(`/cases/${C4!.caseId}`)).body;
    expect(c4.reviews.real).toBeNull();
    expect(c4.reviews.default).toMatchObject({ level: 3, defaulted: true, reviewerId: 'system:default' });

    // A real review after the default replaces it (received at 11:30, when it was submitted).
    await clock({ set: '2026-11-09T03:30:00Z' });
    await post(review('R7', C7!, 4, 'web', '2026-11-09T11:30:00+08:00'));
    const c7 = (await rt.get(`/cases/${C7!.caseId}`)).body;
    expect(c7.reviews).toMatchObject({ real: { reviewId: 'R7', level: 4 }, default: null });
    expect(c7.defaultedAt).not.toBeNull();

    await clock({ set: '2026-11-10T02:00:00Z' }); // past the end of 11-09: C6 not rectified
    expect(await fireSchedule()).toMatchObject({ invited: 0, reminded: 0, defaulted: 0, overdue: 1 });
    const rectB = (await rt.get(`/rectifications/${C6!.caseId}`)).body;
    expect(rectB.state).toBe('OPEN');
    expect(Object.keys(rectB.overdue).sort()).toEqual(['acknowledge', 'rectify']);
    expect(rectB.history.filter((h: any) => h.action === 'overdue')).toHaveLength(2);

    expect(await outboundCount('gov.review.invited')).toBe(2);
    expect(await outboundCount('gov.review.reminded')).toBe(2);
    expect(await outboundCount('gov.review.defaulted')).toBe(2);
    expect(await outboundCount('gov.rectification.overdue')).toBe(2);
  }, 60_000);

  // Hand-computed. Points: 5→10, 4→8, 3→6, 2→3, 1→0.
  const hand = {
    // 市场监管局: C1 L5, C2 L4, C3 L2 (rectified, return visit satisfied, closed), C4 default.
    // 4 cases; real 3; points 10+8+3 = 21; composite 21/3 = 7; 好评率 2/3; 差评率 1/3; 主动评价率 3/4;
    // 未评率 1/4; coverage (3+1)/4 = 1; 差评整改率 1/1; 回访率 1/1; 整改满意率 1/1; overdue 0.
    SJJ: expected({ completed: 4, levels: [0, 1, 0, 1, 1], defaulted: 1, rectified: 1, returnVisited: 1, satisfied: 1, overdueAck: 0, overdueRect: 0 }),
    // 城管局: C5 L3 (parked first), C6 L1 (overdue both ways, OPEN), C7 default replaced by L4.
    // 3 cases; real 3; points 6+0+8 = 14; composite 14/3 ≈ 4.67; 好评率 2/3; 差评率 1/3; 主动评价率 3/3;
    // 未评率 0; coverage 3/3; defaulted 0 (replaced); 差评整改率 0/1; 回访率 0/1; 整改满意率 null (no visit);
    // overdue 1 (one case, both kinds).
    CGJ: expected({ completed: 3, levels: [1, 0, 1, 1, 0], defaulted: 0, rectified: 0, returnVisited: 0, satisfied: 0, overdueAck: 1, overdueRect: 1 }),
    // Bureau: 7 cases; real 6 (levels 1:1, 2:1, 3:1, 4:2, 5:1); points 35; composite 35/6; defaulted 1 (C4);
    // coverage 7/7; 主动评价率 6/7; 差评整改率 1/2; 回访率 1/2; 整改满意率 1/1; overdue 1.
    all: expected({ completed: 7, levels: [1, 1, 1, 2, 1], defaulted: 1, rectified: 1, returnVisited: 1, satisfied: 1, overdueAck: 1, overdueRect: 1 }),
    // Channel where the service was delivered (the case's channel, not the review's):
    // window: C1 L5, C2 L4, C4 default, C6 L1 → 4 cases, real 3, points 18, composite 6, coverage 4/4.
    window: expected({ completed: 4, levels: [1, 0, 0, 1, 1], defaulted: 1, rectified: 0, returnVisited: 0, satisfied: 0, overdueAck: 1, overdueRect: 1 }),
    // web: C3 L2 (rectified), C7 L4 → 2 cases, points 11, composite 5.5, 差评整改率 1/1.
    web: expected({ completed: 2, levels: [0, 1, 0, 1, 0], defaulted: 0, rectified: 1, returnVisited: 1, satisfied: 1, overdueAck: 0, overdueRect: 0 }),
    // kiosk: C5 L3 → composite 6.
    kiosk: expected({ completed: 1, levels: [0, 0, 1, 0, 0], defaulted: 0, rectified: 0, returnVisited: 0, satisfied: 0, overdueAck: 0, overdueRect: 0 }),
    // Staff S-0521: C5 L3, C6 L1 (C7 has no staff member) → 2 cases, points 6, composite 3.
    'S-0521': expected({ completed: 2, levels: [1, 0, 1, 0, 0], defaulted: 0, rectified: 0, returnVisited: 0, satisfied: 0, overdueAck: 1, overdueRect: 1 }),
  };

  async function snapshot(): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const [dimension, key] of [
      ['all', 'all'], ['department', SJJ], ['department', CGJ], ['item', 'SJ-0001'], ['item', 'CG-0107'],
      ['staff', 'S-0317'], ['staff', 'S-0521'], ['channel', 'window'], ['channel', 'web'], ['channel', 'kiosk'],
      ['district', '440305'],
    ] as const) {
      out[`${dimension}/${key}/month`] = await figures(dimension, key);
      out[`${dimension}/${key}/day`] = await figures(dimension, key, '2026-11-02');
    }
    out.ranking = (await rt.get('/reviews/ranking?month=2026-11')).body;
    return out;
  }

  let before: Record<string, unknown>;

  it('reports every figure per department, item, staff member, channel and district, by day and month, and the ranking', async () => {
    before = await snapshot();
    const f = (k: string) => before[k] as ReturnType<typeof expected>;
    const near = (value: unknown) => expect.closeTo(value as number, 12);
    const withCloseRatios = (e: ReturnType<typeof expected>) =>
      Object.fromEntries(Object.entries(e).map(([k, v]) => [k, typeof v === 'number' && !Number.isInteger(v) ? near(v) : v]));

    expect(f(`department/${SJJ}/month`)).toEqual(withCloseRatios(hand.SJJ));
    expect(f(`department/${SJJ}/month`).compositeScore).toBe(7);
    expect(f(`department/${CGJ}/month`)).toEqual(withCloseRatios(hand.CGJ));
    expect(f(`department/${CGJ}/month`).satisfactionRate).toBeNull();
    expect(f('all/all/month')).toEqual(withCloseRatios(hand.all));
    expect(f('district/440305/month')).toEqual(withCloseRatios(hand.all));
    expect(f('item/SJ-0001/month')).toEqual(withCloseRatios(hand.SJJ));
    expect(f('item/CG-0107/month')).toEqual(withCloseRatios(hand.CGJ));
    expect(f('staff/S-0317/month')).toEqual(withCloseRatios(hand.SJJ));
    expect(f('staff/S-0521/month')).toEqual(withCloseRatios(hand['S-0521']));
    expect(f('channel/window/month')).toEqual(withCloseRatios(hand.window));
    expect(f('channel/web/month')).toEqual(withCloseRatios(hand.web));
    expect(f('channel/kiosk/month')).toEqual(withCloseRatios(hand.kiosk));
    // Every case completed on 11-02, so each day row equals its month row.
    for (const key of Object.keys(before).filter((k) => k.endsWith('/month'))) {
      expect(before[key.replace(/month$/, 'day')]).toEqual(before[key]);
    }
    // 市场监管局 7 (21/3) ahead of 城管局 14/3 ≈ 4.67.
    expect(before.ranking).toEqual({
      month: '2026-11',
      ranking: [
        { rank: 1, departmentCode: SJJ, compositeScore: 7, realReviews: 3 },
        { rank: 2, departmentCode: CGJ, compositeScore: 14 / 3, realReviews: 3 },
      ],
      unranked: [],
    });
    // Another month has nothing: zero counts, null ratios, nobody ranked.
    expect(await figures('department', SJJ, '2026-10')).toMatchObject({ completedCases: 0, compositeScore: null, coverage: null });
    expect((await rt.get('/reviews/ranking?month=2026-10')).body.ranking).toEqual([]);
  }, 60_000);

  it('lists every group of a dimension and names the bad parameter in a 400', async () => {
    const list = await rt.get('/reviews/figures?dimension=department&period=2026-11');
    expect(list.body.groups.map((g: any) => g.key)).toEqual([SJJ, CGJ].sort());
    for (const [query, name] of [
      ['dimension=region&key=x&period=2026-11', 'dimension'],
      ['dimension=department&key=x', 'period'],
      ['dimension=department&key=x&period=2026-13', 'period'],
      ['dimension=department&key=x&period=2026-02-30', 'period'],
      ['dimension=department&key=&period=2026-11', 'key'],
    ] as const) {
      const out = await rt.get(`/reviews/figures?${query}`);
      expect([query, out.status]).toEqual([query, 400]);
      expect(out.body.error).toMatch(new RegExp(`^${name} `));
    }
    const ranking = await rt.get('/reviews/ranking?month=11-2026');
    expect(ranking.status).toBe(400);
    expect(ranking.body.error).toMatch(/^month /);
    expect((await rt.get('/cases/NOPE')).status).toBe(404);
  }, 30_000);

  it('changes no figure when every message of the run is delivered again, under new ids and the same ids', async () => {
    const outboundBefore = (await rt.dev('GET', '/_dev/outbound')).body.count;
    const bySource = new Map<string, any[]>();
    const unique = [...new Map(posted.map((e) => [e.id, e])).values()];
    for (const e of unique) bySource.set(e.source, [...(bySource.get(e.source) ?? []), e]);
    for (const events of bySource.values()) {
      const again = events.map((e) => ({ ...e, id: `${e.id}-again` }));
      for (const batch of [again, events]) {
        const out = await rt.post(batch);
        expect(out.status).toBe(202);
        expect(out.body.rejected).toEqual([]);
      }
    }
    await rt.drain();
    expect(await fireSchedule()).toMatchObject({ invited: 0, reminded: 0, defaulted: 0, overdue: 0 });
    expect(await snapshot()).toEqual(before);
    expect((await rt.dev('GET', '/_dev/outbound')).body.count).toBe(outboundBefore);
    const queues = (await rt.dev('GET', '/_dev/queues')).body;
    expect(queues.review.dlq).toBe(0);
  }, 90_000);

  it('stays exact when cases and competing reviews of the same cases arrive concurrently', async () => {
    // December cases of a third department, so the November figures above are untouched. Each case gets
    // two different real reviews (levels 5 and 1), each also under a second event id, all in flight with
    // the case itself: whichever review wins, every case has exactly one, and the counters agree.
    const QXJ = '440305-QXJ';
    const n = 12;
    const specs: CaseSpec[] = Array.from({ length: n }, (_, i) => ({
      caseId: `RV-D${i}`,
      dept: QXJ,
      item: 'QX-0001',
      channel: 'app',
      completedAt: '2026-12-01T09:00:00+08:00',
      applicant: applicant(200 + i),
    }));
    const reviews = specs.flatMap((c, i) => {
      const good = review(`D${i}-good`, c, 5, 'app', `2026-12-01T10:00:0${i % 10}+08:00`);
      const bad = review(`D${i}-bad`, c, 1, 'sms', `2026-12-01T10:00:0${(i + 5) % 10}+08:00`);
      return [good, bad, { ...good, id: `${good.id}-x` }, { ...bad, id: `${bad.id}-x` }];
    });
    // Received that day at 11:00, after every case and review (none is taken dated after its receipt).
    await clock({ set: '2026-12-01T03:00:00Z' });
    const [casesOut, reviewsOut] = await Promise.all([rt.post(specs.map(completed)), rt.post(reviews)]);
    expect([casesOut.status, reviewsOut.status]).toEqual([202, 202]);
    await rt.drain();
    await clock({ set: '2026-11-10T02:00:00Z' });

    const levels: number[] = [];
    for (const c of specs) {
      const body = (await rt.get(`/cases/${c.caseId}`)).body;
      expect(body.status).toBe('completed');
      expect(body.parked).toEqual([]);
      expect(body.rejections).toHaveLength(1);
      expect(body.rejections[0].code).toBe('DUPLICATE_REVIEW');
      levels.push(body.reviews.real.level);
      expect((await rt.get(`/rectifications/${c.caseId}`)).status).toBe(body.reviews.real.level === 1 ? 200 : 404);
    }
    const fives = levels.filter((l) => l === 5).length;
    const f = await figures('department', QXJ, '2026-12');
    expect(f).toMatchObject({ completedCases: n, realReviews: n, byLevel: { 1: n - fives, 2: 0, 3: 0, 4: 0, 5: fives }, points: 10 * fives });
    expect((await rt.dev('GET', '/_dev/queues')).body.review.dlq).toBe(0);
  }, 60_000);

  it('opens a review case for an approved application, and accepts an SMS review known only by phone', async () => {
    await post(sample('gov.catalog.item.published', 'weather-certificate'));
    await post(sample('gov.person.profile.updated', 'resident-futian'), sample('gov.credit.updated', 'person-good-standing'));
    const application = sample('gov.application.submitted', 'instant-weather-certificate');
    await post(application);
    const caseId = application.data.applicationId;
    expect((await rt.get(`/applications/${caseId}`)).body.outcome).toBe('APPROVED');

    const opened = (await rt.get(`/cases/${caseId}`)).body;
    expect(opened).toMatchObject({
      status: 'completed',
      case: { caseId, itemCode: 'QX-0001', applicantId: application.data.applicant.id, channel: 'kiosk', source: 'application' },
    });
    // The SMS channel names the reviewer by phone: it cannot be compared with the applicant's ID number.
    // Received at 10:30 in Shanghai, when it was submitted.
    await clock({ set: '2026-11-10T02:30:00Z' });
    const sms = sample('gov.review.submitted', 'sms-review');
    await post({ ...sms, data: { ...sms.data, submittedAt: '2026-11-10T10:30:00+08:00' } });
    const reviewed = (await rt.get(`/cases/${caseId}`)).body;
    expect(reviewed.rejections).toEqual([]);
    expect(reviewed.reviews.real).toMatchObject({ reviewId: sms.data.reviewId, level: 4, channel: 'sms' });
  }, 60_000);

  it('applies a rectification step that overtook the step it depends on, and refuses at once a step the case is past', async () => {
    // January, a department of its own: no figure asserted above moves.
    const c: CaseSpec = { caseId: 'RV-E1', dept: '440305-WJJ', item: 'WJ-0001', staff: 'S-0801', channel: 'window', completedAt: '2027-01-04T09:00:00+08:00', applicant: applicant(300) };
    // Every event below is received at noon that day, after it happened.
    await clock({ set: '2027-01-04T04:00:00Z' });
    await post(completed(c), review('E1-bad', c, 1, 'window', '2027-01-04T09:30:00+08:00'));
    expect((await rt.get(`/rectifications/${c.caseId}`)).body.state).toBe('OPEN');

    const failed = (eventId: string) =>
      readFileSync(rt.logFile, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('{') && l.includes(eventId))
        .map((l) => JSON.parse(l))
        .filter((r) => r.message === 'record failed' && r.eventId === eventId);

    // One request, one SendMessageBatch, rectify first: it is received before acknowledge, fails (retried,
    // not refused), and applies on a later receive once acknowledge has.
    const rectify = step(c, 'rectify', '2027-01-04T10:20:00+08:00');
    const both = await rt.post([rectify, step(c, 'acknowledge', '2027-01-04T10:10:00+08:00')]);
    expect([both.status, both.body.rejected]).toEqual([202, []]);
    await rt.drain();
    expect(failed(rectify.id).map((r) => Number(r.receiveCount))).toEqual([1]);

    const rect = (await rt.get(`/rectifications/${c.caseId}`)).body;
    expect(rect.state).toBe('RECTIFIED');
    expect(rect.history.map((h: any) => [h.action, h.from, h.to])).toEqual([
      ['open', null, 'OPEN'],
      ['acknowledge', 'OPEN', 'IN_PROGRESS'],
      ['rectify', 'IN_PROGRESS', 'RECTIFIED'],
    ]);
    expect(rect.refused).toEqual([]);
    expect(await outboundCount('gov.rectification.rectified', c.caseId)).toBe(1);

    // Again in one batch, the later step first: both apply.
    const pair = await rt.post([step(c, 'close', '2027-01-04T11:10:00+08:00'), step(c, 'returnVisit', '2027-01-04T11:00:00+08:00', { satisfied: true })]);
    expect([pair.status, pair.body.rejected]).toEqual([202, []]);
    await rt.drain();
    const closed = (await rt.get(`/rectifications/${c.caseId}`)).body;
    expect(closed.state).toBe('CLOSED');
    expect(closed.history.map((h: any) => h.action)).toEqual(['open', 'acknowledge', 'rectify', 'returnVisit', 'close']);
    expect(closed.refused).toEqual([]);

    // acknowledge can never apply to a CLOSED case: refused on its first receive, never retried.
    const late = step(c, 'acknowledge', '2027-01-04T11:30:00+08:00');
    await post(late);
    const after = (await rt.get(`/rectifications/${c.caseId}`)).body;
    expect(after.history).toEqual(closed.history);
    expect(after.refused.map((r: any) => [r.details.action, r.code])).toEqual([['acknowledge', 'ACTION_NOT_ALLOWED']]);
    expect(failed(late.id)).toEqual([]);
    expect((await rt.dev('GET', '/_dev/queues')).body.review.dlq).toBe(0);
  }, 60_000);
});
