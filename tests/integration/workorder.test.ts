/**
 * 12345 work orders end to end through the local runtime, on a stage that forwards each 差评 to the
 * hotline: a 差评 opens its rectification case and goes out as one work order (number derived from the
 * case, the reviewer's phone for the return visit, ID numbers masked in the content); the hotline reports
 * the order's progress back as rectification steps naming the owning department, posted as
 * `/systems/hotline-12345`, until the case is CLOSED; a redelivered step changes nothing; a good review
 * forwards nothing; and a stage that does not forward sends no work order. A step refused on the case is
 * shown to the system that posted it (the department's or the hotline's) and to the auditor, not to the other;
 * a refused review, or one waiting for its case, likewise, to the review channel that sent it (the stage has a
 * second one, the online portal).
 */
import { makeIdNumber } from '#contract/identifiers';
import { callsOn } from '#support/calls';
import { startLocal, sample, type Running } from '#support/runtime';
import { stageConfig } from '#topology/stages';

const REVIEW_CHANNEL = '/systems/review-channel';
const PORTAL = '/systems/online-portal';

let rt: Running;
beforeAll(async () => {
  const local = stageConfig('local');
  // A stage whose online portal posts the reviews given on it itself, besides the review channel, and reads them back.
  const config = {
    forwardBadReviewsTo12345: true,
    sources: { ...local.sources, [PORTAL]: { types: ['gov.review.submitted'] } },
    readers: [...local.readers, PORTAL],
    readerRoutes: { ...local.readerRoutes, [PORTAL]: ['GET /events/{id}', 'GET /events/{id}/receipt', 'GET /refusals', 'GET /cases/{caseId}'] },
  };
  rt = await startLocal({ env: { CIVICFLOW_LOCAL_CONFIG: JSON.stringify(config) } });
}, 120_000);
afterAll(async () => {
  await rt?.stop();
});

const DEPT = '440305-SJJ';
const HOTLINE = '/systems/hotline-12345';
const DEPARTMENT_SYSTEM = '/systems/department';
const PHONE = '13912345678';
const completedTemplate = sample('gov.case.completed', 'window-case');
const reviewTemplate = sample('gov.review.submitted', 'good-review');
const stepTemplate = sample('gov.rectification.updated', 'acknowledge');

function completed(caseId: string, at: string): any {
  const data = { caseId, itemCode: 'SJ-0001', departmentCode: DEPT, applicantId: makeIdNumber('440305', '19900307', '201'), channel: 'window', completedAt: at, staffId: 'S-0317' };
  return { ...completedTemplate, id: `done-${caseId}`, time: at, data };
}

function review(reviewId: string, caseId: string, level: number, at: string, over: Record<string, unknown> = {}): any {
  const data = { reviewId, caseId, itemCode: 'SJ-0001', departmentCode: DEPT, staffId: 'S-0317', channel: 'sms', level, reviewerId: PHONE, submittedAt: at, ...over };
  return { ...reviewTemplate, id: `ev-${reviewId}`, time: at, data };
}

/** What the hotline posts when the work order moves: a step on the case, for the owning department. */
function hotlineStep(caseId: string, action: string, at: string, over: Record<string, unknown> = {}): any {
  return {
    ...stepTemplate,
    source: HOTLINE,
    id: `wo-${caseId}-${action}`,
    time: at,
    data: { caseId, action, actor: { departmentCode: DEPT, staffId: '12345/KF-0088' }, at, ...over },
  };
}

/** What the owning department's own system posts: a step on the case, signed as `/systems/department`. */
function departmentStep(caseId: string, id: string, action: string, at: string, over: Record<string, unknown> = {}): any {
  return {
    ...stepTemplate,
    source: DEPARTMENT_SYSTEM,
    id,
    time: at,
    data: { caseId, action, actor: { departmentCode: DEPT, staffId: 'S-0317' }, at, ...over },
  };
}

const { postDrained: post } = callsOn(() => rt);

async function workOrders(subject?: string): Promise<any[]> {
  const out = await rt.dev('GET', `/_dev/outbound?type=gov.workorder.forwarded${subject ? `&subject=${subject}` : ''}`);
  return out.body.events as any[];
}

describe('12345 work orders', () => {
  it('forwards a 差评 as one work order, with the phone to call back and ID numbers masked', async () => {
    const idNumber = makeIdNumber('440305', '19850101', '333');
    await post(completed('WO-C1', '2026-11-02T08:50:00+08:00'), completed('WO-C2', '2026-11-02T09:00:00+08:00'));
    await post(
      review('WO-R1', 'WO-C1', 1, '2026-11-02T09:30:00+08:00', { comment: `窗口让我跑了三次，证件 ${idNumber} 还被退回` }),
      review('WO-R2', 'WO-C2', 5, '2026-11-02T09:31:00+08:00'),
    );
    const orders = await workOrders();
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({
      type: 'gov.workorder.forwarded',
      subject: 'WO-C1',
      data: {
        orderNo: 'HCP-WO-C1',
        caseId: 'WO-C1',
        reviewId: 'WO-R1',
        departmentCode: DEPT,
        level: 1,
        callbackPhone: PHONE,
        acknowledgeDue: { date: '2026-11-03' },
        rectifyDue: { date: '2026-11-09' },
      },
    });
    expect(orders[0].data.content).toContain('差评');
    expect(orders[0].data.content).not.toContain(idNumber);
  }, 60_000);

  it('takes the hotline’s reports back as steps on the case until it is CLOSED, each applied once', async () => {
    const steps = [
      hotlineStep('WO-C1', 'acknowledge', '2026-11-02T10:00:00+08:00', { note: '12345 已派单并联系申请人' }),
      hotlineStep('WO-C1', 'rectify', '2026-11-03T15:00:00+08:00', { note: '承办单位已整改：一次性告知材料清单' }),
      hotlineStep('WO-C1', 'returnVisit', '2026-11-04T10:00:00+08:00', { satisfied: true }),
      hotlineStep('WO-C1', 'close', '2026-11-04T10:05:00+08:00'),
    ];
    await post(...steps);
    const closed = (await rt.get('/rectifications/WO-C1')).body;
    expect(closed.state).toBe('CLOSED');
    expect(closed.history.map((h: any) => [h.action, h.to])).toEqual([
      ['open', 'OPEN'],
      ['acknowledge', 'IN_PROGRESS'],
      ['rectify', 'RECTIFIED'],
      ['returnVisit', 'RETURN_VISITED'],
      ['close', 'CLOSED'],
    ]);

    // The hotline redelivers every report (same ids): nothing changes, and the order is not forwarded again.
    for (const s of steps) expect((await rt.post(s)).status).toBe(202);
    await rt.drain();
    const again = (await rt.get('/rectifications/WO-C1')).body;
    expect(again.version).toBe(closed.version);
    expect(again.history).toEqual(closed.history);
    expect(await workOrders('WO-C1')).toHaveLength(1);
  }, 60_000);

  it('names on each audit line of the case the system that posted its event, once however often it was redelivered', async () => {
    const trail = async (subject: string) => {
      const out = await rt.dev('GET', `/_dev/audit?subject=${encodeURIComponent(subject)}`);
      expect(out.status).toBe(200);
      return (out.body.entries as any[]).map((a) => [a.action, a.actor, a.details?.source]);
    };
    expect(await trail('case:WO-C1')).toEqual([
      ['case:completed', DEPARTMENT_SYSTEM, DEPARTMENT_SYSTEM],
      ['review:accepted', 'sms', REVIEW_CHANNEL],
    ]);
    // The hotline posts its steps in the owning department's name: the actor is who the step names, the source who posted it.
    const hotlineActor = `${DEPT}/12345/KF-0088`;
    expect(await trail('rectification:WO-C1')).toEqual([
      ['state:none->OPEN', expect.any(String), REVIEW_CHANNEL],
      ['state:OPEN->IN_PROGRESS', hotlineActor, HOTLINE],
      ['state:IN_PROGRESS->RECTIFIED', hotlineActor, HOTLINE],
      ['state:RECTIFIED->RETURN_VISITED', hotlineActor, HOTLINE],
      ['state:RETURN_VISITED->CLOSED', hotlineActor, HOTLINE],
    ]);
    expect((await rt.dev('GET', '/_dev/audit')).status).toBe(400);
  }, 30_000);

  it('reads back to the hotline what it reported (the rectification route is among its routes)', async () => {
    const out = await rt.get('/rectifications/WO-C1', { as: HOTLINE });
    expect([out.status, out.body.state]).toEqual([200, 'CLOSED']);
  }, 30_000);

  it('shows the department and the hotline each only the refused steps it posted; the auditor sees both, with their sources', async () => {
    await post(completed('WO-C3', '2026-11-05T09:00:00+08:00'));
    await post(review('WO-R3', 'WO-C3', 2, '2026-11-05T09:30:00+08:00'));
    // The department's system mistypes the year of a step; the hotline names a department that does not own the case.
    const deptRefused = departmentStep('WO-C3', 'dept-WO-C3-1', 'acknowledge', '2025-11-05T10:00:00+08:00', { note: '科室内部备注：已约谈窗口人员' });
    const hotlineRefused = hotlineStep('WO-C3', 'acknowledge', '2026-11-05T10:05:00+08:00', {
      actor: { departmentCode: '440305-CGJ', staffId: '12345/KF-0099' },
      note: '12345 坐席备注：申请人情绪激动',
    });
    const accepted = departmentStep('WO-C3', 'dept-WO-C3-2', 'acknowledge', '2026-11-05T10:10:00+08:00', { note: '已联系申请人' });
    await post(deptRefused, hotlineRefused, accepted);

    const refusedOf = (body: any) => body.map((r: any) => [r.source, r.code, r.details.actor.staffId]);
    const deptRow = [DEPARTMENT_SYSTEM, 'BEFORE_REPORTED', 'S-0317'];
    const hotlineRow = [HOTLINE, 'NOT_OWNING_DEPARTMENT', '12345/KF-0099'];

    const asDept = await rt.get('/rectifications/WO-C3', { as: DEPARTMENT_SYSTEM });
    const asHotline = await rt.get('/rectifications/WO-C3', { as: HOTLINE });
    const asAuditor = await rt.get('/rectifications/WO-C3');
    expect([asDept.status, asHotline.status, asAuditor.status]).toEqual([200, 200, 200]);
    expect(refusedOf(asDept.body.refused)).toEqual([deptRow]);
    expect(refusedOf(asHotline.body.refused)).toEqual([hotlineRow]);
    expect(refusedOf(asAuditor.body.refused)).toEqual(expect.arrayContaining([deptRow, hotlineRow]));
    expect(asAuditor.body.refused).toHaveLength(2);
    // Neither reads the other's notes or staff ids anywhere in the answer.
    expect(JSON.stringify(asDept.body)).not.toContain('KF-0099');
    expect(JSON.stringify(asDept.body)).not.toContain('坐席备注');
    expect(JSON.stringify(asHotline.body)).not.toContain('科室内部备注');
    // The accepted step is the case's history, shown alike to every reader.
    for (const out of [asDept, asHotline, asAuditor]) {
      expect(out.body.history.map((h: any) => [h.action, h.to])).toEqual([
        ['open', 'OPEN'],
        ['acknowledge', 'IN_PROGRESS'],
      ]);
    }

    // The review case lists refused steps the same way (the hotline does not read this route at all).
    const caseAsDept = await rt.get('/cases/WO-C3', { as: DEPARTMENT_SYSTEM });
    const caseAsAuditor = await rt.get('/cases/WO-C3');
    expect(refusedOf(caseAsDept.body.refusedSteps)).toEqual([deptRow]);
    expect(refusedOf(caseAsAuditor.body.refusedSteps)).toEqual(expect.arrayContaining([deptRow, hotlineRow]));
    expect(caseAsAuditor.body.refusedSteps).toHaveLength(2);
    expect((await rt.get('/cases/WO-C3', { as: HOTLINE })).status).toBe(403);
  }, 60_000);

  it('answers a case known only by another source’s refused step as unknown to the department, not to the auditor', async () => {
    // A work order's outcome naming a case the review service never heard of: retried a few times, then refused.
    await post(hotlineStep('WO-C404', 'acknowledge', '2026-11-05T11:00:00+08:00', { note: '12345 坐席备注：工单号有误' }));
    const asDept = await rt.get('/cases/WO-C404', { as: DEPARTMENT_SYSTEM });
    expect(asDept.status).toBe(404);
    expect(JSON.stringify(asDept.body)).not.toContain('坐席备注');
    const asAuditor = await rt.get('/cases/WO-C404');
    expect([asAuditor.status, asAuditor.body.status]).toEqual([200, 'awaiting-case']);
    expect(asAuditor.body.refusedSteps.map((r: any) => [r.source, r.code])).toEqual([[HOTLINE, 'RECTIFICATION_UNKNOWN']]);
  }, 60_000);

  it('shows each review channel only the refused reviews it sent; the auditor sees both, with their sources', async () => {
    await post(completed('WO-C5', '2026-11-05T09:00:00+08:00'));
    await post(review('WO-R5', 'WO-C5', 4, '2026-11-05T09:30:00+08:00'));
    // A second review of the case from each channel: each refused (一事一评), the first kept.
    const channelSecond = { ...review('WO-R5b', 'WO-C5', 1, '2026-11-05T09:40:00+08:00', { channel: 'sms' }), source: REVIEW_CHANNEL };
    const portalSecond = { ...review('WO-R5p', 'WO-C5', 2, '2026-11-05T09:45:00+08:00', { channel: 'web' }), source: PORTAL };
    await post(channelSecond, portalSecond);

    const refusedOf = (body: any) => body.rejections.map((r: any) => [r.source, r.ref, r.code, r.details.channel]);
    const channelRow = [REVIEW_CHANNEL, 'WO-R5b', 'DUPLICATE_REVIEW', 'sms'];
    const portalRow = [PORTAL, 'WO-R5p', 'DUPLICATE_REVIEW', 'web'];
    const asChannel = await rt.get('/cases/WO-C5', { as: REVIEW_CHANNEL });
    const asPortal = await rt.get('/cases/WO-C5', { as: PORTAL });
    const asDept = await rt.get('/cases/WO-C5', { as: DEPARTMENT_SYSTEM });
    const asAuditor = await rt.get('/cases/WO-C5');
    expect([asChannel.status, asPortal.status, asDept.status, asAuditor.status]).toEqual([200, 200, 200, 200]);
    expect(refusedOf(asChannel.body)).toEqual([channelRow]);
    expect(refusedOf(asPortal.body)).toEqual([portalRow]);
    // The department's system sent no review: it sees none refused (the case and its kept review it does see).
    expect(refusedOf(asDept.body)).toEqual([]);
    expect(asDept.body.reviews.real).toMatchObject({ reviewId: 'WO-R5', level: 4 });
    expect(refusedOf(asAuditor.body)).toEqual(expect.arrayContaining([channelRow, portalRow]));
    expect(asAuditor.body.rejections).toHaveLength(2);
    // Neither channel reads the other's refused review anywhere in the answer.
    expect(JSON.stringify(asChannel.body)).not.toContain('WO-R5p');
    expect(JSON.stringify(asPortal.body)).not.toContain('WO-R5b');
    // Each still reads its own refusal as its receipt, and not the other's.
    expect((await rt.get(`/events/${portalSecond.id}/receipt`, { as: PORTAL })).body).toMatchObject({ outcome: 'refused', kind: 'DUPLICATE_REVIEW' });
    expect((await rt.get(`/events/${portalSecond.id}/receipt?source=${encodeURIComponent(PORTAL)}`, { as: REVIEW_CHANNEL })).status).toBe(403);
  }, 60_000);

  it('shows each review channel only the reviews it sent that wait for their case, then only its own refused', async () => {
    // Two reviews of a case not known yet, one from each channel: both kept until the case arrives.
    const fromChannel = { ...review('WO-R6', 'WO-C6', 4, '2026-11-06T09:30:00+08:00', { channel: 'sms' }), source: REVIEW_CHANNEL };
    const fromPortal = { ...review('WO-R6p', 'WO-C6', 1, '2026-11-06T09:40:00+08:00', { channel: 'web', comment: '门户评价：窗口排队太久' }), source: PORTAL };
    await post(fromChannel, fromPortal);
    const parkedOf = async (as?: string) => {
      const out = await rt.get('/cases/WO-C6', as ? { as } : {});
      return out.status === 200 ? out.body.parked.map((r: any) => [r.event.source, r.reviewId]) : out.status;
    };
    expect(await parkedOf(REVIEW_CHANNEL)).toEqual([[REVIEW_CHANNEL, 'WO-R6']]);
    expect(await parkedOf(PORTAL)).toEqual([[PORTAL, 'WO-R6p']]);
    expect(JSON.stringify((await rt.get('/cases/WO-C6', { as: REVIEW_CHANNEL })).body)).not.toContain('门户评价');
    // The department's system sent neither: the case is as unknown to it as before anyone wrote of it.
    expect(await parkedOf(DEPARTMENT_SYSTEM)).toBe(404);
    // Kept in the order the review consumer took them, which a queue does not fix: compared as a set.
    expect(((await parkedOf()) as string[][]).sort((a, b) => a[1]!.localeCompare(b[1]!))).toEqual([
      [REVIEW_CHANNEL, 'WO-R6'],
      [PORTAL, 'WO-R6p'],
    ]);

    // The case arrives: the earlier review is kept (the case's, shown to all), the other refused, to its sender only.
    await post(completed('WO-C6', '2026-11-06T09:00:00+08:00'));
    const asChannel = (await rt.get('/cases/WO-C6', { as: REVIEW_CHANNEL })).body;
    const asPortal = (await rt.get('/cases/WO-C6', { as: PORTAL })).body;
    const asDept = (await rt.get('/cases/WO-C6', { as: DEPARTMENT_SYSTEM })).body;
    for (const body of [asChannel, asPortal, asDept]) expect([body.status, body.reviews.real?.reviewId, body.parked]).toEqual(['completed', 'WO-R6', []]);
    const refusedOf = (body: any) => body.rejections.map((r: any) => [r.source, r.ref, r.code, r.details.parked]);
    expect(refusedOf(asPortal)).toEqual([[PORTAL, 'WO-R6p', 'DUPLICATE_REVIEW', true]]);
    expect(refusedOf(asChannel)).toEqual([]);
    expect(refusedOf(asDept)).toEqual([]);
    expect(refusedOf((await rt.get('/cases/WO-C6')).body)).toEqual([[PORTAL, 'WO-R6p', 'DUPLICATE_REVIEW', true]]);
  }, 60_000);
});
