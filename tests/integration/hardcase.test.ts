/**
 * 办不成事 end to end through the local runtime: a hard case from each channel (the 12345 hotline, the
 * window in the hall, the online portal) posted by its own source and driven to CLOSED through POST /events,
 * each read back through GET /hardcases/{caseId}; a fourth case left uncontacted and flagged overdue by the
 * schedule; the month's list and figures against hand-computed values; a redelivered step (same id, new id)
 * applied once; a step after closure refused with a receipt and one audit line; a step of a case never
 * reported refused as HARDCASE_UNKNOWN after its waiting receives, and a second report with other content as
 * HARDCASE_CONFLICT, neither left to a DLQ; bad events refused at the edge naming the field.
 *
 * November 2026 has no public holiday. The functions' clock is set to Fri 2026-11-20 12:00 (Shanghai).
 */
import { startLocal, sample, type Running } from '#support/runtime';

let rt: Running;
beforeAll(async () => {
  rt = await startLocal();
  expect((await rt.dev('POST', '/_dev/clock', { set: '2026-11-20T12:00:00+08:00' })).status).toBe(200);
}, 120_000);
afterAll(async () => {
  await rt?.dev('POST', '/_dev/clock', { reset: true }).catch(() => undefined);
  await rt?.stop();
});

const HOTLINE = '/systems/hotline-12345';
const ACCEPTANCE = '/systems/window-acceptance';
const WINDOW_CASE = 'BBCS-20261109-0012';
const ONLINE_CASE = 'BBCS-20261110-0013';
const HOTLINE_CASE = '12345-20261111-0457';
const LATE_CASE = '12345-20261118-0101';

let serial = 0;
/** A hard-case update from `source`, on a new event id. */
function step(source: string, data: Record<string, unknown>): any {
  const at = String(data.at);
  return { specversion: '1.0', id: `hc-it-${++serial}`, source, type: 'gov.hardcase.updated', time: at, datacontenttype: 'application/json', data };
}

async function post(event: any): Promise<void> {
  const out = await rt.post(event);
  expect({ id: event.id, status: out.status, rejected: out.body.rejected }).toEqual({ id: event.id, status: 202, rejected: [] });
}

async function postAll(events: readonly any[]): Promise<void> {
  // One at a time, drained in between: the steps of a case come in order, as staff take them.
  for (const e of events) {
    await post(e);
    await rt.drain();
  }
}

async function hardCase(caseId: string, as?: string): Promise<any> {
  const out = await rt.get(`/hardcases/${encodeURIComponent(caseId)}`, as ? { as } : {});
  expect(out.status).toBe(200);
  return out.body;
}

async function receipt(event: any): Promise<any> {
  const out = await rt.get(`/events/${encodeURIComponent(event.id)}/receipt`, { as: event.source });
  expect(out.status).toBe(200);
  return out.body;
}

const windowContact = sample('gov.hardcase.updated', 'contact');
const hotline = { departmentCode: '440305-12345', staffId: 'H-0007' };
const hall = { departmentCode: '440305-ZWFWJ', staffId: 'W-0102' };

describe('办不成事 hard cases through the running runtime', () => {
  it('drives a case from each channel to CLOSED, each posted by its own source', async () => {
    await postAll([
      sample('gov.hardcase.reported', 'window'),
      sample('gov.hardcase.reported', 'online'),
      sample('gov.hardcase.reported', 'hotline'),
    ]);
    // The window case: contacted, resolved, return-visited, closed (the samples, from the acceptance system).
    await postAll([windowContact, sample('gov.hardcase.updated', 'resolve'), sample('gov.hardcase.updated', 'return-visit'), sample('gov.hardcase.updated', 'close')]);
    // The hotline case: two departments brought in (10 working days to resolve), contacted, escalated, then closed.
    await postAll([
      sample('gov.hardcase.updated', 'involve-departments'),
      sample('gov.hardcase.updated', 'hotline-contact'),
      sample('gov.hardcase.updated', 'escalate'),
      step(HOTLINE, { caseId: HOTLINE_CASE, action: 'returnVisit', actor: hotline, at: '2026-11-19T10:00:00+08:00', satisfied: true }),
      step(HOTLINE, { caseId: HOTLINE_CASE, action: 'close', actor: hotline, at: '2026-11-19T10:05:00+08:00' }),
    ]);
    // The online case, reported on a Tuesday evening: contacted the next morning (past the same-day deadline), explained.
    await postAll([
      step(ACCEPTANCE, { caseId: ONLINE_CASE, action: 'contact', actor: hall, at: '2026-11-11T09:10:00+08:00' }),
      step(ACCEPTANCE, { caseId: ONLINE_CASE, action: 'explain', actor: { departmentCode: '440305-SJJ', staffId: 'S-0317' }, at: '2026-11-12T11:00:00+08:00', cause: 'systemFault', note: '身份核验接口故障已修复，指导申请人重新提交' }),
      step(ACCEPTANCE, { caseId: ONLINE_CASE, action: 'returnVisit', actor: hall, at: '2026-11-13T15:00:00+08:00', satisfied: false }),
      step(ACCEPTANCE, { caseId: ONLINE_CASE, action: 'close', actor: hall, at: '2026-11-13T15:10:00+08:00' }),
    ]);

    const windowCase = await hardCase(WINDOW_CASE);
    expect(windowCase).toMatchObject({ state: 'CLOSED', channel: 'window', outcome: 'RESOLVED', cause: 'excessiveMaterials', causeLabel: '材料要求不合理', overdue: {}, version: 5, allowedActions: [], contactPhone: '13812345678' });
    expect(windowCase.deadlines.resolveDue.date).toBe('2026-11-16');
    expect(windowCase.history.map((h: any) => h.action)).toEqual(['open', 'contact', 'resolve', 'returnVisit', 'close']);

    const hotlineCase = await hardCase(HOTLINE_CASE, HOTLINE);
    expect(hotlineCase).toMatchObject({ state: 'CLOSED', channel: 'hotline', outcome: 'ESCALATED', escalatedTo: '南山区营商环境改革专班', departments: ['440305-CGJ', '440305-GTJ'], returnVisit: { satisfied: true } });
    // Two departments: 10 working days from Wed 11-11.
    expect(hotlineCase.deadlines.resolveDue.date).toBe('2026-11-25');
    // The hotline is not entitled to person data (its own system holds the phones): masked for it, not for the auditor.
    expect(hotlineCase.contactPhone).toBe('0755-****1234');
    expect((await hardCase(HOTLINE_CASE)).contactPhone).toBe('0755-26551234');

    const onlineCase = await hardCase(ONLINE_CASE, ACCEPTANCE);
    expect(onlineCase).toMatchObject({ state: 'CLOSED', channel: 'online', outcome: 'EXPLAINED', returnVisit: { satisfied: false } });
    expect(onlineCase.deadlines.contactDue.date).toBe('2026-11-10');
    expect(onlineCase.overdue.contact).toBe('2026-11-11T01:10:00.000Z');
    expect(onlineCase.history.map((h: any) => h.action)).toEqual(['open', 'overdue', 'contact', 'explain', 'returnVisit', 'close']);

    expect(await receipt(windowContact)).toMatchObject({ outcome: 'applied', effect: { resource: 'hardcase', id: WINDOW_CASE, href: `/hardcases/${WINDOW_CASE}` } });
  });

  it('applies a redelivered step once: the same event again, and the same step under a new id', async () => {
    const before = await hardCase(WINDOW_CASE);
    await post(windowContact);
    const again = { ...windowContact, id: 'hc-it-contact-again' };
    await post(again);
    await rt.drain();
    const after = await hardCase(WINDOW_CASE);
    expect(after.version).toBe(before.version);
    expect(after.history).toEqual(before.history);
    expect(await receipt(windowContact)).toMatchObject({ outcome: 'applied' });
    expect(await receipt(again)).toMatchObject({ outcome: 'noEffect', kind: 'DUPLICATE' });
  });

  it('names on each audit line the system that posted the step, besides the staff member it names', async () => {
    const trail = async (caseId: string) => ((await rt.dev('GET', `/_dev/audit?subject=hardcase:${encodeURIComponent(caseId)}`)).body.entries as any[]).map((a) => [a.action, a.actor, a.details?.source]);
    // The window case's steps, one line each although the contact was delivered again.
    expect((await trail(WINDOW_CASE)).map(([action, , source]) => [action, source])).toEqual([
      ['state:none->RECEIVED', ACCEPTANCE],
      ['state:RECEIVED->CONTACTED', ACCEPTANCE],
      ['state:CONTACTED->RESOLVED', ACCEPTANCE],
      ['state:RESOLVED->RETURN_VISITED', ACCEPTANCE],
      ['state:RETURN_VISITED->CLOSED', ACCEPTANCE],
    ]);
    expect((await trail(HOTLINE_CASE)).slice(-2)).toEqual([
      ['state:ESCALATED->RETURN_VISITED', `${hotline.departmentCode}/${hotline.staffId}`, HOTLINE],
      ['state:RETURN_VISITED->CLOSED', `${hotline.departmentCode}/${hotline.staffId}`, HOTLINE],
    ]);
  });

  it('refuses a step after closure with a receipt that says why, and keeps it on the case', async () => {
    const late = step(ACCEPTANCE, { caseId: WINDOW_CASE, action: 'contact', actor: hall, at: '2026-11-17T09:00:00+08:00' });
    await postAll([late]);
    expect(await receipt(late)).toMatchObject({ outcome: 'refused', kind: 'ACTION_NOT_ALLOWED', details: { state: 'CLOSED', allowedActions: [] } });
    expect((await hardCase(WINDOW_CASE)).refused).toEqual([expect.objectContaining({ eventId: late.id, code: 'ACTION_NOT_ALLOWED' })]);
    // Listed as its receipt is read: to the source that posted it, not to another source.
    expect((await hardCase(WINDOW_CASE, ACCEPTANCE)).refused).toEqual([expect.objectContaining({ eventId: late.id })]);
    expect((await hardCase(WINDOW_CASE, HOTLINE)).refused).toEqual([]);
  });

  it('writes a refusal on the audit trail of its case once, which action= and since= pick out', async () => {
    const late = step(ACCEPTANCE, { caseId: WINDOW_CASE, action: 'close', actor: hall, at: '2026-11-18T09:00:00+08:00' });
    // Posted twice: the second delivery finds the refusal recorded and writes no second line.
    await postAll([late, late]);
    const audit = async (query: string): Promise<any[]> => {
      const out = await rt.dev('GET', `/_dev/audit?subject=${encodeURIComponent(`hardcase:${WINDOW_CASE}`)}&${query}`);
      expect(out.status).toBe(200);
      return out.body.entries;
    };
    expect(await audit('action=refused:close')).toEqual([
      expect.objectContaining({
        action: 'refused:close',
        actor: `${hall.departmentCode}/${hall.staffId}`,
        causeId: late.id,
        why: expect.stringMatching(/^ACTION_NOT_ALLOWED: /),
        details: expect.objectContaining({ code: 'ACTION_NOT_ALLOWED', step: 'close', state: 'CLOSED', source: ACCEPTANCE }),
      }),
    ]);
    // The steps' lines carry the steps' times (11-09 … 11-12), the refusals the functions' clock (11-20).
    expect((await audit(`since=${encodeURIComponent('2026-11-20T00:00:00+08:00')}`)).map((a) => a.action)).toEqual(['refused:contact', 'refused:close']);
    expect((await audit(`action=${encodeURIComponent('state:none->RECEIVED,refused:close')}`)).map((a) => a.action)).toEqual(['state:none->RECEIVED', 'refused:close']);
    expect(await rt.dev('GET', `/_dev/audit?subject=hardcase:${WINDOW_CASE}&since=soon`)).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^since: /) } });
  });

  it('refuses bad events at the edge, naming the field', async () => {
    const noSatisfied = step(HOTLINE, { caseId: HOTLINE_CASE, action: 'returnVisit', actor: hotline, at: '2026-11-19T10:00:00+08:00' });
    const out = await rt.post(noSatisfied);
    expect(out.status).toBe(400);
    expect(out.body.rejected).toEqual([{ id: noSatisfied.id, errors: [{ path: 'data.satisfied', message: 'is required when action is returnVisit' }] }]);
    const wrongChannel = { ...sample('gov.hardcase.reported', 'window'), id: 'hc-it-wrong-channel', source: HOTLINE };
    const refused = await rt.post(wrongChannel);
    expect(refused.status).toBe(400);
    expect(refused.body.rejected[0].errors).toEqual([{ path: 'data.channel', message: `source ${HOTLINE} reports cases on hotline, not window` }]);
  });

  it('flags an uncontacted case overdue on the schedule, then lists the month and its figures', async () => {
    const report = { ...sample('gov.hardcase.reported', 'hotline'), id: 'hotline-12345-2026-000180', time: '2026-11-18T09:01:00+08:00' };
    await postAll([{ ...report, data: { caseId: LATE_CASE, channel: 'hotline', itemCode: 'SJ-0001', description: '气象证明窗口排队过长', reportedAt: '2026-11-18T09:00:00+08:00' } }]);
    const fired = await rt.dev('POST', '/_dev/schedules/hardcase-schedule');
    expect(fired.status).toBe(200);
    expect(fired.body.result).toMatchObject({ overdue: 1, failed: 0 });
    await rt.drain();
    expect((await rt.dev('POST', '/_dev/schedules/hardcase-schedule')).body.result).toMatchObject({ overdue: 0 });
    expect((await hardCase(LATE_CASE)).overdue).toEqual({ contact: expect.stringMatching(/^2026-11-20T04:/) });

    const list = await rt.get('/hardcases?month=2026-11');
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: any) => i.caseId)).toEqual([WINDOW_CASE, ONLINE_CASE, HOTLINE_CASE, LATE_CASE]);
    expect((await rt.get('/hardcases?month=2026-11&overdue=true')).body.items.map((i: any) => i.caseId)).toEqual([ONLINE_CASE, LATE_CASE]);
    // A cause filter lists the cases of a group the figures show, `unclassified` too; a cause that is none is refused.
    expect((await rt.get('/hardcases?month=2026-11&cause=crossDepartment')).body.items.map((i: any) => i.caseId)).toHaveLength(1);
    expect((await rt.get('/hardcases?month=2026-11&cause=unclassified')).body.items.map((i: any) => i.caseId)).toEqual([LATE_CASE]);
    const badCause = await rt.get('/hardcases?month=2026-11&cause=crossdepartment');
    expect(badCause.status).toBe(400);
    expect(JSON.stringify(badCause.body)).toContain('cause must be one of policyGap');

    const figures = await rt.get('/hardcases/figures?period=2026-11');
    expect(figures.status).toBe(200);
    expect(figures.body.all).toEqual({
      received: 4, offered: 0, contacted: 3, resolved: 1, explained: 1, escalated: 1, returnVisited: 3, satisfied: 2, closed: 3,
      overdueContact: 2, overdueResolve: 0, overdue: 2, resolutionRate: 0.25, satisfactionRate: 2 / 3,
    });
    expect(figures.body.byCause.map((r: any) => [r.cause, r.counts.received])).toEqual([['crossDepartment', 1], ['excessiveMaterials', 1], ['systemFault', 1], ['unclassified', 1]]);
    expect(figures.body.byItem.map((r: any) => [r.itemCode, r.counts.received, r.counts.resolved])).toEqual([['CG-0107', 1, 1], ['SJ-0001', 2, 0]]);
    expect(figures.body.byChannel.map((r: any) => [r.channel, r.counts.closed])).toEqual([['hotline', 1], ['online', 1], ['window', 1]]);
    expect((await rt.get('/hardcases/figures?period=2026-11-31')).status).toBe(400);
  });

  /** The queues' dead-letter depths: a refusal is an answer, never a message left to the DLQ. */
  async function deadLetters(): Promise<Record<string, number>> {
    const queues = (await rt.dev('GET', '/_dev/queues')).body as Record<string, { dlq: number }>;
    return Object.fromEntries(Object.entries(queues).map(([name, d]) => [name, d.dlq]));
  }
  const noDeadLetters = async () => expect(Object.entries(await deadLetters()).filter(([, n]) => n > 0)).toEqual([]);
  const trailOf = async (caseId: string): Promise<any[]> => (await rt.dev('GET', `/_dev/audit?subject=${encodeURIComponent(`hardcase:${caseId}`)}`)).body.entries;

  it('refuses a step of a case never reported as HARDCASE_UNKNOWN once its last waiting receive has passed', async () => {
    const NEVER = 'BBCS-20261119-0999';
    const orphan = step(ACCEPTANCE, { caseId: NEVER, action: 'contact', actor: hall, at: '2026-11-19T09:30:00+08:00' });
    await post(orphan);
    // The consumer waits a few receives for a report still on its way (a second apart here), then refuses:
    // the drain returns once the queue is empty, after the last of them.
    await rt.drain(120_000);
    expect(await receipt(orphan)).toMatchObject({ outcome: 'refused', kind: 'HARDCASE_UNKNOWN', reason: `hard case ${NEVER} was never reported` });
    expect(await trailOf(NEVER)).toEqual([
      expect.objectContaining({
        action: 'refused:contact',
        actor: `${hall.departmentCode}/${hall.staffId}`,
        causeId: orphan.id,
        why: expect.stringMatching(/^HARDCASE_UNKNOWN: /),
        details: expect.objectContaining({ code: 'HARDCASE_UNKNOWN', step: 'contact', source: ACCEPTANCE }),
      }),
    ]);
    // No case is opened for it.
    expect((await rt.get(`/hardcases/${NEVER}`)).status).toBe(404);
    await noDeadLetters();
  }, 150_000);

  it('refuses a second report of a case with other content as HARDCASE_CONFLICT; the first report stands', async () => {
    const first = sample('gov.hardcase.reported', 'window');
    const before = await hardCase(WINDOW_CASE);
    const other = { ...first, id: 'hc-it-report-again', data: { ...first.data, description: '另一件事：窗口让申请人去另一个部门开证明' } };
    await postAll([other]);
    expect(await receipt(other)).toMatchObject({ outcome: 'refused', kind: 'HARDCASE_CONFLICT', reason: `case ${WINDOW_CASE} was reported before with other content; the first report stands` });
    const after = await hardCase(WINDOW_CASE, ACCEPTANCE);
    expect(after).toMatchObject({ version: before.version, description: first.data.description, history: before.history });
    expect(after.refused).toContainEqual(expect.objectContaining({ eventId: other.id, code: 'HARDCASE_CONFLICT' }));
    expect((await trailOf(WINDOW_CASE)).filter((a) => a.causeId === other.id)).toEqual([
      expect.objectContaining({ action: 'refused:report', actor: ACCEPTANCE, why: expect.stringMatching(/^HARDCASE_CONFLICT: /), details: expect.objectContaining({ code: 'HARDCASE_CONFLICT', source: ACCEPTANCE }) }),
    ]);
    await noDeadLetters();
  });

  it('lets each source read the cases, and keeps readers without the route out', async () => {
    expect((await rt.get(`/hardcases/${WINDOW_CASE}`, { as: '/systems/review-channel' })).status).toBe(403);
    expect((await rt.get('/hardcases/NO-SUCH-CASE')).status).toBe(404);
  });
});
