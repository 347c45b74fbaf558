/**
 * A month of 好差评 synced upward through the local runtime (issue #19): December 2026, ten cases completed
 * a day (310), their reviews, the defaults of the cases left without one, and the rectification steps of the
 * month's 差评, posted week by week as the functions' clock moves through the month, each week's records
 * sent by the `upward-sync` schedule to the runtime's stand-in platform (local/upward-receiver.ts).
 *
 * In the first week the platform refuses three cases (a department it does not know yet) and our profile
 * refuses the cases of an item without a department credit code; in the second week the platform is down
 * through two attempts. At the end both causes are fixed and the refused records re-pushed with
 * `npm run resync`. Then every record is ACKED, the platform acknowledged each exactly once, and nothing it
 * had acknowledged was sent again — not by the retries, not by the re-push, not by further runs.
 *
 * The counts, by hand (d = day of December, k = 0…9 the case of the day):
 * - reviews: every case except k = 8 on days 1–24 (those 24 get the default 基本满意 7 days after completion,
 *   all by 12-31): 310 − 24 = 286 reviews and 24 defaults;
 * - 差评: k = 0 every day (31), each opening a rectification (one record each); those of days 1, 5, 9, …, 29
 *   (8) are acknowledged, rectified, return-visited and closed (4 records each);
 * - records: 286 + 24 + 31 + 8 × 4 = 373;
 * - refused in week 1: k = 3 on days 2–4 by the platform (3), k = 9 on days 1–7 (item CG-0107, 7) by us.
 */
import { spawnSync } from 'node:child_process';
import { makeIdNumber } from '#contract/identifiers';
import { ROOT, sample, useLocal } from '#support/runtime';
import { CGJ, CGJ_CREDIT, SJJ, SJJ_CREDIT, UPWARD_ENV, upwardCalls } from './upward-fixtures';

const rt = useLocal({ env: UPWARD_ENV });

const itemTemplate = sample('gov.catalog.item.published', 'enterprise-startup-manual');
const completedTemplate = sample('gov.case.completed', 'window-case');
const reviewTemplate = sample('gov.review.submitted', 'good-review');
const stepTemplate = sample('gov.rectification.updated', 'acknowledge');

function item(itemCode: string, dept: string, credit: string | undefined, version: number): any {
  const data: Record<string, unknown> = { ...itemTemplate.data, itemCode, name: `事项 ${itemCode}`, departmentCode: dept, promisedDays: 5, version };
  if (credit === undefined) delete data.departmentCreditCode;
  else data.departmentCreditCode = credit;
  return { ...itemTemplate, id: `month-item-${itemCode}-${version}`, data };
}

const pad = (n: number) => String(n).padStart(2, '0');
const at = (day: number, hour: number, minute = 0) => `2026-12-${pad(day)}T${pad(hour)}:${pad(minute)}:00+08:00`;

interface MonthCase {
  readonly caseId: string;
  readonly day: number;
  readonly k: number;
  readonly dept: string;
  readonly itemCode: string;
  /** Null: no review (the default comes 7 days after completion). */
  readonly level: number | null;
  readonly rectified: boolean;
}

const CASES: MonthCase[] = Array.from({ length: 31 * 10 }, (_, i) => {
  const day = Math.floor(i / 10) + 1;
  const k = i % 10;
  const cg = k === 9 && day <= 7;
  const negative = k === 0;
  return {
    caseId: `UM-${pad(day)}-${k}`,
    day,
    k,
    dept: cg ? CGJ : SJJ,
    itemCode: cg ? 'CG-0107' : 'SJ-0001',
    level: k === 8 && day <= 24 ? null : negative ? (day % 2 === 1 ? 1 : 2) : 3 + (i % 3),
    rectified: negative && day % 4 === 1,
  };
});
const PLATFORM_REFUSES = CASES.filter((c) => c.k === 3 && c.day >= 2 && c.day <= 4).map((c) => c.caseId);

/** An event with its time (local), in the wave it goes in: completions, reviews, then each step kind in order. */
interface Timed {
  readonly at: string;
  readonly wave: number;
  readonly event: any;
}

function eventsOf(c: MonthCase): Timed[] {
  const applicantId = makeIdNumber('440305', '19900307', String(100 + (c.day * 10 + c.k) % 900).padStart(3, '0'));
  const completedAt = at(c.day, 9, 6 * c.k);
  const out: Timed[] = [
    {
      at: completedAt,
      wave: 0,
      event: { ...completedTemplate, id: `um-done-${c.caseId}`, time: completedAt, data: { caseId: c.caseId, itemCode: c.itemCode, departmentCode: c.dept, applicantId, channel: 'window', completedAt } },
    },
  ];
  if (c.level === null) return out;
  const submittedAt = at(c.day, 10, 6 * c.k);
  const review = {
    reviewId: `UMR-${c.caseId}`,
    caseId: c.caseId,
    itemCode: c.itemCode,
    departmentCode: c.dept,
    channel: c.k % 2 === 0 ? 'window' : 'web',
    level: c.level,
    reviewerId: applicantId,
    submittedAt,
    ...(c.level <= 2 ? { comment: '材料要求反复变化，等了很久' } : {}),
  };
  out.push({ at: submittedAt, wave: 1, event: { ...reviewTemplate, id: `um-ev-${c.caseId}`, time: submittedAt, data: review } });
  if (!c.rectified) return out;
  const steps: [string, string, Record<string, unknown>][] = [
    ['acknowledge', at(c.day, 16), {}],
    ['rectify', at(c.day + 1, 15), {}],
    ['returnVisit', at(c.day + 2, 9), { satisfied: true }],
    ['close', at(c.day + 2, 10), {}],
  ];
  steps.forEach(([action, when, extra], n) => {
    const data = { caseId: c.caseId, action, actor: { departmentCode: c.dept, staffId: 'S-9001' }, at: when, note: `${action} 已处理`, ...extra };
    out.push({ at: when, wave: 2 + n, event: { ...stepTemplate, id: `um-step-${c.caseId}-${action}`, time: when, data } });
  });
  return out;
}

const ALL = CASES.flatMap(eventsOf);
/** The weeks the clock moves through, each ending at its local midnight. */
const WEEK_ENDS = ['2026-12-08', '2026-12-15', '2026-12-22', '2026-12-29', '2027-01-01'].map((d) => `${d}T00:00:00+08:00`);
const weekOf = (t: Timed) => WEEK_ENDS.findIndex((end) => Date.parse(t.at) < Date.parse(end));

/** Posts a week's events wave by wave (a wave in batches of one source), draining in between. */
async function postWeek(week: number): Promise<void> {
  const events = ALL.filter((t) => weekOf(t) === week);
  for (const wave of [...new Set(events.map((t) => t.wave))].sort((a, b) => a - b)) {
    const list = events.filter((t) => t.wave === wave).map((t) => t.event);
    for (let i = 0; i < list.length; i += 100) {
      const out = await rt.post(list.slice(i, i + 100));
      expect([out.status, out.body.rejected]).toEqual([202, []]);
    }
    await rt.drain();
  }
}

const { fire, records, receiver } = upwardCalls(() => rt);

async function startWeek(week: number): Promise<void> {
  expect((await rt.dev('POST', '/_dev/clock', { set: WEEK_ENDS[week] })).status).toBe(200);
  await postWeek(week);
  await fire('review-schedule');
}

describe('a month of 好差评 synced upward through the local runtime', () => {
  it('sends the first week, keeping what the platform and our profile refuse with their reasons', async () => {
    await rt.dev('POST', '/_dev/clock', { set: '2026-11-30T12:00:00+08:00' });
    const posted = await rt.post([item('SJ-0001', SJJ, SJJ_CREDIT, 1), item('CG-0107', CGJ, undefined, 1)]);
    expect([posted.status, posted.body.rejected]).toEqual([202, []]);
    await rt.drain();
    await receiver({ refuse: PLATFORM_REFUSES.map((id) => ({ id, code: 'E_DEPT_UNKNOWN', message: '部门未在平台注册' })) });

    await startWeek(0);
    // Days 1–7: 70 cases, 63 reviews (k = 8 waits for its default), 7 openings, C-01-0 and C-05-0 rectified (8 steps).
    // CG-0107's 7 reviews are refused before sending; of the 71 sent, the platform refuses 3.
    expect((await fire('upward-sync')).sync).toMatchObject({ attempted: 71, acked: 68, rejected: 3 });
    const refused = await records('REJECTED');
    expect(refused.map((r) => [r.recordId, r.rejection.code]).sort()).toEqual(
      [...PLATFORM_REFUSES.map((id) => [`${id}#1`, 'E_DEPT_UNKNOWN']), ...CASES.filter((c) => c.itemCode === 'CG-0107').map((c) => [`${c.caseId}#1`, 'MAPPING'])].sort(),
    );
  }, 120_000);

  it('keeps the second week while the platform is down and delivers it once it is back', async () => {
    await receiver({ down: true });
    await startWeek(1);
    // Days 8–14: 63 reviews, the defaults of days 1–7 (7), 7 openings, C-09-0's four steps and C-13-0's first two.
    const week = 63 + 7 + 7 + 4 + 2;
    expect((await fire('upward-sync')).sync).toMatchObject({ attempted: week, retrying: week, acked: 0 });
    await rt.dev('POST', '/_dev/clock', { advance: '61s' });
    expect((await fire('upward-sync')).sync).toMatchObject({ attempted: week, retrying: week });
    expect(await records('PENDING')).toHaveLength(week);

    await receiver({ down: false });
    expect((await fire('upward-sync')).sync.attempted).toBe(0); // each waits out its second backoff (2 minutes)
    await rt.dev('POST', '/_dev/clock', { advance: '121s' });
    expect((await fire('upward-sync')).sync).toMatchObject({ attempted: week, acked: week });
    expect((await receiver()).answers.down).toBe(2 * week);
  }, 120_000);

  it('sends the rest of the month as it happens', async () => {
    for (const week of [2, 3, 4]) {
      await startWeek(week);
      const run = (await fire('upward-sync')).sync;
      expect([week, run.rejected, run.retrying, run.parked]).toEqual([week, 0, 0, 0]);
      expect(run.acked).toBe(run.attempted);
    }
    expect(await records('PENDING')).toEqual([]);
    expect(await records('SENT')).toEqual([]);
  }, 120_000);

  it('re-pushes the refused records with `npm run resync` once their causes are fixed, and never sends an acknowledged one again', async () => {
    await receiver({ accept: PLATFORM_REFUSES });
    const posted = await rt.post(item('CG-0107', CGJ, CGJ_CREDIT, 2));
    expect([posted.status, posted.body.rejected]).toEqual([202, []]);
    await rt.drain();
    const resync = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/resync.ts', '--state', 'REJECTED', '--url', rt.url, '--actor', 'test:operator'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect([resync.status, resync.stderr]).toEqual([0, '']);
    const answer = JSON.parse(resync.stdout);
    expect(answer.repush.repushed).toHaveLength(10);
    expect(answer.repush.refusedAgain).toEqual([]);
    expect(answer.sync).toMatchObject({ attempted: 10, acked: 10 });

    // Another run, hours later, and a re-push of the whole first day send nothing.
    await rt.dev('POST', '/_dev/clock', { advance: '3h' });
    expect((await fire('upward-sync')).sync.attempted).toBe(0);
    const again = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/resync.ts', '--day', '2026-12-01', '--url', rt.url, '--actor', 'test:operator'], { cwd: ROOT, encoding: 'utf8' });
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ repush: { repushed: [], refusedAgain: [] }, sync: { attempted: 0 } });

    const acked = await records('ACKED');
    expect(acked).toHaveLength(373);
    for (const state of ['PENDING', 'SENT', 'REJECTED', 'PARKED']) expect(await records(state)).toEqual([]);
    const kinds = acked.reduce((n: Record<string, number>, r: any) => ({ ...n, [r.kind]: (n[r.kind] ?? 0) + 1 }), {});
    expect(kinds).toEqual({ review: 286, default: 24, step: 31 + 8 * 4 });

    // The platform has every record once, acknowledged once; nothing it had acknowledged came again.
    const platform = await receiver();
    expect(platform.records.filter((r: any) => r.acked).map((r: any) => r.recordId).sort()).toEqual(acked.map((r: any) => r.recordId).sort());
    expect(platform.records.filter((r: any) => r.afterAck > 0)).toEqual([]);
    expect(platform.answers).toEqual({ acked: 373, duplicate: 0, refused: 3, down: 2 * 83 });
    // Refused once, then acknowledged: two deliveries; every other record one.
    const twice = platform.records.filter((r: any) => r.deliveries > 1).map((r: any) => r.recordId).sort();
    expect(twice).toEqual(PLATFORM_REFUSES.map((id) => `${id}#1`).sort());

    const figures = await rt.get('/reviews/sync/figures?period=2026-12');
    expect(figures.body).toMatchObject({ records: 373, byState: { ACKED: 373, REJECTED: 0, PENDING: 0, SENT: 0, PARKED: 0 }, rejectionsByReason: [], oldestPending: null, oldestUnacked: null });
    expect(figures.body.lag.count).toBe(373);
  }, 120_000);

  it('lists the month\'s records a page at a time, oldest first, each once, with a cursor to the next page', async () => {
    const pages: any[] = [];
    let cursor: string | undefined;
    do {
      const out = await rt.get(`/reviews/sync/records?state=ACKED&period=2026-12&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(out.status).toBe(200);
      pages.push(out.body);
      cursor = out.body.cursor;
    } while (cursor !== undefined && pages.length < 10);
    expect(pages.map((p) => [p.count, p.records.length, typeof p.cursor])).toEqual([
      [100, 100, 'string'],
      [100, 100, 'string'],
      [100, 100, 'string'],
      [73, 73, 'undefined'],
    ]);
    const listed = pages.flatMap((p) => p.records);
    expect(new Set(listed.map((r: any) => r.recordId)).size).toBe(373);
    const instants = listed.map((r: any) => Date.parse(r.sourceEventAt));
    expect(instants).toEqual([...instants].sort((a, b) => a - b));
    // A day's records only, and without a limit 50 a page.
    const day = await rt.get('/reviews/sync/records?state=ACKED&period=2026-12-01');
    const firstDay = listed.filter((r: any) => r.sourceEventAt.startsWith('2026-12-01'));
    expect([day.status, day.body.count, day.body.cursor]).toEqual([200, firstDay.length, undefined]);
    expect(day.body.records.map((r: any) => r.recordId)).toEqual(firstDay.map((r: any) => r.recordId));
    const unbounded = await rt.get('/reviews/sync/records?state=ACKED');
    expect([unbounded.status, unbounded.body.count, typeof unbounded.body.cursor]).toEqual([200, 50, 'string']);

    // A bad limit, and a cursor that is not this route's for the state and period, are refused naming them.
    const next = pages[0].cursor as string;
    for (const [query, named] of [
      ['state=ACKED&limit=0', 'limit'],
      ['state=ACKED&limit=101', 'limit'],
      ['state=ACKED&limit=ten', 'limit'],
      [`state=PENDING&cursor=${next}`, 'cursor'],
      [`state=ACKED&period=2026-10&cursor=${next}`, 'cursor'],
      [`state=ACKED&cursor=${next.slice(0, -4)}`, 'cursor'],
      [`state=ACKED&cursor=${Buffer.from(JSON.stringify({ pk: 'SYNC#x', sk: 'RECORD' })).toString('base64url')}`, 'cursor'],
    ]) {
      const out = await rt.get(`/reviews/sync/records?${query}`);
      expect([query, out.status, out.body.error]).toEqual([query, 400, expect.stringContaining(`"${named}"`)]);
    }
  }, 120_000);
});
