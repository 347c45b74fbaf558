/**
 * The write-unit floor of the design, per event type: what its invariants require at the least, each item
 * taken at 1 KB (a unit; 2 inside a transaction), next to what the cost run measured — and where the rest
 * goes. The invariants: the ingest record that keeps (source, id) once at the edge (1 unit); every state
 * change written in one transaction with its audit line and the receipt of the event that caused it (2 units
 * each); an item that a reader pages by an index costs that index's entry (1 unit).
 */
import { table } from '#bench/util';

interface Floor {
  /** The items the invariants need, as "what (units)". */
  readonly parts: readonly string[];
  readonly units: number;
  /** Where the measured units above the floor go. */
  readonly above: string;
}

const INGEST = 'ingest record (1)';
const inTransaction = (what: string, items: number) => `${what} (${items} × 2)`;

const APPLICATION_ABOVE =
  'the decision spread over DECISION (+ its byItem index entry), V#000001 (the application and the facts the decision saw, over 1 KB for some items) and an OUTBOX item (+ byDue entry, then rewritten as sent); the counter rows\' share';

/** By the event type's label as the cost run names it (an application's template in parentheses). */
function floorOf(label: string): Floor | undefined {
  if (label === 'gov.enterprise.profile.updated') {
    return { parts: [INGEST, inTransaction('profile, receipt', 2), 'shard index entry (1)'], units: 1 + 4 + 1, above: '—' };
  }
  if (label.startsWith('gov.application.submitted')) {
    const opensCase = !label.includes('pending-materials');
    return {
      parts: [INGEST, inTransaction('application with its decision, audit line, receipt', 3), ...(opensCase ? [inTransaction('the review case it opens, its audit line', 2)] : [])],
      units: 1 + 6 + (opensCase ? 4 : 0),
      above: APPLICATION_ABOVE,
    };
  }
  if (label === 'gov.case.completed' || label === 'gov.review.submitted') {
    const counters = 'the counter rows\' share of each batch\'s transaction';
    const above = label === 'gov.review.submitted' ? `${counters}; a 差评 opens a rectification (its item and audit line)` : counters;
    return { parts: [INGEST, inTransaction('case, audit line, receipt', 3)], units: 1 + 6, above };
  }
  return undefined;
}

export interface MeasuredRow {
  readonly label: string;
  /** Write units per event, measured. */
  readonly wcu: number;
}

/** The floor table of the cost section (markdown lines). */
export function floorLines(rows: readonly MeasuredRow[]): string[] {
  const known = rows.flatMap((r) => {
    const floor = floorOf(r.label);
    return floor ? [{ ...r, floor }] : [];
  });
  return [
    'The floor of this design per event type: the write units its invariants need at the least (each item taken at',
    '1 KB: 1 unit, 2 inside a transaction) — the ingest record that keeps (source, id) once, every state change in one',
    'transaction with its audit line and its event\'s receipt, an index entry where a reader pages by one — against',
    'the units measured above, and where the rest goes:',
    '',
    table(
      ['event type', 'what the invariants need', 'floor', 'measured', 'measured / floor', 'above the floor'],
      known.map((r) => [r.label, r.floor.parts.join(' + '), r.floor.units.toFixed(0), r.wcu.toFixed(2), `${(r.wcu / r.floor.units).toFixed(2)}×`, r.floor.above]),
    ),
  ];
}
