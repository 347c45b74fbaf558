import { creditView } from '#query/credit';

const upstream = { subjectId: '91440300MA5H7R3N0Y', asOf: '2026-11-01', rating: 'A' as const, dishonest: false, falseCommitment: false };
const upstreamEvent = { source: '/systems/credit', id: 'credit-1', asOfAt: '2026-10-31T16:00:00.000Z' };
const first = { at: '2026-11-21T07:30:00.000Z', applicationId: 'APP-1' };
const second = { at: '2026-11-22T07:30:00.000Z', applicationId: 'APP/2' };
const commitmentMark = (m: { at: string; applicationId: string }) => ({
  kind: 'falseCommitment',
  setBy: 'civicflow',
  at: m.at,
  cause: { reason: 'COMMITMENT_UNTRUTHFUL', applicationId: m.applicationId, href: `/applications/${encodeURIComponent(m.applicationId)}` },
});

describe('the credit record as the product holds it', () => {
  it('shows every false-commitment mark, each with the application that caused it, oldest first', () => {
    const view = creditView(upstream.subjectId, 'enterprise', { upstream, upstreamEvent, falseCommitmentMarks: [first, second] });
    expect(view.marks).toEqual([commitmentMark(first), commitmentMark(second)]);
    expect(view.marks[1]?.cause.href).toBe('/applications/APP%2F2');
    expect(view.effective).toEqual({ rating: 'A', dishonest: false, falseCommitment: true });
    expect(view.upstream).toEqual({ asOf: '2026-11-01', asOfAt: upstreamEvent.asOfAt, event: { source: '/systems/credit', id: 'credit-1' }, rating: 'A', dishonest: false, falseCommitment: false });
  });

  it('lists the benefit-fraud marks after them, which exclude nobody', () => {
    const fraud = { at: '2026-11-20T00:00:00.000Z', policyId: 'POL-A', amount: 100 };
    const view = creditView(upstream.subjectId, 'enterprise', { upstream, falseCommitmentMarks: [first], benefitFraudMarks: [fraud] });
    expect(view.marks.map((m) => [m.kind, m.at])).toEqual([['falseCommitment', first.at], ['benefitFraud', fraud.at]]);
    expect(creditView(upstream.subjectId, 'enterprise', { upstream, benefitFraudMarks: [fraud] }).effective.falseCommitment).toBe(false);
  });

  it('without marks shows the upstream record alone; with marks alone, no upstream record', () => {
    expect(creditView(upstream.subjectId, 'enterprise', { upstream })).toMatchObject({ marks: [], effective: { rating: 'A', falseCommitment: false } });
    expect(creditView('440304198506122460', 'person', { falseCommitmentMarks: [first] })).toEqual({
      subjectId: '440304198506122460',
      subjectKind: 'person',
      upstream: null,
      marks: [commitmentMark(first)],
      effective: { rating: null, dishonest: false, falseCommitment: true },
    });
  });
});
