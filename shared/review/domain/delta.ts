import type { CounterName, FigureDelta, FigureSubject } from './types';

/** A delta without its zero entries, or nothing when every entry is zero. */
export function figureDelta(
  subject: FigureSubject,
  add: Partial<Record<CounterName, number>>,
): FigureDelta[] {
  const kept: Partial<Record<CounterName, number>> = {};
  let any = false;
  for (const [name, amount] of Object.entries(add) as [CounterName, number][]) {
    if (amount !== 0) {
      kept[name] = amount;
      any = true;
    }
  }
  return any ? [{ subject, add: kept }] : [];
}

/**
 * Sums deltas of the same case into one, so a transition costs one ADD per counter row. Deltas of
 * different cases stay apart (their subjects differ).
 */
export function mergeDeltas(deltas: readonly FigureDelta[]): FigureDelta[] {
  const byCase = new Map<string, { subject: FigureSubject; add: Partial<Record<CounterName, number>> }>();
  for (const d of deltas) {
    let acc = byCase.get(d.subject.caseId);
    if (!acc) {
      acc = { subject: d.subject, add: {} };
      byCase.set(d.subject.caseId, acc);
    }
    for (const [name, amount] of Object.entries(d.add) as [CounterName, number][]) {
      acc.add[name] = (acc.add[name] ?? 0) + amount;
    }
  }
  return [...byCase.values()].flatMap((acc) => figureDelta(acc.subject, acc.add));
}
