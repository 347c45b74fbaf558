import { jest } from '@jest/globals';
import { decide } from '#approval/domain/decide';
import type { Decision } from '#approval/domain/decision';
import { onSupplementDeadline, supplement } from '#approval/domain/lifecycle';
import { bundleMetrics, decisionMetrics, type MetricPoint } from '#approval/domain/metrics';
import { telemetry } from '#approval/adapters';
import { metrics } from '#platform/powertools';
import { inputFor, posterApp, posterItem } from './fixtures';

/** Every point as "Name[dims]=value" (dimensions only on points published with their own). */
const shown = (points: readonly MetricPoint[]) =>
  points.map((p) => `${p.name}${p.dimensions ? `[${Object.entries(p.dimensions).map(([k, v]) => `${k}:${v}`).join(',')}]` : ''}=${p.value}`);

const pendingApp = posterApp({ materials: [{ code: 'APPLY', provided: true }] });
const pending = decide(inputFor(pendingApp, posterItem));

describe('decision metrics (which counters a stored version moves)', () => {
  it('a first decision counts once in the 秒批率 denominator and its waived materials', () => {
    const m = shown(decisionMetrics(pending, undefined, 'submitted'));
    expect(pending.outcome).toBe('ACCEPTED_PENDING_MATERIALS');
    expect(m).toEqual(
      expect.arrayContaining([
        'Decisions[Outcome:ACCEPTED_PENDING_MATERIALS]=1',
        'DecisionsByItem[ItemCode:CG-017,Outcome:ACCEPTED_PENDING_MATERIALS]=1',
        'DecisionsOnInstantItems=1',
        `MaterialsWaived=${pending.materialsWaived.length}`,
        `DecisionLatency=${pending.latencyMs}`,
      ]),
    );
    expect(m.some((s) => s.startsWith('InstantApprovals'))).toBe(false);
    // Pending has not concluded: no compression figure yet.
    expect(m.some((s) => s.startsWith('TimeLimitCompression'))).toBe(false);
  });

  it('a supplement that approves adds an instant approval but not a second decision on an instant item, nor the same waived licence', () => {
    const t = supplement(pending, pendingApp, [{ code: 'SAMPLE', provided: true }], inputFor(pendingApp, posterItem));
    if (!t.ok) throw new Error(t.refusal.message);
    const approved: Decision = t.decision;
    expect(approved.outcome).toBe('APPROVED');
    const m = shown(decisionMetrics(approved, pending, 'supplemented'));
    expect(m).toContain('InstantApprovals=1');
    expect(m).toContain('Decisions[Outcome:APPROVED]=1');
    expect(m.some((s) => s.startsWith('DecisionsOnInstantItems'))).toBe(false);
    expect(m.some((s) => s.startsWith('MaterialsWaived'))).toBe(false);
    expect(m).toContain(`TimeLimitCompression=${approved.timeLimitCompression! * 100}`);
  });

  it('a deadline is counted by outcome but is not a decision on the merits', () => {
    const terminated = onSupplementDeadline(pending, '2026-12-31T00:00:00Z')!;
    expect(shown(decisionMetrics(terminated, pending, 'supplementDeadline'))).toEqual([
      'Decisions[Outcome:TERMINATED]=1',
      'DecisionsByItem[ItemCode:CG-017,Outcome:TERMINATED]=1',
    ]);
  });
});

describe('the live telemetry port', () => {
  afterEach(() => jest.restoreAllMocks());

  it('publishes a point with dimensions as its own metric, and the others with the function\'s', () => {
    const out: string[] = [];
    jest.spyOn(metrics, 'addMetric').mockImplementation((name, unit, value) => (out.push(`${name} ${unit} ${value}`), metrics));
    jest.spyOn(metrics, 'singleMetric').mockImplementation(() => {
      const dims: Record<string, string> = {};
      const single = {
        addDimensions: (d: Record<string, string>) => (Object.assign(dims, d), single),
        addMetric: (name: string, unit: string, value: number) => void out.push(`${name}[${Object.entries(dims).map(([k, v]) => `${k}:${v}`).join(',')}] ${unit} ${value}`),
      };
      return single as never;
    });
    telemetry.metrics([
      { name: 'DecisionsByItem', unit: 'Count', value: 1, dimensions: { ItemCode: 'CG-017', Outcome: 'APPROVED' } },
      { name: 'DecisionLatency', unit: 'Milliseconds', value: 1500 },
      { name: 'TimeLimitCompression', unit: 'Percent', value: 90 },
    ]);
    expect(out).toEqual(['DecisionsByItem[ItemCode:CG-017,Outcome:APPROVED] Count 1', 'DecisionLatency Milliseconds 1500', 'TimeLimitCompression Percent 90']);
  });
});

describe('bundle metrics (一件事: a version that finishes the application)', () => {
  const finished = { status: 'PARTIALLY_APPROVED', final: true, noPerson: true, materialsSaved: 5, legalDaysSum: 40, workingDays: 3 };

  it('counts a bundle once when it reaches a final outcome: by outcome, with no person, materials saved, time against legal days', () => {
    expect(shown(bundleMetrics(finished, { status: 'IN_PROGRESS', final: false }))).toEqual([
      'BundlesDecided[Outcome:PARTIALLY_APPROVED]=1',
      'BundlesDecidedWithNoPerson=1',
      'BundleMaterialsSaved=5',
      'BundleTimeAgainstLegal=7.5',
    ]);
    expect(shown(bundleMetrics({ ...finished, status: 'REJECTED', noPerson: false, materialsSaved: 0 }, undefined))).toEqual([
      'BundlesDecided[Outcome:REJECTED]=1',
      'BundleTimeAgainstLegal=7.5',
    ]);
  });

  it('counts nothing for a version still open, or one that keeps the final outcome it had', () => {
    expect(bundleMetrics({ ...finished, status: 'IN_PROGRESS', final: false }, undefined)).toEqual([]);
    expect(bundleMetrics(finished, { status: 'PARTIALLY_APPROVED', final: true })).toEqual([]);
  });
});
