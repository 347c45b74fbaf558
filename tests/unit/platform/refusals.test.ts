import { countsOnce, refusalAnswer } from '#platform/refusals';
import { refusal } from '#review/service/decision';

const answer = { outcome: 'refused', code: 'STEP_NOT_ALLOWED', reason: 'not allowed in CLOSED' } as const;

describe('a refusal the first time and on a redelivery', () => {
  it('is answered as it is by the delivery that records it, and counts', () => {
    const first = refusalAnswer(answer, true);
    expect(first).toEqual(answer);
    expect(first).not.toHaveProperty('recordedBefore');
    expect(countsOnce(first)).toBe(true);
  });

  it('is the same answer flagged recordedBefore when an earlier delivery recorded it, and does not count again', () => {
    const again = refusalAnswer(answer, false);
    expect(again).toEqual({ ...answer, recordedBefore: true });
    expect(countsOnce(again)).toBe(false);
    // The answer given is not changed under its first reader.
    expect(answer).not.toHaveProperty('recordedBefore');
  });

  it('counts every answer that is not a refusal recorded before', () => {
    expect(countsOnce({})).toBe(true);
    expect(countsOnce({ recordedBefore: false })).toBe(true);
  });

  it("gives a review refusal's decision both answers from one result", () => {
    const effect = { kind: 'refuse', caseId: 'C-1' } as unknown as Parameters<typeof refusal>[0];
    const decision = refusal(effect, { outcome: 'rejected', code: 'REVIEW_EXISTS', reason: 'one review a case' });
    expect(decision).toEqual({
      effect,
      result: { outcome: 'rejected', code: 'REVIEW_EXISTS', reason: 'one review a case' },
      recordedBefore: { outcome: 'rejected', code: 'REVIEW_EXISTS', reason: 'one review a case', recordedBefore: true },
    });
  });
});
