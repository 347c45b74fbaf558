import { auditDetails, auditSource, eventRef, isInbound } from '#platform/inbound';

const upstream = { source: '/systems/hotline-12345', id: 'E-1', type: 'gov.hardcase.step' };
const own = { source: '/civicflow/approval', id: 'E-2', type: 'civicflow.approval.decided' };

describe('inbound events and the source their audit lines name', () => {
  it('takes a gov.* event as inbound and any other type as CivicFlow’s own', () => {
    expect(isInbound(upstream)).toBe(true);
    expect(isInbound(own)).toBe(false);
    // The prefix, not a substring: a type that merely contains "gov." is CivicFlow's own.
    expect(isInbound({ type: 'civicflow.gov.relay' })).toBe(false);
  });

  it('names the upstream system under `source`, and nothing for CivicFlow’s own or no cause', () => {
    expect(auditSource(upstream)).toEqual({ source: '/systems/hotline-12345' });
    expect(auditSource(own)).toEqual({});
    expect(auditSource(undefined)).toEqual({});
  });

  it('gives a line without other details a `details` only when there is a source to name', () => {
    expect(auditDetails(upstream)).toEqual({ details: { source: '/systems/hotline-12345' } });
    expect(auditDetails(own)).toEqual({});
    expect(auditDetails(undefined)).toEqual({});
  });

  it('copies the three fields that name an event and nothing else of it', () => {
    const event = { ...upstream, specversion: '1.0', time: '2026-12-07T08:00:00+08:00', data: { caseId: 'HC-1', idNumber: '110101199003071234' } };
    const ref = eventRef(event);
    expect(ref).toEqual(upstream);
    expect(Object.keys(ref).sort()).toEqual(['id', 'source', 'type']);
    expect(ref).not.toBe(upstream);
  });
});
