/**
 * The hard-case use cases (shared/hardcase/service.ts) on in-memory ports: what each use case writes,
 * publishes and records, what a redelivery does (nothing twice), how out-of-order updates wait, and the
 * schedule's overdue flags and offers across the National Day holiday of 2026 (10-01 … 10-07 off, 10-10 a
 * make-up Saturday).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hardCaseReportedSchema, hardCaseUpdatedSchema, type HardCaseReported, type HardCaseUpdated } from '#contract/hardcase';
import { applicationDecidedSchema } from '#contract/internal-schemas';
import { hardCaseFigures } from '#hardcase/domain/figures';
import { createHardCaseService, NotReportedYet, StepOutOfOrder } from '#hardcase/service';
import { toDecided, toNewCase, toUpdate } from '#hardcase/inbound';
import { memoryPorts, type MemoryPorts } from '#support/memory/hardcase';

const SAMPLES = fileURLToPath(new URL('../../../events/samples/', import.meta.url));
const sample = (path: string) => JSON.parse(readFileSync(`${SAMPLES}${path}.json`, 'utf8')) as { source: string; id: string; type: string; data: unknown };
const reported = (name: string, over: Partial<HardCaseReported> = {}) => ({ ...hardCaseReportedSchema.parse(sample(`gov.hardcase.reported/${name}`).data), ...over });
const updated = (name: string, over: Partial<HardCaseUpdated> = {}) => ({ ...hardCaseUpdatedSchema.parse(sample(`gov.hardcase.updated/${name}`).data), ...over });

const local = (s: string) => new Date(Date.parse(`${s}+08:00`)).toISOString();
let serial = 0;
const ref = (type: 'gov.hardcase.reported' | 'gov.hardcase.updated', source = '/systems/window-acceptance') => ({ source, id: `ev-${++serial}`, type });

let m: MemoryPorts;
let service: ReturnType<typeof createHardCaseService>;
beforeEach(() => {
  m = memoryPorts({ now: local('2026-11-09T09:30:00') });
  service = createHardCaseService(m.ports);
});

const WINDOW = 'BBCS-20261109-0012';

describe('report', () => {
  it('opens the case with its deadlines, audit line, receipt and one published opening', async () => {
    const r = ref('gov.hardcase.reported');
    expect(await service.report(toNewCase(reported('window')), r)).toEqual({ outcome: 'opened', caseId: WINDOW });
    const stored = await m.store.loadCase(WINDOW);
    // Reported on Monday 11-09 09:20: contact the same working day, resolve in 5 working days (11-16).
    expect(stored?.hardCase).toMatchObject({ state: 'RECEIVED', channel: 'window', origin: 'reported', version: 1 });
    expect(stored?.hardCase.deadlines.contactDue.date).toBe('2026-11-09');
    expect(stored?.hardCase.deadlines.resolveDue.date).toBe('2026-11-16');
    expect([...m.store.audits.values()]).toEqual([expect.objectContaining({ subject: `hardcase:${WINDOW}`, action: 'state:none->RECEIVED', actor: 'system/system' })]);
    expect(m.store.receiptOf(r.source, r.id)).toMatchObject({ outcome: 'applied', effect: { resource: 'hardcase', id: WINDOW, href: `/hardcases/${WINDOW}`, state: 'RECEIVED' } });
    expect(m.published.map((e) => e.id)).toEqual([`gov.hardcase.opened:${WINDOW}`]);
    expect(stored?.outbox).toEqual([]);
  });

  it('takes the same report again as a duplicate, and refuses another one under the same caseId', async () => {
    const first = ref('gov.hardcase.reported');
    await service.report(toNewCase(reported('window')), first);
    // The same event redelivered: its receipt stays the first one.
    expect((await service.report(toNewCase(reported('window')), first)).outcome).toBe('duplicate');
    expect(m.store.receiptOf(first.source, first.id)?.outcome).toBe('applied');
    const again = ref('gov.hardcase.reported');
    expect((await service.report(toNewCase(reported('window')), again)).outcome).toBe('duplicate');
    expect(m.store.receiptOf(again.source, again.id)).toMatchObject({ outcome: 'noEffect', kind: 'DUPLICATE' });
    const other = ref('gov.hardcase.reported');
    expect(await service.report(toNewCase(reported('window', { description: '另一件事' })), other)).toMatchObject({ outcome: 'refused', code: 'HARDCASE_CONFLICT' });
    expect(m.store.receiptOf(other.source, other.id)).toMatchObject({ outcome: 'refused', kind: 'HARDCASE_CONFLICT' });
    expect((await m.store.loadCase(WINDOW))?.refused).toEqual([expect.objectContaining({ eventId: other.id, code: 'HARDCASE_CONFLICT' })]);
    expect(m.store.commits).toBe(1);
    expect(m.published).toHaveLength(1);
  });
});

describe('update', () => {
  const steps = ['contact', 'resolve', 'return-visit', 'close'] as const;

  it('drives a window case to CLOSED, one audit line, receipt and event per step', async () => {
    await service.report(toNewCase(reported('window')), ref('gov.hardcase.reported'));
    for (const step of steps) expect((await service.update(toUpdate(updated(step)), ref('gov.hardcase.updated'), 1)).outcome).toBe('applied');
    const hc = (await m.store.loadCase(WINDOW))!.hardCase;
    expect(hc).toMatchObject({ state: 'CLOSED', outcome: 'RESOLVED', version: 5, overdue: {} });
    expect([...m.store.audits.values()].map((a) => a.action)).toEqual([
      'state:none->RECEIVED',
      'state:RECEIVED->CONTACTED',
      'state:CONTACTED->RESOLVED',
      'state:RESOLVED->RETURN_VISITED',
      'state:RETURN_VISITED->CLOSED',
    ]);
    expect(m.published.map((e) => e.type)).toEqual([
      'gov.hardcase.opened',
      'gov.hardcase.contacted',
      'gov.hardcase.resolved',
      'gov.hardcase.returnVisited',
      'gov.hardcase.closed',
    ]);
    expect(new Set(m.published.map((e) => e.id)).size).toBe(5);
  });

  it('never applies a step twice: the same event again, or the same step under a new event id', async () => {
    await service.report(toNewCase(reported('window')), ref('gov.hardcase.reported'));
    const r = ref('gov.hardcase.updated');
    await service.update(toUpdate(updated('contact')), r, 1);
    expect((await service.update(toUpdate(updated('contact')), r, 2)).outcome).toBe('duplicate');
    const other = ref('gov.hardcase.updated');
    expect((await service.update(toUpdate(updated('contact')), other, 1)).outcome).toBe('duplicate');
    expect(m.store.receiptOf(r.source, r.id)?.outcome).toBe('applied');
    expect(m.store.receiptOf(other.source, other.id)).toMatchObject({ outcome: 'noEffect', kind: 'DUPLICATE' });
    expect((await m.store.loadCase(WINDOW))?.hardCase.version).toBe(2);
    expect(m.published.filter((e) => e.type === 'gov.hardcase.contacted')).toHaveLength(1);
  });

  it('waits a few receives for a report still on its way, then refuses the update as HARDCASE_UNKNOWN', async () => {
    const r = ref('gov.hardcase.updated');
    await expect(service.update(toUpdate(updated('contact')), r, 1)).rejects.toBeInstanceOf(NotReportedYet);
    await expect(service.update(toUpdate(updated('contact')), r, 2)).rejects.toBeInstanceOf(NotReportedYet);
    const first = await service.update(toUpdate(updated('contact')), r, 3);
    expect(first).toMatchObject({ outcome: 'refused', code: 'HARDCASE_UNKNOWN' });
    expect(first.recordedBefore).toBeUndefined();
    expect(m.store.receiptOf(r.source, r.id)).toMatchObject({ outcome: 'refused', kind: 'HARDCASE_UNKNOWN' });
    // A redelivery finds the refusal recorded: answered again, marked so that the consumer counts it once.
    expect(await service.update(toUpdate(updated('contact')), r, 4)).toMatchObject({ outcome: 'refused', code: 'HARDCASE_UNKNOWN', recordedBefore: true });
  });

  it('marks a refused step that is redelivered as recorded before, so the refusal is counted once', async () => {
    await service.report(toNewCase(reported('window')), ref('gov.hardcase.reported'));
    const resolve = ref('gov.hardcase.updated');
    const first = await service.update(toUpdate(updated('resolve')), resolve, 3);
    expect(first).toMatchObject({ outcome: 'refused', code: 'ACTION_NOT_ALLOWED' });
    expect(first.recordedBefore).toBeUndefined();
    for (const receive of [4, 5]) {
      expect(await service.update(toUpdate(updated('resolve')), resolve, receive)).toMatchObject({ outcome: 'refused', code: 'ACTION_NOT_ALLOWED', recordedBefore: true });
    }
    expect((await m.store.loadCase(WINDOW))?.refused.map((r) => r.eventId)).toEqual([resolve.id]);
  });

  it('waits for an earlier step that may still arrive; a step that can never be allowed is refused at once', async () => {
    await service.report(toNewCase(reported('window')), ref('gov.hardcase.reported'));
    const resolve = ref('gov.hardcase.updated');
    await expect(service.update(toUpdate(updated('resolve')), resolve, 1)).rejects.toBeInstanceOf(StepOutOfOrder);
    expect(await service.update(toUpdate(updated('resolve')), resolve, 3)).toMatchObject({ outcome: 'refused', code: 'ACTION_NOT_ALLOWED' });
    expect(m.store.receiptOf(resolve.source, resolve.id)).toMatchObject({ kind: 'ACTION_NOT_ALLOWED', details: { state: 'RECEIVED', allowedActions: ['contact', 'involveDepartments'] } });
    for (const step of steps) await service.update(toUpdate(updated(step)), ref('gov.hardcase.updated'), 1);
    const late = ref('gov.hardcase.updated');
    expect(await service.update(toUpdate(updated('contact', { at: '2026-11-16T11:00:00+08:00' })), late, 1)).toMatchObject({ outcome: 'refused', code: 'ACTION_NOT_ALLOWED' });
    expect((await m.store.loadCase(WINDOW))?.refused.map((r) => r.eventId)).toEqual([resolve.id, late.id]);
  });

  it('writes one audit line per refused event with its record, and none again when it is redelivered', async () => {
    await service.report(toNewCase(reported('window')), ref('gov.hardcase.reported'));
    const resolve = ref('gov.hardcase.updated', '/systems/hotline-12345');
    await service.update(toUpdate(updated('resolve')), resolve, 3);
    const line = {
      subject: `hardcase:${WINDOW}`,
      action: 'refused:resolve',
      actor: '440305-CGJ/S-0521',
      at: local('2026-11-09T09:30:00'),
      why: expect.stringMatching(/^ACTION_NOT_ALLOWED: /),
      causeId: resolve.id,
      details: {
        code: 'ACTION_NOT_ALLOWED',
        reason: expect.any(String),
        step: 'resolve',
        at: '2026-11-12T07:00:00.000Z',
        state: 'RECEIVED',
        allowedActions: ['contact', 'involveDepartments'],
        // The actor is who the step names; the source the system that posted it.
        source: '/systems/hotline-12345',
      },
    };
    const refusals = () => [...m.store.audits.values()].filter((a) => a.action.startsWith('refused:'));
    expect(refusals()).toEqual([line]);
    // Redelivered later: another time of refusal, so another key for a line; the record stops it all the same.
    m.setNow(local('2026-11-09T09:45:00'));
    expect(await service.update(toUpdate(updated('resolve')), resolve, 4)).toMatchObject({ recordedBefore: true });
    expect(refusals()).toEqual([line]);
    // The same step under another event id is another refusal, with a line of its own.
    const again = ref('gov.hardcase.updated');
    await service.update(toUpdate(updated('resolve')), again, 3);
    expect(refusals().map((a) => [a.causeId, a.at])).toEqual([
      [resolve.id, local('2026-11-09T09:30:00')],
      [again.id, local('2026-11-09T09:45:00')],
    ]);
  });

  it('writes the line of a step for a case never reported under the case it names, once', async () => {
    const r = ref('gov.hardcase.updated');
    await service.update(toUpdate(updated('contact')), r, 3);
    m.setNow(local('2026-11-09T10:00:00'));
    expect(await service.update(toUpdate(updated('contact')), r, 4)).toMatchObject({ recordedBefore: true });
    expect([...m.store.audits.values()]).toEqual([
      expect.objectContaining({ subject: `hardcase:${WINDOW}`, action: 'refused:contact', causeId: r.id, why: expect.stringMatching(/^HARDCASE_UNKNOWN: /), details: expect.objectContaining({ code: 'HARDCASE_UNKNOWN', step: 'contact', source: r.source }) }),
    ]);
    expect(m.store.refused.size).toBe(0);
  });

  it('writes the line of a second report with other content, naming the system that posted it', async () => {
    await service.report(toNewCase(reported('window')), ref('gov.hardcase.reported'));
    const other = ref('gov.hardcase.reported');
    await service.report(toNewCase(reported('window', { description: '另一件事' })), other);
    m.setNow(local('2026-11-09T10:00:00'));
    expect(await service.report(toNewCase(reported('window', { description: '另一件事' })), other)).toMatchObject({ recordedBefore: true });
    expect([...m.store.audits.values()].map((a) => [a.action, a.actor, a.causeId, a.details?.code, a.details?.source])).toEqual([
      ['state:none->RECEIVED', 'system/system', expect.any(String), undefined, '/systems/window-acceptance'],
      ['refused:report', '/systems/window-acceptance', other.id, 'HARDCASE_CONFLICT', '/systems/window-acceptance'],
    ]);
  });

  it('refuses a conclusion without a cause, naming what is missing', async () => {
    await service.report(toNewCase(reported('window')), ref('gov.hardcase.reported'));
    await service.update(toUpdate(updated('contact')), ref('gov.hardcase.updated'), 1);
    const { cause: _cause, ...noCause } = updated('resolve');
    const out = await service.update(toUpdate(noCause), ref('gov.hardcase.updated'), 1);
    expect(out).toMatchObject({ outcome: 'refused', code: 'CAUSE_REQUIRED', reason: expect.stringContaining('"cause"') });
  });

  it('decides again on fresh state after a version race, and applies the step once', async () => {
    await service.report(toNewCase(reported('window')), ref('gov.hardcase.reported'));
    m.store.conflictsToInject = 2;
    expect((await service.update(toUpdate(updated('contact')), ref('gov.hardcase.updated'), 1)).outcome).toBe('applied');
    expect((await m.store.loadCase(WINDOW))?.hardCase.history.filter((h) => h.action === 'contact')).toHaveLength(1);
  });

  it('publishes what a change left when publishing failed, once the event comes again', async () => {
    await service.report(toNewCase(reported('window')), ref('gov.hardcase.reported'));
    const r = ref('gov.hardcase.updated');
    m.failPublishes(1);
    await expect(service.update(toUpdate(updated('contact')), r, 1)).rejects.toThrow(/unavailable/);
    expect((await m.store.loadCase(WINDOW))?.outbox.map((e) => e.type)).toEqual(['gov.hardcase.contacted']);
    expect((await service.update(toUpdate(updated('contact')), r, 2)).outcome).toBe('duplicate');
    expect(m.published.map((e) => e.type)).toEqual(['gov.hardcase.opened', 'gov.hardcase.contacted']);
    expect((await m.store.loadCase(WINDOW))?.outbox).toEqual([]);
  });
});

const forEach = async (ids: readonly string[], work: (id: string) => Promise<void>) => {
  for (const id of ids) await work(id);
  return 0;
};

describe('schedule: overdue by working days', () => {
  it('flags the contact and the resolution deadline once each, counted across the National Day holiday', async () => {
    m.setNow(local('2026-09-30T16:00:00'));
    await service.report(toNewCase(reported('window', { caseId: 'HC-OCT', reportedAt: '2026-09-30T15:00:00+08:00' })), ref('gov.hardcase.reported'));
    const hc = (await m.store.loadCase('HC-OCT'))!.hardCase;
    // Same working day: 09-30. Five working days: 10-08, 10-09, 10-10 (make-up), 10-12, 10-13.
    expect([hc.deadlines.contactDue.date, hc.deadlines.resolveDue.date]).toEqual(['2026-09-30', '2026-10-13']);
    expect(await service.runSchedule(local('2026-09-30T23:00:00'), forEach)).toEqual({ overdue: 0, offered: 0, failed: 0 });
    expect(await service.runSchedule(local('2026-10-01T00:00:01'), forEach)).toEqual({ overdue: 1, offered: 0, failed: 0 });
    expect(await service.runSchedule(local('2026-10-05T09:00:00'), forEach)).toEqual({ overdue: 0, offered: 0, failed: 0 });
    await service.update(toUpdate(updated('contact', { caseId: 'HC-OCT', at: '2026-10-08T09:00:00+08:00' })), ref('gov.hardcase.updated'), 1);
    expect(await service.runSchedule(local('2026-10-13T23:00:00'), forEach)).toEqual({ overdue: 0, offered: 0, failed: 0 });
    expect(await service.runSchedule(local('2026-10-14T08:00:00'), forEach)).toEqual({ overdue: 1, offered: 0, failed: 0 });
    expect(await service.runSchedule(local('2026-10-15T08:00:00'), forEach)).toEqual({ overdue: 0, offered: 0, failed: 0 });
    const flagged = (await m.store.loadCase('HC-OCT'))!.hardCase;
    expect(flagged.overdue).toEqual({ contact: local('2026-10-01T00:00:01'), resolve: local('2026-10-14T08:00:00') });
    expect(m.published.filter((e) => e.type === 'gov.hardcase.overdue').map((e) => e.id)).toEqual(['gov.hardcase.overdue:HC-OCT:contact', 'gov.hardcase.overdue:HC-OCT:resolve']);
    expect([...m.store.audits.values()].filter((a) => a.action.startsWith('overdue:')).map((a) => a.action)).toEqual(['overdue:contact', 'overdue:resolve']);
  });
});

describe('overdue whatever the delivery order', () => {
  // Reported Mon 11-09 09:20 (contact due that day); the window contacts at 10:05; the schedule runs at 00:15.
  async function scenario(order: 'schedule first' | 'step first') {
    const world = memoryPorts({ now: local('2026-11-09T09:30:00') });
    const hardcases = createHardCaseService(world.ports);
    await hardcases.report(toNewCase(reported('window')), ref('gov.hardcase.reported'));
    const contact = ref('gov.hardcase.updated');
    if (order === 'schedule first') expect(await hardcases.runSchedule(local('2026-11-10T00:15:00'), forEach)).toEqual({ overdue: 1, offered: 0, failed: 0 });
    world.setNow(local('2026-11-10T01:00:00'));
    expect(await hardcases.update(toUpdate(updated('contact')), contact, 1)).toMatchObject({ outcome: 'applied' });
    if (order === 'step first') expect(await hardcases.runSchedule(local('2026-11-10T00:15:00'), forEach)).toEqual({ overdue: 0, offered: 0, failed: 0 });
    expect((await hardcases.update(toUpdate(updated('contact')), contact, 1)).outcome).toBe('duplicate');
    return world;
  }

  it('a contact made by the deadline leaves the case not overdue, whether the schedule flagged it before the contact arrived or not', async () => {
    const late = await scenario('schedule first');
    const inOrder = await scenario('step first');
    const figures = async (world: MemoryPorts) =>
      hardCaseFigures([(await world.store.loadCase(WINDOW))!.hardCase], { granularity: 'month', value: '2026-11' }, local('2026-11-10T01:00:00'), world.ports.calendar).all;
    for (const world of [late, inOrder]) {
      expect((await world.store.loadCase(WINDOW))?.hardCase).toMatchObject({ state: 'CONTACTED', overdue: {} });
      expect(await figures(world)).toMatchObject({ received: 1, contacted: 1, overdueContact: 0, overdue: 0 });
    }
    expect(await figures(late)).toEqual(await figures(inOrder));
    expect([...late.store.audits.values()].map((a) => a.action).filter((a) => a.startsWith('overdue'))).toEqual(['overdue:contact', 'overdue-withdrawn:contact']);
    // The overdue event was published and stands; the contact's event says the flag was withdrawn.
    expect(late.published.map((e) => e.type)).toEqual(['gov.hardcase.opened', 'gov.hardcase.overdue', 'gov.hardcase.contacted']);
    expect(late.published[2]?.data).toMatchObject({ overdueWithdrawn: ['contact'] });
    expect(inOrder.published.map((e) => e.type)).toEqual(['gov.hardcase.opened', 'gov.hardcase.contacted']);
  });
});

describe('the audit lines name the system that posted the event', () => {
  const lines = () => [...m.store.audits.values()].map((a) => [a.action, a.details?.source]);

  it('on each state step, besides the staff member the step names; a flag the schedule raised names none', async () => {
    await service.report(toNewCase(reported('window')), ref('gov.hardcase.reported', '/systems/window-acceptance'));
    expect(await service.runSchedule(local('2026-11-10T00:15:00'), forEach)).toMatchObject({ overdue: 1 });
    // The contact made by the deadline, posted by the 12345 hotline and processed after the flag: its withdrawal is the hotline's doing too.
    m.setNow(local('2026-11-10T01:00:00'));
    const contact = ref('gov.hardcase.updated', '/systems/hotline-12345');
    expect((await service.update(toUpdate(updated('contact')), contact, 1)).outcome).toBe('applied');
    expect((await service.update(toUpdate(updated('contact')), contact, 2)).outcome).toBe('duplicate');
    expect((await service.update(toUpdate(updated('resolve')), ref('gov.hardcase.updated', '/systems/window-acceptance'), 1)).outcome).toBe('applied');
    expect(lines()).toEqual([
      ['state:none->RECEIVED', '/systems/window-acceptance'],
      ['overdue:contact', undefined],
      ['overdue-withdrawn:contact', '/systems/hotline-12345'],
      ['state:RECEIVED->CONTACTED', '/systems/hotline-12345'],
      ['state:CONTACTED->RESOLVED', '/systems/window-acceptance'],
    ]);
    expect([...m.store.audits.values()].find((a) => a.action === 'state:RECEIVED->CONTACTED')?.actor).not.toContain('hotline');
  });

  it('on a case CivicFlow offered itself, none', async () => {
    const terminated = toDecided(
      applicationDecidedSchema.parse({ ...(sample('civicflow.application.decided/manual-review').data as object), outcome: 'TERMINATED', sequence: 2, reasons: [{ code: 'SUPPLEMENT_DEADLINE_MISSED', message: '容缺材料逾期未补正' }] }),
    );
    expect((await service.decided(terminated)).outcome).toBe('offered');
    expect(lines()).toEqual([['state:none->RECEIVED', undefined]]);
  });
});

describe('offers from 秒批 decisions (civicflow.application.decided)', () => {
  const decided = (over: Record<string, unknown>) => toDecided(applicationDecidedSchema.parse({ ...(sample('civicflow.application.decided/manual-review').data as object), ...over }));
  const APP = 'SQ-20261102-000031';

  it('offers a case at once for a TERMINATED application, once whatever is redelivered', async () => {
    const terminated = decided({ outcome: 'TERMINATED', sequence: 2, reasons: [{ code: 'SUPPLEMENT_DEADLINE_MISSED', message: '容缺材料逾期未补正' }], updatedAt: '2026-11-09T01:00:00.000Z' });
    expect(await service.decided(terminated)).toEqual({ outcome: 'offered', caseId: `offer-${APP}` });
    expect(await service.decided(terminated)).toEqual({ outcome: 'duplicate', caseId: `offer-${APP}` });
    expect((await service.decided(decided({ sequence: 1 }))).outcome).toBe('stale');
    const hc = (await m.store.loadCase(`offer-${APP}`))!.hardCase;
    expect(hc).toMatchObject({ origin: 'offered', channel: 'system', cause: 'supplementMissed', applicationId: APP, departments: ['440305-CGJ'] });
    expect(hc.description).toContain('容缺材料逾期未补正');
    expect(m.store.commits).toBe(1);
    expect(m.store.watches.get(APP)).toMatchObject({ sequence: 2, offeredCaseId: `offer-${APP}` });
  });

  it('watches a MANUAL_REVIEW and the schedule offers it after the promised days, once', async () => {
    // Submitted Mon 11-02 10:00; 5 promised working days end on Mon 11-09.
    m.setNow('2026-11-02T02:00:02.000Z');
    expect((await service.decided(decided({})))).toEqual({ outcome: 'watching' });
    expect(m.store.watches.get(APP)?.dueAt).toBe(local('2026-11-09T23:59:59.999'));
    expect(await service.runSchedule(local('2026-11-09T23:59:59.999'), forEach)).toEqual({ overdue: 0, offered: 0, failed: 0 });
    m.setNow(local('2026-11-10T00:15:00'));
    expect(await service.runSchedule(local('2026-11-10T00:15:00'), forEach)).toMatchObject({ offered: 1 });
    expect(await service.runSchedule(local('2026-11-10T00:30:00'), forEach)).toMatchObject({ offered: 0 });
    expect((await m.store.loadCase(`offer-${APP}`))?.hardCase).toMatchObject({ cause: 'reviewOverdue', reportedAt: local('2026-11-10T00:15:00') });
  });

  it('stops watching when a later version leaves MANUAL_REVIEW, whatever the order of arrival', async () => {
    expect((await service.decided(decided({ outcome: 'APPROVED', sequence: 2, reasons: [] }))).outcome).toBe('stopped');
    expect((await service.decided(decided({}))).outcome).toBe('stale');
    expect(await service.runSchedule(local('2026-11-20T09:00:00'), forEach)).toMatchObject({ offered: 0 });
    expect(m.store.cases.size).toBe(0);
  });
});
