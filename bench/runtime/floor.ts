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
  /** The items themselves: the ingest record, those written inside transactions, and the index entries. */
  readonly items: { readonly ingest: 1; readonly transaction: number; readonly indexEntries: number };
  /** Where the measured units above the floor go. */
  readonly above: string;
}

/** A floor's write units: the ingest record 1, an item inside a transaction 2, an index entry 1. */
const unitsOf = (f: Floor) => f.items.ingest + 2 * f.items.transaction + f.items.indexEntries;

const INGEST = 'ingest record (1)';
const inTransaction = (what: string, items: number) => `${what} (${items} × 2)`;

const APPLICATION_ABOVE =
  'the decision spread over DECISION (+ its byItem index entry) and V#000001 (the application and the facts the decision saw, over 1 KB for some items); the counter rows\' share';

/** By the event type's label as the cost run names it (an application's template in parentheses). */
function floorOf(label: string): Floor | undefined {
  if (label === 'gov.enterprise.profile.updated') {
    return { parts: [INGEST, inTransaction('profile, receipt', 2), 'shard index entry (1)'], items: { ingest: 1, transaction: 2, indexEntries: 1 }, above: '—' };
  }
  if (label.startsWith('gov.application.submitted')) {
    const opensCase = !label.includes('pending-materials');
    return {
      parts: [INGEST, inTransaction('application with its decision, audit line, receipt', 3), ...(opensCase ? [inTransaction('the review case it opens, its audit line', 2)] : [])],
      items: { ingest: 1, transaction: 3 + (opensCase ? 2 : 0), indexEntries: 0 },
      above: APPLICATION_ABOVE,
    };
  }
  if (label === 'gov.case.completed' || label === 'gov.review.submitted') {
    const counters = 'the counter rows\' share of each batch\'s transaction';
    const above = label === 'gov.review.submitted' ? `${counters}; a 差评 opens a rectification (its item and audit line)` : counters;
    return { parts: [INGEST, inTransaction('case, audit line, receipt', 3)], items: { ingest: 1, transaction: 3, indexEntries: 0 }, above };
  }
  return undefined;
}

/** The floor's write units of an event type (by the cost run's label), if the design names one. */
export function floorUnitsOf(label: string): number | undefined {
  const floor = floorOf(label);
  return floor && unitsOf(floor);
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
      known.map((r) => [r.label, r.floor.parts.join(' + '), unitsOf(r.floor).toFixed(0), r.wcu.toFixed(2), `${(r.wcu / unitsOf(r.floor)).toFixed(2)}×`, r.floor.above]),
    ),
  ];
}

export interface DayFloor {
  /** Items per event of the day at the floor: ingest records, and items inside transactions. */
  readonly ingest: number;
  readonly transaction: number;
  /** Events of the day whose type has no floor here (counted as writing nothing). */
  readonly unknown: number;
}

/**
 * The floor of a day's mix in items per event: each event's floor items weighted by how many of its type the
 * day held (by the cost run's labels). Events of a type without a floor (the policy publication) count as
 * writing nothing, and a 差评's rectification is left out as in the table: it stays a lower bound of what a
 * design writing these items writes.
 */
export function dayFloor(mix: Readonly<Record<string, number>>): DayFloor {
  let events = 0;
  let ingest = 0;
  let transaction = 0;
  let unknown = 0;
  for (const [label, n] of Object.entries(mix)) {
    events += n;
    const floor = floorOf(label);
    if (!floor) {
      unknown += n;
      continue;
    }
    ingest += n * floor.items.ingest;
    transaction += n * floor.items.transaction;
  }
  return events === 0 ? { ingest: 0, transaction: 0, unknown } : { ingest: ingest / events, transaction: transaction / events, unknown };
}

export interface FloorAtCost {
  /** The stand-in's CPU per event for the floor's items, each at its kind's cost (ms). */
  readonly msPerEvent: number;
  /** Events/s at `cores` of the stand-in's CPU (CPU seconds per second). */
  readonly eventsPerSecond: number;
}

/**
 * The floor's items at what items of their kind cost the stand-in on the day (JVM ms per item written: an
 * ingest record, an item inside a transaction), at the cores the stand-in had: the rate a design writing only
 * the floor's items, shaped as this design's are, would reach, reads and everything else left out.
 */
export function floorAtCost(floor: Pick<DayFloor, 'ingest' | 'transaction'>, msPerItem: { readonly ingest: number; readonly transaction: number }, cores: number): FloorAtCost {
  const msPerEvent = floor.ingest * msPerItem.ingest + floor.transaction * msPerItem.transaction;
  return { msPerEvent, eventsPerSecond: msPerEvent > 0 ? (1000 * cores) / msPerEvent : Infinity };
}
