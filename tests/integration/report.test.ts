/**
 * The monthly report through the local runtime: a month (November 2026) of known traffic —
 * applications on four items with known outcomes, a policy pushed over 31 enterprises with two
 * confirmations and a disbursement, cases and reviews of known levels with one rectification driven to
 * closure and one left to go overdue — then the clock moves to December, the deadline and review schedules
 * run, the monthly-report schedule builds November, and every figure read back through
 * GET /reports/{district}/{month} is checked against values computed by hand below. Two 办不成事 cases (one
 * closed, one never contacted) and the upward sync of the month's reviews and steps to the runtime's
 * stand-in platform (which refuses one case) fill the report's last two sections, checked by hand and
 * against GET /hardcases/figures and GET /reviews/sync/figures. The structured log lines the saved Logs
 * Insights queries read are checked in the runtime's log.
 *
 * Calendar (Asia/Shanghai; November 2026 has no public holiday): Tue 11-03, Wed 11-04, Thu 11-05.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { makeCreditCode, makeIdNumber } from '#contract/identifiers';
import { renderHtml as renderPage } from '#report/html';
import { renderHtml, renderText } from '#report/render';
import type { MonthlyReport } from '#report/domain/build';
import { startLocal, sample, type Running } from '#support/runtime';

let rt: Running;
beforeAll(async () => {
  rt = await startLocal({ env: { CIVICFLOW_LOCAL_CONFIG: JSON.stringify({ upward: { profile: 'national', url: 'local', dataSource: '144' } }) } });
  await rt.dev('POST', '/_dev/clock', { set: '2026-11-05T06:30:00.000Z' }); // Thu 11-05 14:30 local
}, 120_000);
afterAll(async () => {
  await rt?.dev('POST', '/_dev/clock', { reset: true }).catch(() => undefined);
  await rt?.stop();
});

const CGJ = '440305-CGJ';
const SJJ = '440305-SJJ';
const QXJ = '440305-QXJ';
const GAJ = '440305-GAJ';
const SWJ = '440305-SWJ';
const WANG = '440304198506122460';
// SJ-0001 gets a credit code for the platform; the other items have none, so their records cannot be mapped.
const SJJ_CREDIT = makeCreditCode('11440305007497265');
const HOTLINE = '/systems/hotline-12345';
const ACCEPTANCE = '/systems/window-acceptance';

let seq = 0;
function variant(type: string, name: string, data: Record<string, unknown> = {}): any {
  const base = sample(type, name);
  return { ...base, id: `${base.id}-r${++seq}`, data: { ...base.data, ...data } };
}
/** Posts in batches of one source each (a batch is signed by one source), then waits for the queues. */
async function post(events: any[]): Promise<void> {
  const batches: any[][] = [];
  for (const e of events) {
    const last = batches.at(-1);
    if (last && last.length < 100 && last[0].source === e.source) last.push(e);
    else batches.push([e]);
  }
  for (const batch of batches) {
    const out = await rt.post(batch);
    expect([out.status, out.body.rejected]).toEqual([202, []]);
  }
  await rt.drain();
}
async function fire(schedule: string): Promise<any> {
  const out = await rt.dev('POST', `/_dev/schedules/${schedule}`);
  expect([schedule, out.status]).toEqual([schedule, 200]);
  await rt.drain();
  return out.body.result;
}

// ------------------------------------------------------------------ traffic

const instant = sample('gov.application.submitted', 'instant-outdoor-advertising'); // CG-0107, submitted 11-03
const pending = sample('gov.application.submitted', 'pending-materials'); // CG-0107 容缺, submitted 11-03
const weather = sample('gov.application.submitted', 'instant-weather-certificate'); // QX-0001, submitted 11-05
const commitment = sample('gov.application.submitted', 'commitment-no-criminal-record'); // GA-0212, submitted 11-04
const tooLarge = variant('gov.application.submitted', 'instant-outdoor-advertising', {
  applicationId: 'SQ-20261103-009001',
  form: { ...instant.data.form, areaSqm: 50 },
});

// 一件事: the 出生一件事 bundle's four items and an application asked its situation questions (NEEDS_ANSWER: no
// child decided, so no decision, case or review joins the figures above), submitted Wed 11-04.
const bundleItem = (itemCode: string, certificateType: string) =>
  variant('gov.catalog.item.published', 'enterprise-startup-manual', {
    itemCode,
    name: `事项 ${itemCode}`,
    departmentCode: `440305-${itemCode}`,
    mode: 'instant',
    legalDays: 10,
    materials: [{ code: 'M-IDCARD', name: '居民身份证', licenceType: '居民身份证' }],
    rules: { id: `R-${itemCode}`, description: '申请人年满18周岁', fact: 'applicant.birthDate', op: 'ageAtLeast', value: 18 },
    certificateType,
  });
const NEWBORN_ITEMS = [['CS-CSYXZM', '出生医学证明'], ['CS-HKDJ', '户口登记'], ['CS-YBCB', '医保参保凭证'], ['CS-SBKSL', '社会保障卡']] as const;
const newborn = variant('gov.application.submitted', 'instant-outdoor-advertising', {
  applicationId: 'YJS-20261104-000001',
  itemCode: undefined,
  bundleCode: 'YJS-CSYJS',
  answers: { hukouHere: true },
  applicant: { kind: 'person', id: '440305199003071236', name: '张伟' },
  form: {},
  materials: [],
  submittedAt: '2026-11-04T10:00:00+08:00',
});

/** 30 generated enterprises: i % 3 = 0 large (not eligible), 1 small exporter (eligible), 2 micro without export data (needs info). */
const enterprises = Array.from({ length: 30 }, (_, i) => {
  const creditCode = makeCreditCode(`91440300MA5R${String(i).padStart(5, '0')}`);
  const base = sample('gov.enterprise.profile.updated', 'small-exporter');
  const data: Record<string, unknown> = { ...base.data, creditCode, name: `测试企业${i}`, size: ['large', 'small', 'micro'][i % 3] };
  if (i % 3 === 2) delete data.exportValueUsd;
  if (i % 3 === 1) data.exportValueUsd = 1_000_000;
  return { ...base, id: `${base.id}-e${i}`, data };
});

const person = (n: number) => makeIdNumber('440305', '19900307', String(200 + n).padStart(3, '0'));
interface CaseSpec {
  caseId: string;
  dept: string;
  item: string;
  n: number;
}
const C: Record<string, CaseSpec> = {
  C1: { caseId: 'RP-C1', dept: SJJ, item: 'SJ-0001', n: 1 },
  C2: { caseId: 'RP-C2', dept: SJJ, item: 'SJ-0001', n: 2 },
  C3: { caseId: 'RP-C3', dept: SJJ, item: 'SJ-0001', n: 3 },
  C4: { caseId: 'RP-C4', dept: CGJ, item: 'CG-0107', n: 4 },
  C5: { caseId: 'RP-C5', dept: CGJ, item: 'CG-0107', n: 5 },
  C6: { caseId: 'RP-C6', dept: CGJ, item: 'CG-0107', n: 6 },
};
const completed = (c: CaseSpec) =>
  variant('gov.case.completed', 'window-case', {
    caseId: c.caseId,
    itemCode: c.item,
    departmentCode: c.dept,
    applicantId: person(c.n),
    channel: 'window',
    completedAt: '2026-11-02T09:00:00+08:00',
    staffId: 'S-0001',
  });
const review = (c: CaseSpec, level: number) =>
  variant('gov.review.submitted', 'good-review', {
    reviewId: `RV-${c.caseId}`,
    caseId: c.caseId,
    itemCode: c.item,
    departmentCode: c.dept,
    staffId: 'S-0001',
    channel: 'window',
    level,
    reviewerId: person(c.n),
    submittedAt: '2026-11-02T10:00:00+08:00',
  });
const step = (c: CaseSpec, action: string, at: string, extra: Record<string, unknown> = {}) =>
  variant('gov.rectification.updated', 'acknowledge', {
    caseId: c.caseId,
    action,
    actor: { departmentCode: c.dept, staffId: 'S-9001' },
    at,
    ...extra,
  });

/** A hard-case event from its source, on a fresh id. */
function hardCaseEvent(source: string, type: string, data: Record<string, unknown>): any {
  return { specversion: '1.0', id: `rp-hc-${++seq}`, source, type, time: String(data.at ?? data.reportedAt), datacontenttype: 'application/json', data };
}
const hotlineStaff = { departmentCode: '440305-12345', staffId: 'H-0007' };

let report: MonthlyReport;

describe('the monthly report through the local runtime', () => {
  it('takes a month of known traffic', async () => {
    await post([
      sample('gov.catalog.item.published', 'weather-certificate'),
      sample('gov.catalog.item.published', 'outdoor-advertising'),
      sample('gov.catalog.item.published', 'no-criminal-record'),
      // With the department's credit code, which the platform's records carry (the other items lack it).
      variant('gov.catalog.item.published', 'enterprise-startup-manual', { departmentCreditCode: SJJ_CREDIT }),
    ]);
    await post([
      sample('gov.person.profile.updated', 'resident'),
      sample('gov.person.profile.updated', 'resident-futian'),
      sample('gov.enterprise.profile.updated', 'small-exporter'),
      ...enterprises,
    ]);
    await post([
      sample('gov.licence.issued', 'business-licence'),
      sample('gov.licence.issued', 'resident-id-card'),
      variant('gov.licence.issued', 'resident-id-card', { licenceNo: 'SFZ-440304-2015-0662810', holderId: WANG, attributes: { name: '王芳' } }),
      sample('gov.credit.updated', 'good-standing'),
      sample('gov.credit.updated', 'person-good-standing'),
    ]);

    // 秒批: five applications in November.
    await post([instant, pending, weather, commitment, tooLarge]);
    const outcomes = await Promise.all(
      [instant, pending, weather, commitment, tooLarge].map(async (a) => (await rt.get(`/applications/${a.data.applicationId}`)).body.outcome),
    );
    expect(outcomes).toEqual(['APPROVED', 'ACCEPTED_PENDING_MATERIALS', 'APPROVED', 'APPROVED_ON_COMMITMENT', 'REJECTED']);

    // 免申即享: the export-credit-insurance policy over 31 enterprises; two confirm, one is paid.
    await post([sample('gov.policy.published', 'export-credit-insurance')]);
    await post([
      sample('gov.policy.confirmed', 'one-click-confirmation'),
      variant('gov.policy.confirmed', 'one-click-confirmation', { creditCode: enterprises[1]!.data.creditCode, at: '2026-11-05T10:00:00+08:00' }),
    ]);

    // 好差评: six cases on Monday 11-02, five reviews, one 差评 rectified to closure, one left alone.
    await post(Object.values(C).map(completed));
    await post([review(C.C1!, 5), review(C.C2!, 4), review(C.C3!, 1), review(C.C4!, 2), review(C.C5!, 3)]);
    for (const [action, at, extra] of [
      ['acknowledge', '2026-11-03T09:00:00+08:00', {}],
      ['rectify', '2026-11-04T09:00:00+08:00', {}],
      ['returnVisit', '2026-11-05T09:00:00+08:00', { satisfied: true }],
      ['close', '2026-11-05T10:00:00+08:00', {}],
    ] as const) {
      await post([step(C.C3!, action, at, extra)]);
    }
    expect((await rt.get(`/rectifications/${C.C3!.caseId}`)).body.state).toBe('CLOSED');

    // 办不成事: a hotline case closed in three days, a window case never contacted.
    await post([
      hardCaseEvent(HOTLINE, 'gov.hardcase.reported', { caseId: 'RP-HC-1', channel: 'hotline', description: '社保转移接续两地互相推诿', reportedAt: '2026-11-03T09:00:00+08:00', contactPhone: '13812345678' }),
      hardCaseEvent(ACCEPTANCE, 'gov.hardcase.reported', { caseId: 'RP-HC-2', channel: 'window', itemCode: 'CG-0107', description: '户外广告审批材料反复补正', reportedAt: '2026-11-04T15:00:00+08:00' }),
    ]);
    for (const [action, at, extra] of [
      ['contact', '2026-11-03T10:00:00+08:00', {}],
      ['resolve', '2026-11-04T10:00:00+08:00', { cause: 'dataSharing' }],
      ['returnVisit', '2026-11-05T09:00:00+08:00', { satisfied: true }],
      ['close', '2026-11-05T09:10:00+08:00', {}],
    ] as const) {
      await post([hardCaseEvent(HOTLINE, 'gov.hardcase.updated', { caseId: 'RP-HC-1', action, actor: hotlineStaff, at, ...extra })]);
    }
    expect((await rt.get('/hardcases/RP-HC-1')).body.state).toBe('CLOSED');

    // Upward sync of what happened so far; the platform does not know C2's department yet.
    expect((await rt.dev('POST', '/_dev/upward/receiver', { refuse: [{ id: C.C2!.caseId, code: 'E_DEPT_UNKNOWN', message: '部门未在平台注册' }] })).status).toBe(200);
    // Sent: C1's and C3's reviews and C3's five steps (open, acknowledge, rectify, returnVisit, close), and
    // C2's review, which the platform refuses; C4's and C5's (CG-0107, no credit code) were refused before sending.
    expect((await fire('upward-sync')).sync).toMatchObject({ attempted: 8, acked: 7, rejected: 1 });

    await post(NEWBORN_ITEMS.map(([code, certificate]) => bundleItem(code, certificate)));
    await post([sample('gov.catalog.bundle.published', 'newborn')]);
    await post([newborn]);
    expect((await rt.get(`/applications/${newborn.data.applicationId}`)).body).toMatchObject({ kind: 'bundle', status: 'NEEDS_ANSWER', children: [] });
  }, 120_000);

  it('moves into December: deadlines pass, defaults are recorded, and the schedule builds November once', async () => {
    await rt.dev('POST', '/_dev/clock', { set: '2026-12-04T02:00:00.000Z' }); // Fri 12-04 10:00 local
    await post([sample('gov.policy.disbursed', 'premium-paid')]);
    const deadlines = await fire('approval-deadlines');
    expect(deadlines).toMatchObject({ terminated: 1, flagged: 1 });
    await fire('review-schedule');
    await fire('review-schedule');

    expect((await rt.get('/reports/440305/2026-11')).status).toBe(404);
    expect(await fire('monthly-report')).toEqual({ district: '440305', month: '2026-11', outcome: 'generated' });
    expect(await fire('monthly-report')).toEqual({ district: '440305', month: '2026-11', outcome: 'exists' });

    const out = await rt.get('/reports/440305/2026-11');
    expect(out.status).toBe(200);
    report = out.body as MonthlyReport;
    // For scripts/render-report.sh (the README picture): REPORT_JSON_OUT=/tmp/report.json npm run test:jest -- <this file>
    if (process.env.REPORT_JSON_OUT) writeFileSync(process.env.REPORT_JSON_OUT, JSON.stringify(report, null, 2));
    expect(report).toMatchObject({ kind: 'civicflow.monthly-report', district: { code: '440305', name: '南山区' }, month: '2026-11' });
    expect(report.departments.map((d) => d.departmentCode)).toEqual([CGJ, GAJ, QXJ, SJJ, SWJ]);

    expect((await rt.get('/reports/440305/2026-13')).status).toBe(400);
    expect((await rt.get('/reports/440304/2026-11')).status).toBe(404);
    expect((await rt.get('/reports/440305/2026-10')).status).toBe(404);
  }, 120_000);

  const dept = (code: string) => report.departments.find((d) => d.departmentCode === code)!;

  it('has the 秒批 figures of November per department', async () => {
    // CGJ: APPROVED (11-03 → 11-05: 2 of 20 working days), REJECTED (same), TERMINATED (容缺 deadline 11-10 missed).
    expect(dept(CGJ).approval).toMatchObject({
      decisions: 3,
      byOutcome: { APPROVED: 1, REJECTED: 1, TERMINATED: 1, APPROVED_ON_COMMITMENT: 0, ACCEPTED_PENDING_MATERIALS: 0, MANUAL_REVIEW: 0, REVOKED: 0 },
      instantItemDecisions: 3,
      instantApprovals: 1,
      timeLimitCompression: { count: 2 },
      overdueVerifications: 0,
    });
    expect(dept(CGJ).approval.instantApprovalRate).toBeCloseTo(1 / 3, 12);
    expect(dept(CGJ).approval.timeLimitCompression.mean).toBeCloseTo(1 - 2 / 20, 12);
    // QXJ: approved on the day of submission: compression 1.
    expect(dept(QXJ).approval).toMatchObject({ decisions: 1, instantItemDecisions: 1, instantApprovals: 1, instantApprovalRate: 1 });
    expect(dept(QXJ).approval.timeLimitCompression).toEqual({ count: 1, mean: 1 });
    // GAJ: on commitment 11-04 → 11-05 (1 of 7 working days); verification due 20 working days after the decision (12-03), not reported: overdue.
    expect(dept(GAJ).approval).toMatchObject({ decisions: 1, byOutcome: { APPROVED_ON_COMMITMENT: 1 }, instantItemDecisions: 0, instantApprovalRate: null, overdueVerifications: 1 });
    expect(dept(GAJ).approval.timeLimitCompression.mean).toBeCloseTo(1 - 1 / 7, 12);
    expect(dept(SJJ).approval.decisions).toBe(0);

    const total = report.total.approval;
    expect(total).toMatchObject({ decisions: 5, instantItemDecisions: 4, instantApprovals: 2, instantApprovalRate: 0.5, overdueVerifications: 1 });
    expect(total.byOutcome).toMatchObject({ APPROVED: 2, APPROVED_ON_COMMITMENT: 1, REJECTED: 1, TERMINATED: 1 });
    expect(total.timeLimitCompression.count).toBe(4);
    expect(total.timeLimitCompression.mean).toBeCloseTo((0.9 + 0.9 + 1 + 6 / 7) / 4, 12);

    // Waived materials and latencies as each decision records them (latency depends on the wall clock).
    const decisions = await Promise.all(
      [instant, pending, weather, commitment, tooLarge].map(async (a) => (await rt.get(`/applications/${a.data.applicationId}`)).body),
    );
    expect(total.materialsWaived).toBe(decisions.reduce((s, d) => s + d.materialsWaived.length, 0));
    expect(total.materialsWaived).toBeGreaterThanOrEqual(2);
    const latencies = decisions.map((d) => d.latencyMs as number).sort((a, b) => a - b);
    expect(total.latencyMs.count).toBe(5);
    expect(total.latencyMs.max).toBe(latencies[4]);
    expect(total.latencyMs.mean).toBeCloseTo(latencies.reduce((s, v) => s + v, 0) / 5, 6);
  });

  it('has the 免申即享 figures of the policy valid in November', () => {
    // Eligible: the sample small exporter and the 10 generated small exporters; 10 micro lack export data.
    const expected = {
      policyId: 'POL-2026-EXPORT-INS',
      departmentCode: SWJ,
      kind: 'confirm',
      eligible: 11,
      needsInfo: 10,
      notified: 11,
      delivered: 11,
      confirmed: 2,
      granted: 0,
      disbursed: 1,
      exhausted: 0,
      lapsed: 0,
      amountDisbursed: 18650.5,
    };
    expect(report.policies).toHaveLength(1);
    expect(report.policies[0]).toMatchObject(expected);
    expect(report.policies[0]!.coverage).toBeCloseTo(2 / 11, 12);
    expect(dept(SWJ).entitlement).toMatchObject({ policies: 1, eligible: 11, needsInfo: 10, notified: 11, delivered: 11, confirmed: 2, disbursed: 1, lapsed: 0, objectionsFiled: 0 });
    expect(report.total.entitlement.coverage).toBeCloseTo(2 / 11, 12);
    expect(dept(CGJ).entitlement.policies).toBe(0);
  });

  it('has the 好差评 figures of cases completed in November, the ranking and the 差评 trend', () => {
    // SJJ: levels 5, 4, 1 → 18 points / 3; the 差评 rectified, return-visited (satisfied) and closed.
    expect(dept(SJJ).review).toMatchObject({
      completedCases: 3,
      realReviews: 3,
      byLevel: { 5: 1, 4: 1, 3: 0, 2: 0, 1: 1 },
      positive: 2,
      negative: 1,
      defaulted: 0,
      compositeScore: 6,
      activeReviewRate: 1,
      unreviewedRate: 0,
      coverage: 1,
      rectified: 1,
      rectificationRate: 1,
      returnVisited: 1,
      returnVisitRate: 1,
      returnVisitSatisfied: 1,
      satisfactionRate: 1,
      overdue: 0,
      rank: 1,
    });
    expect(dept(SJJ).review.positiveRate).toBeCloseTo(2 / 3, 12);
    // CGJ: C4 level 2 (never acknowledged: overdue twice), C5 level 3, C6 and the approval's case defaulted.
    expect(dept(CGJ).review).toMatchObject({
      completedCases: 4,
      realReviews: 2,
      byLevel: { 3: 1, 2: 1 },
      points: 9,
      compositeScore: 4.5,
      defaulted: 2,
      positiveRate: 0.5,
      negativeRate: 0.5,
      activeReviewRate: 0.5,
      unreviewedRate: 0.5,
      coverage: 1,
      rectified: 0,
      rectificationRate: 0,
      returnVisitRate: 0,
      satisfactionRate: null,
      overdue: 1,
      overdueAcknowledge: 1,
      overdueRectify: 1,
      rank: 2,
    });
    // The approvals' own cases: completed on the decision day, defaulted after 7 days, not ranked.
    for (const code of [QXJ, GAJ]) {
      expect(dept(code).review).toMatchObject({ completedCases: 1, realReviews: 0, defaulted: 1, compositeScore: null, coverage: 1, rank: null });
    }
    expect(report.total.review).toMatchObject({ completedCases: 9, realReviews: 5, points: 27, compositeScore: 5.4, defaulted: 4, negative: 2, rectified: 1, rectificationRate: 0.5, overdue: 1 });
    expect(report.ranking).toEqual([
      { rank: 1, departmentCode: SJJ, compositeScore: 6, realReviews: 3 },
      { rank: 2, departmentCode: CGJ, compositeScore: 4.5, realReviews: 2 },
    ]);
    expect(report.badReviewTrend).toHaveLength(30);
    expect(report.badReviewTrend.filter((d) => d.realReviews > 0)).toEqual([{ day: '2026-11-02', realReviews: 5, negative: 2 }]);
  });

  it('has the 办不成事 cases reported in November, counted as GET /hardcases/figures counts them', async () => {
    // RP-HC-1 closed after a resolution on 11-04; RP-HC-2 never contacted (due 11-04) nor resolved (due 11-11).
    // The case the 容缺 application's termination offered was reported on 12-04: December's.
    const h = report.hardCases!;
    expect(h.all).toEqual({
      ...{ received: 2, offered: 0, contacted: 1, resolved: 1, explained: 0, escalated: 0, returnVisited: 1, satisfied: 1, closed: 1 },
      ...{ overdueContact: 1, overdueResolve: 1, overdue: 1, resolutionRate: 0.5, satisfactionRate: 1 },
    });
    expect(h.byChannel.map((r) => [r.channel, r.counts.received, r.counts.closed, r.counts.overdue])).toEqual([
      ['hotline', 1, 1, 0],
      ['window', 1, 0, 1],
    ]);
    expect(h.byCause.map((r) => [r.cause, r.counts.resolved])).toEqual([['dataSharing', 1], ['unclassified', 0]]);
    expect(h.byItem.map((r) => [r.itemCode, r.counts.received, r.counts.overdue])).toEqual([['CG-0107', 1, 1]]);
    const route = await rt.get('/hardcases/figures?period=2026-11');
    expect(route.status).toBe(200);
    const { causes: _causes, ...figures } = route.body;
    expect(h).toEqual(figures);
    expect(JSON.stringify(report)).not.toContain('13812345678');
  });

  it('has the upward sync of November\'s reviews, defaults and steps, counted as GET /reviews/sync/figures counts them', async () => {
    // ACKED (SJ-0001, which has a credit code): C1's and C3's reviews, C3's five steps. REJECTED: C2's review
    // by the platform; by our profile (no credit code): C4's review and its rectification's opening, C5's
    // review, and the defaults of C6 and of the three approvals' cases (each 7 days after completion: November).
    const u = report.upwardSync!;
    expect(u.records).toBe(15);
    expect(u.byState).toEqual({ PENDING: 0, SENT: 0, ACKED: 7, REJECTED: 8, PARKED: 0 });
    expect(u.rejectionsByReason).toEqual([
      { code: 'MAPPING', count: 7 },
      { code: 'E_DEPT_UNKNOWN', count: 1 },
    ]);
    // All seven acked in one run on 11-05 at about 14:30. Their sources, oldest first: C1's and C3's reviews
    // and C3's opening (11-02 10:00), acknowledge (11-03 09:00), rectify (11-04 09:00), returnVisit (11-05 09:00),
    // close (11-05 10:00). Nearest rank: p50 is the 4th largest lag (acknowledge's), p99 the largest (a review's).
    expect(u.lag.count).toBe(7);
    const ranOn = Date.parse('2026-11-05T14:30:00+08:00');
    const lagOf = (source: string) => ranOn - Date.parse(source);
    // The functions' clock moved on (under 30 minutes) while the month was posted.
    const late = (lag: number | null, source: string) => (lag! - lagOf(source) >= 0 && lag! - lagOf(source) < 30 * 60_000 ? 'on time' : lag! - lagOf(source));
    expect([late(u.lag.p50Ms, '2026-11-03T09:00:00+08:00'), late(u.lag.p99Ms, '2026-11-02T10:00:00+08:00')]).toEqual(['on time', 'on time']);
    expect(u.lag.maxMs).toBe(u.lag.p99Ms);
    // Nothing on its way; the oldest refused records are of 11-02 10:00, the first by record id C2's.
    expect(u.oldestPending).toBeNull();
    expect(u.oldestUnacked).toMatchObject({ recordId: `${C.C2!.caseId}#1`, state: 'REJECTED', sourceEventAt: '2026-11-02T02:00:00.000Z' });

    const route = await rt.get('/reviews/sync/figures?period=2026-11');
    expect(route.status).toBe(200);
    const { period: _period, ...figures } = route.body;
    const withoutAge = (f: any) => ({ ...f, oldestUnacked: f.oldestUnacked && { ...f.oldestUnacked, ageMs: undefined } });
    expect(withoutAge(u)).toEqual(withoutAge(figures));
  });

  it('keeps the month’s 一件事 figures as GET /approval/bundle-figures counts them', async () => {
    expect(report.version).toBe(7);
    expect(report.bundles).toEqual({
      byBundle: [{ bundleCode: 'YJS-CSYJS', bundles: 1, byStatus: { NEEDS_ANSWER: 1 }, final: 0, noPersonShare: null, materialsSaved: 0, workingDays: 0, legalDays: 0, timeAgainstLegal: null }],
      total: { bundles: 1, byStatus: { NEEDS_ANSWER: 1 }, final: 0, noPersonShare: null, materialsSaved: 0, workingDays: 0, legalDays: 0, timeAgainstLegal: null },
    });
    const { bundleCode: _code, ...route } = (await rt.get('/approval/bundle-figures?bundleCode=YJS-CSYJS')).body;
    const { bundleCode: _c, ...row } = report.bundles!.byBundle[0]!;
    expect(row).toEqual(route);
  });

  it('draws the 办不成事 and upward-sync tables on the page and in the terminal', () => {
    const html = renderPage(report);
    const cells = (id: string) => {
      const table = new RegExp(`<table class="section" data-table="${id}">(.*?)</table>`).exec(html)![1]!;
      return [...table.matchAll(/<tr>(.*?)<\/tr>/g)].slice(1).map((row) => [...row[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]));
    };
    expect(cells('hardcase-by-channel')).toEqual([
      ['12345热线', '1', '0', '1', '1', '0', '0', '1', '1', '100.0%', '100.0%', '0', '0', '0'],
      ['办不成事窗口', '1', '0', '0', '0', '0', '0', '0', '0', '0.0%', '—', '1', '1', '1'],
      ['合计', '2', '0', '1', '1', '0', '0', '1', '1', '50.0%', '100.0%', '1', '1', '1'],
    ]);
    expect(cells('upward-by-state').map((r) => r.join(' '))).toEqual(['待推送 0', '已推送待回执 0', '平台已接收 7', '被退回 8', '多次失败暂停（待人工重推） 0', '合计 15']);
    expect(cells('upward-rejections')).toEqual([
      ['无法转换为平台格式', 'MAPPING', '7'],
      ['平台退回', 'E_DEPT_UNKNOWN', '1'],
    ]);
    expect(renderText(report)).toMatch(/│ 平台已接收\s+│\s+7 │/);
  });

  it('carries Chinese labels, and renders as a terminal table and an offline HTML page with charts', () => {
    expect(report.labels['review.rectificationRate']).toBe('差评整改率');
    expect(report.labels['approval.instantApprovalRate']).toBe('秒批率');
    expect(report.labels['entitlement.coverage']).toBe('政策覆盖率');
    const text = renderText(report);
    expect(text).toMatch(/│ 差评整改率\s+│\s+0\.0%\s+│\s+—\s+│\s+—\s+│\s+100\.0%\s+│\s+—\s+│\s+50\.0%\s+│/);
    expect(text).toMatch(/│ 秒批率\s+│\s+33\.3%\s+│\s+—\s+│\s+100\.0%\s+│\s+—\s+│\s+—\s+│\s+50\.0%\s+│/);
    const html = renderHtml(report);
    // The four charts at the top and the 一件事 chart in its section.
    expect(html.match(/<figure class="chart" data-chart="[a-z-]+">/g)).toHaveLength(5);
    expect(html).not.toMatch(/(src|href)=|<script|@import|url\(/);
  });

  it('writes the structured log lines the saved Logs Insights queries read', () => {
    const lines = readFileSync(rt.logFile, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, any>;
        } catch {
          return {};
        }
      });
    const of = (message: string) => lines.filter((l) => l.message === message);
    // "why was this application decided so" / "all decisions of an item in a period"
    const cg = of('decision').filter((l) => l.itemCode === 'CG-0107').map((l) => [l.applicationId, l.outcome]);
    expect(cg).toEqual(
      expect.arrayContaining([
        [instant.data.applicationId, 'APPROVED'],
        [pending.data.applicationId, 'ACCEPTED_PENDING_MATERIALS'],
        [pending.data.applicationId, 'TERMINATED'],
        [tooLarge.data.applicationId, 'REJECTED'],
      ]),
    );
    expect(of('decision').find((l) => l.applicationId === tooLarge.data.applicationId)!.reasons).toEqual(['RULE_FALSE']);
    // "who was pushed policy P and when"
    const pushed = of('entitlement.notified').filter((l) => l.policyId === 'POL-2026-EXPORT-INS');
    expect(new Set(pushed.map((l) => l.creditCode)).size).toBe(11);
    for (const l of pushed) expect(typeof l.notifiedAt).toBe('string');
    // "every action on a rectification case"
    const c3 = lines.filter((l) => l.caseId === C.C3!.caseId && /^(review|rectification)\./.test(l.message));
    expect(c3.map((l) => [l.message, l.action ?? l.reviewLevel, l.outcome])).toEqual([
      ['review.submitted', 1, 'accepted'],
      ['rectification.step', 'acknowledge', 'applied'],
      ['rectification.step', 'rectify', 'applied'],
      ['rectification.step', 'returnVisit', 'applied'],
      ['rectification.step', 'close', 'applied'],
    ]);
    // "overdue 差评 this month"
    const overdue = of('rectification.overdue');
    expect(overdue.map((l) => [l.caseId, l.departmentCode, [...l.kinds].sort()])).toEqual([[C.C4!.caseId, CGJ, ['acknowledge', 'rectify']]]);
    // No ID number in any of these lines.
    for (const l of [...c3, ...overdue, ...pushed]) expect(JSON.stringify(l)).not.toMatch(/\d{17}[\dX]/);
  });
});
