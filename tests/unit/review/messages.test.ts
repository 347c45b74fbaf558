/**
 * The outbound events of the review capability (shared/review/messages.ts): what each carries, and ids
 * that are the same whenever the same fact is published again.
 */
import { openRectification, applyAction, overdueCheck } from '#review/domain/rectification';
import { subjectOf } from '#review/domain/reviews';
import { DEFAULT_REVIEW_CONFIG } from '#review/domain/types';
import { invitationEvents, outboundId, overdueEvents, rectificationOpenedEvent, stepEvents } from '#review/messages';
import { calendar, makeCase, makeReview } from './fixtures';

const kase = makeCase();
const rect = openRectification(makeReview(kase, 2), subjectOf(kase, calendar), calendar, DEFAULT_REVIEW_CONFIG).rectification;
const OWNER = { departmentCode: 'D-QX', staffId: 'S9' };

describe('review messages', () => {
  it('one invitation, reminder and default per case, timed when they were sent', () => {
    const events = invitationEvents(kase, ['invite', 'remind', 'default'], '2026-09-17T02:00:00.000Z');
    expect(events.map((e) => [e.type, e.id, e.time])).toEqual([
      ['gov.review.invited', 'gov.review.invited:C1', '2026-09-17T02:00:00.000Z'],
      ['gov.review.reminded', 'gov.review.reminded:C1', '2026-09-17T02:00:00.000Z'],
      ['gov.review.defaulted', 'gov.review.defaulted:C1', '2026-09-17T02:00:00.000Z'],
    ]);
    expect(events[2]!.data).toEqual({
      caseId: 'C1',
      itemCode: kase.itemCode,
      departmentCode: 'D-QX',
      applicantId: 'P1',
      channel: kase.channel,
      at: '2026-09-17T02:00:00.000Z',
      level: 3,
      reviewId: 'C1#default',
    });
  });

  it('the opening of a rectification, with its deadlines', () => {
    expect(rectificationOpenedEvent(rect, '2026-09-11T02:00:05.000Z')).toEqual({
      type: 'gov.rectification.opened',
      id: 'gov.rectification.opened:C1',
      subject: 'C1',
      time: '2026-09-11T02:00:05.000Z',
      data: { caseId: 'C1', reviewId: 'R-C1', departmentCode: 'D-QX', level: 2, acknowledgeDue: rect.deadlines.acknowledgeDue, rectifyDue: rect.deadlines.rectifyDue },
    });
  });

  it('a step: its event named by its action key (the same instant in any offset is the same id), then the overdue flags it raised', () => {
    const late = '2026-09-20T02:00:00.000Z'; // past both deadlines, still OPEN
    const result = applyAction(rect, { action: 'acknowledge', actor: OWNER, at: late, note: 'seen' }, calendar, DEFAULT_REVIEW_CONFIG);
    if (!result.ok || result.duplicate) throw new Error('expected the step to apply');
    const events = stepEvents(rect, result);
    expect(events.map((e) => e.id)).toEqual([
      'gov.rectification.acknowledged:C1|acknowledge|2026-09-20T02:00:00.000Z',
      'gov.rectification.overdue:C1:acknowledge',
      'gov.rectification.overdue:C1:rectify',
    ]);
    expect(events[0]!.data).toEqual({ caseId: 'C1', reviewId: 'R-C1', departmentCode: 'D-QX', action: 'acknowledge', from: 'OPEN', to: 'IN_PROGRESS', actorStaffId: 'S9', at: late, note: 'seen' });
    expect(events[1]!.data).toMatchObject({ kind: 'acknowledge', state: 'OPEN', due: rect.deadlines.acknowledgeDue, at: late });
    expect(outboundId({ type: events[0]!.type, subject: 'C1', data: { action: 'acknowledge', at: '2026-09-20T10:00:00+08:00' } })).toBe(events[0]!.id);
  });

  it('an overdue flag raised by the schedule is the same event as one raised by a step', () => {
    const now = '2026-09-15T00:00:00.000Z';
    const flagged = overdueCheck(rect, now).flagged;
    expect(overdueEvents(rect, flagged, now).map((e) => e.id)).toEqual(['gov.rectification.overdue:C1:acknowledge']);
  });
});
