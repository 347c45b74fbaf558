import { decide } from '#approval/domain/decide';
import { approvalFigures, currentDecisions } from '#approval/domain/figures';
import { supplement } from '#approval/domain/lifecycle';
import type { Decision } from '#approval/domain/decision';
import {
  criminalApp,
  criminalRecordItem,
  inputFor,
  outdoorAdItem,
  outdoorApp,
  posterApp,
  posterItem,
  weatherApp,
  weatherItem,
} from './fixtures';

describe('approval figures', () => {
  const approvedWeather = decide(inputFor(weatherApp(), weatherItem)); // instant, APPROVED, 1 waived
  const rejectedPoster = decide(
    inputFor(posterApp({ applicationId: 'P-2', form: { areaSqm: 99, days: 3, location: '广场', lit: false } }), posterItem),
  ); // instant, REJECTED, 2 waived
  const pendingApp = posterApp({ applicationId: 'P-3', materials: [{ code: 'APPLY', provided: true }] });
  const pendingPoster = decide(inputFor(pendingApp, posterItem)); // instant, pending, 2 waived
  const { application: _a, ...rest } = inputFor(pendingApp, posterItem, { now: '2026-11-20T02:00:00Z' });
  const suppliedPoster = supplement(pendingPoster, pendingApp, [{ code: 'SAMPLE', provided: true }], rest);
  const onCommitment = decide(inputFor(criminalApp(), criminalRecordItem)); // commitment, 1 waived
  const manual = decide(inputFor(outdoorApp(), outdoorAdItem)); // manual, 1 waived

  it('counts outcomes and the instant approval rate over decisions on instant items', () => {
    const f = approvalFigures([approvedWeather, rejectedPoster, pendingPoster, onCommitment, manual]);
    expect(f.decisions).toBe(5);
    expect(f.byOutcome).toMatchObject({
      APPROVED: 1,
      REJECTED: 1,
      ACCEPTED_PENDING_MATERIALS: 1,
      APPROVED_ON_COMMITMENT: 1,
      MANUAL_REVIEW: 1,
      TERMINATED: 0,
      REVOKED: 0,
    });
    expect(f.instantItemDecisions).toBe(3);
    expect(f.instantApprovals).toBe(1);
    expect(f.instantApprovalRate).toBeCloseTo(1 / 3, 12);
    expect(f.materialsWaived).toBe(1 + 2 + 2 + 1 + 1);
  });

  it('takes each application once, at its latest version', () => {
    if (!suppliedPoster.ok) throw new Error('supplement refused');
    const current = currentDecisions([pendingPoster, approvedWeather, suppliedPoster.decision]);
    expect(current.map((d) => [d.applicationId, d.sequence])).toEqual([
      ['P-3', 2],
      ['APP-QX-1', 1],
    ]);
    const f = approvalFigures(current);
    expect(f.instantApprovalRate).toBe(1);
  });

  it('averages compression over concluded decisions only, and summarises latency', () => {
    if (!suppliedPoster.ok) throw new Error('supplement refused');
    const supplied: Decision = suppliedPoster.decision; // 2 working days of 20 → 0.9
    const f = approvalFigures([approvedWeather, supplied, manual]);
    expect(f.timeLimitCompression).toEqual({ count: 2, mean: (1 + 0.9) / 2 });
    expect(f.latencyMs.count).toBe(3);
    expect(f.latencyMs.max).toBe(supplied.latencyMs);
    expect(f.latencyMs.p95).toBe(supplied.latencyMs);
    expect(f.latencyMs.mean).toBeCloseTo((1500 + supplied.latencyMs + 1500) / 3, 6);
  });

  it('has no rate and no means without decisions', () => {
    const f = approvalFigures([]);
    expect(f.instantApprovalRate).toBeNull();
    expect(f.latencyMs.mean).toBeNull();
    expect(f.timeLimitCompression.mean).toBeNull();
  });
});
