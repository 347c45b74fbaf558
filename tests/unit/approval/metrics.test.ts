import { jest } from '@jest/globals';
import { decide, onSupplementDeadline, supplement, type Decision } from '#approval';
import { recordDecisionMetrics } from '#approval/adapters';
import { metrics } from '#platform/powertools';
import { inputFor, posterApp, posterItem } from './fixtures';

/** Every metric recorded, as "Name[dims]=value". */
function recorded(run: () => void): string[] {
  const out: string[] = [];
  const add = jest.spyOn(metrics, 'addMetric').mockImplementation((name, _unit, value) => {
    out.push(`${name}=${value}`);
    return metrics;
  });
  const single = jest.spyOn(metrics, 'singleMetric').mockImplementation(() => {
    const dims: Record<string, string> = {};
    const fake = {
      addDimension: (k: string, v: string) => ((dims[k] = v), fake),
      addDimensions: (d: Record<string, string>) => (Object.assign(dims, d), fake),
      addMetric: (name: string, _u: unknown, value: number) => {
        out.push(`${name}[${Object.entries(dims).map(([k, v]) => `${k}:${v}`).join(',')}]=${value}`);
      },
    };
    return fake as never;
  });
  try {
    run();
  } finally {
    add.mockRestore();
    single.mockRestore();
  }
  return out;
}

const pendingApp = posterApp({ materials: [{ code: 'APPLY', provided: true }] });
const pending = decide(inputFor(pendingApp, posterItem));

describe('decision metrics', () => {
  it('a first decision counts once in the 秒批率 denominator and its waived materials', () => {
    const m = recorded(() => recordDecisionMetrics(pending, undefined, 'submitted'));
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
    const m = recorded(() => recordDecisionMetrics(approved, pending, 'supplemented'));
    expect(m).toContain('InstantApprovals=1');
    expect(m).toContain('Decisions[Outcome:APPROVED]=1');
    expect(m.some((s) => s.startsWith('DecisionsOnInstantItems'))).toBe(false);
    expect(m.some((s) => s.startsWith('MaterialsWaived'))).toBe(false);
    expect(m).toContain(`TimeLimitCompression=${approved.timeLimitCompression! * 100}`);
  });

  it('a deadline is counted by outcome but is not a decision on the merits', () => {
    const terminated = onSupplementDeadline(pending, '2026-12-31T00:00:00Z')!;
    const m = recorded(() => recordDecisionMetrics(terminated, pending, 'supplementDeadline'));
    expect(m).toEqual(['Decisions[Outcome:TERMINATED]=1', 'DecisionsByItem[ItemCode:CG-017,Outcome:TERMINATED]=1']);
  });
});
