/**
 * The per-policy figures of publicity, objections, recovery and payment as metrics, from what a write
 * committed: the counter deltas of its transitions (the same the figure rows are written with) and the
 * objection counters of the write. Called only after the write succeeded, so a redelivery that changes
 * nothing counts nothing.
 */
import { DecimalSum } from '#util/decimal';
import { counterDeltas, type Counter, type Transition } from '../domain';
import type { EntitlementMetric, MetricsSink } from '../ports';

const METRIC_OF: Partial<Record<Counter, EntitlementMetric>> = {
  objectionsFiled: 'ObjectionsFiled',
  objectionsUpheld: 'ObjectionsUpheld',
  upheldAfterRelease: 'ObjectionsUpheldAfterRelease',
  objectionsDismissed: 'ObjectionsDismissed',
  addedBySelfObjection: 'EntitlementsAddedBySelfObjection',
  recovered: 'EntitlementsRecovered',
  paidAfterPublicity: 'PaidAfterPublicity',
  publicityToPaymentDays: 'PublicityToPaymentDays',
};

export function countCommitted(metrics: MetricsSink, transitions: readonly Transition[], counts: Partial<Record<Counter, number>> = {}): void {
  const total = new Map<Counter, number>(Object.entries(counts) as Array<[Counter, number]>);
  const recovered = new DecimalSum();
  for (const t of transitions) {
    const deltas = counterDeltas(t);
    for (const [counter, value] of Object.entries(deltas.counts) as Array<[Counter, number]>) total.set(counter, (total.get(counter) ?? 0) + value);
    recovered.add(deltas.amountRecovered);
  }
  for (const [counter, metric] of Object.entries(METRIC_OF) as Array<[Counter, EntitlementMetric]>) {
    const value = total.get(counter) ?? 0;
    if (value > 0) metrics.count(metric, value);
  }
  const recoveredAmount = recovered.value();
  if (recoveredAmount > 0) metrics.count('RecoveredAmount', recoveredAmount);
}
