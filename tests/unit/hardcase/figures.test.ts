import { createCalendar } from '#calendar';
import { hardCaseFigures } from '#hardcase/domain/figures';
import type { HardCase } from '#hardcase/domain/types';
import { hardCaseMaker } from '#support/hardcases';

const calendar = createCalendar({ timeZone: 'Asia/Shanghai', useChineseDays: true });
const local = (s: string) => new Date(Date.parse(`${s}+08:00`)).toISOString();
const make = hardCaseMaker({ departmentCode: 'ZWFWJ', staffId: 'W-1' });

const CASES: HardCase[] = [
  make(
    { caseId: 'H1', channel: 'window', itemCode: 'I-A', reportedAt: '2026-10-08T09:00:00' },
    ['contact', '2026-10-08T10:00:00'],
    ['resolve', '2026-10-09T10:00:00', { cause: 'policyGap' }],
    ['returnVisit', '2026-10-12T10:00:00', { satisfied: true }],
    ['close', '2026-10-12T11:00:00'],
  ),
  make(
    { caseId: 'H2', channel: 'hotline', itemCode: 'I-A', reportedAt: '2026-10-08T10:00:00' },
    ['contact', '2026-10-09T09:00:00'], // a day late
    ['explain', '2026-10-10T10:00:00', { cause: 'policyGap' }],
    ['returnVisit', '2026-10-12T10:00:00', { satisfied: false }],
  ),
  make(
    { caseId: 'H3', channel: 'online', itemCode: 'I-B', reportedAt: '2026-10-09T10:00:00' },
    ['contact', '2026-10-09T11:00:00'],
    ['escalate', '2026-10-10T10:00:00', { cause: 'crossDepartment', escalatedTo: '区专班' }],
    ['resolve', '2026-10-16T10:00:00'],
  ),
  // Offered on Mon 10-12 and not touched: contact due 10-12, resolution due Mon 10-19; late at 10-20.
  make({ caseId: 'H4', channel: 'system', origin: 'offered', itemCode: 'I-B', cause: 'reviewOverdue', reportedAt: '2026-10-12T10:00:00' }),
  // Reported Tue 10-13: resolution due Tue 10-20, not late at noon that day.
  make({ caseId: 'H5', channel: 'window', reportedAt: '2026-10-13T10:00:00' }, ['contact', '2026-10-13T11:00:00']),
  make({ caseId: 'H6', channel: 'window', itemCode: 'I-A', reportedAt: '2026-09-30T10:00:00' }),
];
const NOW = local('2026-10-20T12:00:00');

describe('hardCaseFigures', () => {
  const figures = hardCaseFigures([...CASES, CASES[0]!], { granularity: 'month', value: '2026-10' }, NOW, calendar);

  it('counts every stage a case reached, overdue as of now, and the rates, once per case', () => {
    expect(figures.all).toEqual({
      received: 5,
      offered: 1,
      contacted: 4,
      resolved: 2,
      explained: 1,
      escalated: 1,
      returnVisited: 2,
      satisfied: 1,
      closed: 1,
      overdueContact: 2,
      overdueResolve: 1,
      overdue: 2,
      resolutionRate: 0.4,
      satisfactionRate: 0.5,
    });
  });

  it('groups by cause (unclassified without one), by item (none without one) and by channel', () => {
    expect(figures.byCause.map((r) => [r.cause, r.counts.received, r.counts.resolved, r.counts.overdue])).toEqual([
      ['crossDepartment', 1, 1, 0],
      ['policyGap', 2, 1, 1],
      ['reviewOverdue', 1, 0, 1],
      ['unclassified', 1, 0, 0],
    ]);
    expect(figures.byItem.map((r) => [r.itemCode, r.counts.received, r.counts.resolutionRate])).toEqual([
      ['I-A', 2, 0.5],
      ['I-B', 2, 0.5],
    ]);
    expect(figures.byChannel.map((r) => [r.channel, r.counts.received])).toEqual([
      ['hotline', 1],
      ['online', 1],
      ['system', 1],
      ['window', 2],
    ]);
  });

  it('takes a day of reports, and gives null rates without cases', () => {
    const day = hardCaseFigures(CASES, { granularity: 'day', value: '2026-10-08' }, NOW, calendar);
    expect(day.all.received).toBe(2);
    const none = hardCaseFigures(CASES, { granularity: 'month', value: '2026-11' }, NOW, calendar);
    expect(none.all).toMatchObject({ received: 0, resolutionRate: null, satisfactionRate: null });
    expect(none.byCause).toEqual([]);
  });
});
