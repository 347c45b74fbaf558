/**
 * The review queue's events, parsed as the consumer parses them, mapped to the domain's input
 * (shared/review/inbound.ts): the samples in events/samples are the events.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { caseOpenedSchema } from '#contract/internal-schemas';
import { carriedBy } from '#platform/consumer';
import { caseOf, reviewOf, stepOf, type ReviewEvent } from '#review/inbound';

const parse = carriedBy('review', { 'civicflow.case.opened': caseOpenedSchema });
const ROOT = join(import.meta.dirname, '../../..');

function sample<T extends ReviewEvent['type']>(type: T, name: string): Extract<ReviewEvent, { type: T }> {
  const parsed = parse(JSON.parse(readFileSync(join(ROOT, 'events/samples', type, `${name}.json`), 'utf8')));
  if (!parsed.ok) throw new Error(parsed.problem);
  if (parsed.event.type !== type) throw new Error(`expected ${type}`);
  return parsed.event as Extract<ReviewEvent, { type: T }>;
}

describe('inbound mapping', () => {
  it('a completed case: instants in UTC, the staff member kept, from outside', () => {
    expect(caseOf(sample('gov.case.completed', 'window-case'))).toEqual({
      caseId: 'BJ-20261106-004518',
      itemCode: 'SJ-0001',
      departmentCode: '440305-SJJ',
      staffId: 'S-0317',
      applicantId: '440306200002290711',
      channel: 'window',
      completedAt: '2026-11-06T03:18:00.000Z',
      source: 'external',
    });
  });

  it('a case an approval opened: no staff member, from an application', () => {
    const kase = caseOf(sample('civicflow.case.opened', 'approved-weather-certificate'));
    expect(kase).toMatchObject({ caseId: 'SQ-20261105-000342', source: 'application', completedAt: '2026-11-05T06:00:03.412Z' });
    expect('staffId' in kase).toBe(false);
  });

  it('keeps when a case was received, in UTC, when its sender gives it', () => {
    const event = sample('gov.case.completed', 'window-case');
    const withAccepted = { ...event, data: { ...event.data, acceptedAt: '2026-11-06T09:02:00+08:00' } };
    expect(caseOf(withAccepted).acceptedAt).toBe('2026-11-06T01:02:00.000Z');
    expect('acceptedAt' in caseOf(event)).toBe(false);
  });

  it('a review: a real one, with the event that brought it', () => {
    const event = sample('gov.review.submitted', 'bad-review');
    expect(reviewOf(event)).toEqual({
      reviewId: 'PJ-20261107-771954',
      caseId: 'SQ-20261103-000187',
      itemCode: 'CG-0107',
      departmentCode: '440305-CGJ',
      channel: 'web',
      level: 1,
      indicators: ['WAIT_TOO_LONG', 'UNCLEAR_GUIDANCE'],
      comment: '现场核查等了两个小时，办事指南写得不清楚',
      reviewerId: '91440300MA5G2K8L1P',
      submittedAt: '2026-11-07T08:04:12.000Z',
      defaulted: false,
      event: { source: event.source, id: event.id, type: 'gov.review.submitted' },
    });
  });

  it('a rectification step: the actor, the note, the answer of a return visit', () => {
    const event = sample('gov.rectification.updated', 'return-visit');
    expect(stepOf(event)).toEqual({
      caseId: 'SQ-20261103-000187',
      input: {
        action: 'returnVisit',
        actor: { departmentCode: '440305-CGJ', staffId: 'S-0521' },
        note: '电话回访，企业对整改结果表示满意',
        at: '2026-11-13T01:55:00.000Z',
        satisfied: true,
      },
      event: { source: event.source, id: event.id, type: 'gov.rectification.updated' },
    });
    expect(stepOf(sample('gov.rectification.updated', 'acknowledge')).input).not.toHaveProperty('satisfied');
  });
});
