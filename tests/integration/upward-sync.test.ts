/**
 * 好差评 upward sync through the local runtime (issue #19): reviews, a default and the steps of a 差评's
 * rectification reach the runtime's stand-in for the national platform (local/upward-receiver.ts) through the
 * outbox and the `upward-sync` schedule. The platform refuses one case's records (a department it does
 * not know yet) and our own profile refuses a record whose item is not in the catalogue; both are fixed
 * and re-pushed with `npm run resync`. The platform goes down for a while: the step waits, is retried on
 * its backoff schedule and arrives once it is back. At the end every record is ACKED, the platform got
 * each record acknowledged exactly once, and another run or a re-push of ACKED records sends nothing.
 */
import { spawnSync } from 'node:child_process';
import { makeIdNumber } from '#contract/identifiers';
import { callsOn } from '#support/calls';
import { ROOT, sample, useLocal } from '#support/runtime';
import { CGJ, CGJ_CREDIT, SJJ, SJJ_CREDIT, UPWARD_ENV, upwardCalls } from './upward-fixtures';

const rt = useLocal({ env: UPWARD_ENV });
const applicant = (n: number) => makeIdNumber('440305', '19900307', String(100 + n).padStart(3, '0'));

const itemTemplate = sample('gov.catalog.item.published', 'enterprise-startup-manual');
const completedTemplate = sample('gov.case.completed', 'window-case');
const reviewTemplate = sample('gov.review.submitted', 'good-review');
const stepTemplate = sample('gov.rectification.updated', 'acknowledge');

function item(itemCode: string, dept: string, credit: string, promisedDays: number, version = 1): any {
  return {
    ...itemTemplate,
    id: `up-item-${itemCode}-${version}`,
    data: { ...itemTemplate.data, itemCode, name: `事项 ${itemCode}`, departmentCode: dept, departmentCreditCode: credit, promisedDays, version },
  };
}

function completed(caseId: string, dept: string, itemCode: string, n: number): any {
  const data = { caseId, itemCode, departmentCode: dept, applicantId: applicant(n), channel: 'window', completedAt: '2026-11-02T09:00:00+08:00' };
  return { ...completedTemplate, id: `up-done-${caseId}`, time: data.completedAt, data };
}

function review(caseId: string, dept: string, itemCode: string, n: number, level: number, channel: string, over: Record<string, unknown> = {}): any {
  const data = { reviewId: `UR-${caseId}`, caseId, itemCode, departmentCode: dept, channel, level, reviewerId: applicant(n), submittedAt: '2026-11-02T10:00:00+08:00', ...over };
  return { ...reviewTemplate, id: `up-ev-${caseId}`, time: data.submittedAt, data };
}

function step(caseId: string, dept: string, action: string, at: string, over: Record<string, unknown> = {}): any {
  return { ...stepTemplate, id: `up-step-${caseId}-${action}`, time: at, data: { caseId, action, actor: { departmentCode: dept, staffId: 'S-9001' }, at, note: `${action} 已处理`, ...over } };
}

const { postDrained: post } = callsOn(() => rt);

const { fire, records, receiver } = upwardCalls(() => rt);

function resync(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const out = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/resync.ts', ...args, '--url', rt.url, '--actor', 'test:operator'], { cwd: ROOT, encoding: 'utf8' });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

const ids = (list: any[]) => list.map((r) => r.recordId).sort();

// Cases: A a good review (the platform does not know its department yet), B a 差评 rectified step by step,
// C a good review of an item the catalogue does not have yet, D no review (the default 基本满意).
const A = 'UP-A';
const B = 'UP-B';
const C = 'UP-C';
const D = 'UP-D';

describe('好差评 upward sync through the local runtime', () => {
  it('reports reviews, a default and rectification steps to the platform, and keeps the refused ones with their reasons', async () => {
    await rt.dev('POST', '/_dev/clock', { set: '2026-11-03T02:00:00Z' });
    await receiver({ refuse: [{ id: A, code: 'E_DEPT_UNKNOWN', message: '部门未在平台注册' }] });
    await post(item('SJ-0001', SJJ, SJJ_CREDIT, 0));
    await post(completed(A, SJJ, 'SJ-0001', 1), completed(B, SJJ, 'SJ-0001', 2), completed(C, CGJ, 'CG-0107', 3), completed(D, SJJ, 'SJ-0001', 4));
    await post(
      review(A, SJJ, 'SJ-0001', 1, 5, 'window'),
      review(B, SJJ, 'SJ-0001', 2, 1, 'web', { comment: '等了很久，请回电13812345678' }),
      review(C, CGJ, 'CG-0107', 3, 4, 'app'),
    );
    // Both before 10:00, the clock: no step is taken dated after its receipt.
    await post(step(B, SJJ, 'acknowledge', '2026-11-03T09:30:00+08:00'), step(B, SJJ, 'rectify', '2026-11-03T09:45:00+08:00'));
    await rt.dev('POST', '/_dev/clock', { set: '2026-11-10T02:00:00Z' }); // past D's 7 days: the schedule records its default
    await fire('review-schedule');

    const pending = await records('PENDING');
    // A's review, B's review and three steps (open, acknowledge, rectify), D's default; C refused before sending.
    expect(ids(pending)).toEqual([`${A}#1`, `${B}#1`, `${B}#10`, `${B}#11`, `${B}#12`, `${D}#1`].sort());
    const refusedHere = await records('REJECTED');
    expect(refusedHere).toEqual([expect.objectContaining({ recordId: `${C}#1`, rejection: expect.objectContaining({ code: 'MAPPING', message: expect.stringMatching(/taskName.*CG-0107/) }) })]);

    const run = (await fire('upward-sync')).sync;
    expect(run).toMatchObject({ attempted: 6, acked: 5, rejected: 1 });
    expect(ids(await records('ACKED'))).toEqual([`${B}#1`, `${B}#10`, `${B}#11`, `${B}#12`, `${D}#1`].sort());
    const rejected = await records('REJECTED');
    expect(rejected.find((r) => r.recordId === `${A}#1`)).toMatchObject({ rejection: { code: 'E_DEPT_UNKNOWN', message: '部门未在平台注册' } });

    // What the platform holds is in its format: B's 差评 with the phone number masked, D's default flagged.
    const got = await rt.dev('GET', `/_dev/upward/receiver?recordId=${encodeURIComponent(`${B}#1`)}`);
    expect(got.body.record).toMatchObject({ projectNo: B, assessNumber: '1', deptCode: SJJ_CREDIT, satisfaction: '5', areaCode: '440305' });
    expect(got.body.record.writingEvaluation).not.toContain('13812345678');
    const def = await rt.dev('GET', `/_dev/upward/receiver?recordId=${encodeURIComponent(`${D}#1`)}`);
    expect(def.body.record).toMatchObject({ satisfaction: '3', isDefault: '1' });

    const figures = await rt.get('/reviews/sync/figures?period=2026-11');
    expect(figures.status).toBe(200);
    expect(figures.body).toMatchObject({ records: 7, byState: { ACKED: 5, REJECTED: 2, PENDING: 0, SENT: 0, PARKED: 0 }, lag: { count: 5 } });
    expect(figures.body.rejectionsByReason).toEqual([
      { code: 'E_DEPT_UNKNOWN', count: 1 },
      { code: 'MAPPING', count: 1 },
    ]);
    expect(figures.body.lag.p50Ms).toBeGreaterThan(0);
    expect(figures.body.oldestUnacked).toMatchObject({ recordId: expect.stringMatching(/^UP-[AC]#1$/) });
  }, 120_000);

  it('keeps a step while the platform is down, retries it on its backoff schedule and delivers it once it is back', async () => {
    await receiver({ down: true });
    await post(step(B, SJJ, 'returnVisit', '2026-11-10T10:00:00+08:00', { satisfied: true }));
    let run = (await fire('upward-sync')).sync;
    expect(run).toMatchObject({ attempted: 1, retrying: 1, acked: 0 });
    const waiting = await records('PENDING');
    expect(waiting).toEqual([expect.objectContaining({ recordId: `${B}#13`, attempt: 1, lastError: expect.objectContaining({ message: expect.stringMatching(/503/) }) })]);

    // Not due before its backoff (1 minute after the first failure): nothing is sent.
    run = (await fire('upward-sync')).sync;
    expect(run.attempted).toBe(0);
    await rt.dev('POST', '/_dev/clock', { advance: '61s' });
    run = (await fire('upward-sync')).sync;
    expect(run).toMatchObject({ attempted: 1, retrying: 1 });

    await receiver({ down: false });
    run = (await fire('upward-sync')).sync;
    expect(run.attempted).toBe(0); // the second backoff (2 minutes) has not passed
    await rt.dev('POST', '/_dev/clock', { advance: '121s' });
    run = (await fire('upward-sync')).sync;
    expect(run).toMatchObject({ attempted: 1, acked: 1 });
    expect((await receiver()).answers.down).toBe(2);
  }, 120_000);

  it('re-pushes the refused records with `npm run resync` once their causes are fixed, and never sends an acknowledged one again', async () => {
    const none = resync();
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/--record ID, --day YYYY-MM-DD or --state STATE/);

    // Fixed: the platform registers A's department; the catalogue publishes CG-0107.
    await receiver({ accept: [A] });
    await post(item('CG-0107', CGJ, CGJ_CREDIT, 5));
    const out = resync('--state', 'REJECTED');
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    const answer = JSON.parse(out.stdout);
    expect(answer.repush.repushed.sort()).toEqual([`${A}#1`, `${C}#1`]);
    expect(answer.sync).toMatchObject({ attempted: 2, acked: 2 });

    const all = await records('ACKED');
    expect(all).toHaveLength(8);
    for (const state of ['PENDING', 'SENT', 'REJECTED', 'PARKED']) expect(await records(state)).toEqual([]);

    // Re-pushing acknowledged records, by state, by day or by name, takes none of them.
    const again = JSON.parse(resync('--state', 'ACKED').stdout);
    expect(again.repush.repushed).toEqual([]);
    expect(again.repush.skipped).toHaveLength(8);
    const byDay = JSON.parse(resync('--day', '2026-11-02').stdout);
    expect(byDay.repush).toMatchObject({ repushed: [], refusedAgain: [] });
    const byName = JSON.parse(resync('--record', `${B}#1,UP-NONE#1`).stdout);
    expect(byName.repush).toMatchObject({ repushed: [], missing: ['UP-NONE#1'], skipped: [expect.objectContaining({ recordId: `${B}#1`, state: 'ACKED' })] });
    await rt.dev('POST', '/_dev/clock', { advance: '2h' });
    expect((await fire('upward-sync')).sync.attempted).toBe(0);

    // The platform acknowledged every record once and was never sent one it had acknowledged.
    const platform = await receiver();
    expect(platform.records.filter((r: any) => r.acked).map((r: any) => r.recordId).sort()).toEqual(ids(all));
    expect(platform.records.every((r: any) => r.afterAck === 0)).toBe(true);
    expect(platform.answers).toMatchObject({ acked: 8, duplicate: 0 });

    const figures = await rt.get('/reviews/sync/figures?period=2026-11');
    expect(figures.body).toMatchObject({ records: 8, byState: { ACKED: 8 }, rejectionsByReason: [], oldestPending: null, oldestUnacked: null });
  }, 120_000);

  it('reports the review of a 一件事 case, named by its bundle code: the bundle\'s name, promise and lead department', async () => {
    // A case of a bundle is named by the bundle's code, not an item's (as a bundle application opens it).
    const bundleTemplate = sample('gov.catalog.bundle.published', 'newborn');
    const bundle = {
      ...bundleTemplate,
      id: 'up-bundle-YJS-UP',
      data: { ...bundleTemplate.data, bundleCode: 'YJS-UP', name: '开店一件事', leadDepartmentCode: SJJ, promisedDays: 5, items: [{ itemCode: 'SJ-0001', required: true }], questions: [] },
    };
    const E = 'UP-E';
    // The bundle is in the catalogue before its case is completed, as a published bundle is: posted in one go,
    // the review could reach its queue's consumer before the catalogue consumer had stored the bundle.
    await post(bundle);
    await post(completed(E, SJJ, 'YJS-UP', 5), review(E, SJJ, 'YJS-UP', 5, 4, 'app'));
    expect(await records('REJECTED')).toEqual([]);
    expect((await fire('upward-sync')).sync).toMatchObject({ attempted: 1, acked: 1 });
    const got = await rt.dev('GET', `/_dev/upward/receiver?recordId=${encodeURIComponent(`${E}#1`)}`);
    // The lead department's credit code, as the bundle's item of that department gives it; 承诺件 (2) on the national profile.
    expect(got.body.record).toMatchObject({ projectNo: E, taskCode: 'YJS-UP', taskName: '开店一件事', deptCode: SJJ_CREDIT, promiseTime: '2' });
  }, 120_000);
});
