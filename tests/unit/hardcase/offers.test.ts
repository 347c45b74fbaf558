import { decide, onSupplementDeadline } from '#approval';
import { offerForDecision, offeredCaseId, promisedDue } from '#hardcase/domain/offers';
import { openHardCase } from '#hardcase/domain/transitions';
import { DEFAULT_HARDCASE_CONFIG } from '#hardcase/domain/types';
import { calendar, inputFor, outdoorAdItem, outdoorApp, posterApp, posterItem, weatherApp, weatherItem } from '../approval/fixtures';

const local = (s: string) => new Date(Date.parse(`${s}+08:00`)).toISOString();

// Submitted and decided on Wed 2026-09-30 10:00 Shanghai.
const SUBMITTED = local('2026-09-30T10:00:00');
const manual = decide(inputFor(outdoorApp({ submittedAt: SUBMITTED }), outdoorAdItem, { now: SUBMITTED }));

describe('offers for applications in MANUAL_REVIEW past their promised days', () => {
  it('starts from a manual review of an item promising 10 working days', () => {
    expect(manual.outcome).toBe('MANUAL_REVIEW');
    // 10-08, 10-09, 10-10 (调休), 10-12 … 10-16, 10-19, 10-20.
    expect(promisedDue(manual, outdoorAdItem, calendar)).toEqual({ date: '2026-10-20', dueAt: local('2026-10-20T23:59:59.999') });
  });

  it('offers nothing up to the end of the last promised day, then a case with its cause', () => {
    expect(offerForDecision(manual, outdoorAdItem, local('2026-10-20T23:59:59.999'), calendar)).toBeUndefined();
    const now = local('2026-10-21T00:00:00');
    const offer = offerForDecision(manual, outdoorAdItem, now, calendar);
    expect(offer).toEqual({
      caseId: offeredCaseId(manual.applicationId),
      origin: 'offered',
      channel: 'system',
      applicationId: manual.applicationId,
      itemCode: 'CG-021',
      departmentCode: 'CGJ',
      description: `申请 ${manual.applicationId}（事项「户外广告设施设置审批」（CG-021））人工审核超过承诺时限（10 个工作日，2026-10-20 届满）仍未办结。系统主动转“办不成事”窗口跟进。`,
      reportedAt: now,
      cause: 'reviewOverdue',
    });
    expect(offerForDecision(manual, outdoorAdItem, local('2026-10-22T09:00:00'), calendar)?.caseId).toBe(offer?.caseId);
  });

  it('counts a 3-day promise to the make-up Saturday, and 0 days to the same working day', () => {
    expect(promisedDue(manual, { promisedDays: 3 }, calendar)?.date).toBe('2026-10-10');
    expect(offerForDecision(manual, { promisedDays: 3 }, local('2026-10-10T18:00:00'), calendar)).toBeUndefined();
    expect(offerForDecision(manual, { promisedDays: 3 }, local('2026-10-11T08:00:00'), calendar)?.cause).toBe('reviewOverdue');
    const onHoliday = { ...manual, submittedAt: local('2026-10-03T10:00:00') };
    expect(promisedDue(onHoliday, { promisedDays: 0 }, calendar)?.date).toBe('2026-10-08');
  });

  it('offers nothing without the item, or for another outcome', () => {
    expect(offerForDecision(manual, undefined, local('2027-01-01T00:00:00'), calendar)).toBeUndefined();
    const approved = decide(inputFor(weatherApp(), weatherItem));
    const rejected = decide(inputFor(weatherApp(), undefined));
    expect([approved.outcome, rejected.outcome]).toEqual(['APPROVED', 'REJECTED']);
    expect(offerForDecision(approved, weatherItem, local('2027-01-01T00:00:00'), calendar)).toBeUndefined();
    expect(offerForDecision(rejected, weatherItem, local('2027-01-01T00:00:00'), calendar)).toBeUndefined();
  });
});

describe('offers for TERMINATED applications', () => {
  it('offers a case at once, with the reason the application was terminated', () => {
    const pending = decide(inputFor(posterApp({ materials: [{ code: 'APPLY', provided: true }], submittedAt: SUBMITTED }), posterItem, { now: SUBMITTED }));
    const terminated = onSupplementDeadline(pending, '2026-10-10T16:00:00.000Z')!;
    expect(terminated.outcome).toBe('TERMINATED');
    const now = '2026-10-10T16:00:00.000Z';
    const offer = offerForDecision(terminated, posterItem, now, calendar)!;
    expect(offer).toMatchObject({ caseId: `offer-${terminated.applicationId}`, origin: 'offered', cause: 'supplementMissed', reportedAt: now, departmentCode: 'CGJ' });
    expect(offer.description).toContain(terminated.reasons[0]!.message);
    // The offer opens like any case: contact on the next working day after a Saturday-night report.
    const { hardCase } = openHardCase(offer, calendar, DEFAULT_HARDCASE_CONFIG);
    expect(hardCase).toMatchObject({ state: 'RECEIVED', cause: 'supplementMissed', deadlines: { contactDue: { date: '2026-10-12' } } });
  });
});
