/**
 * What operators watch of the upward sync, as pure functions over outbox records: sync lag (from the
 * review, default or step to the platform's ack) at p50 / p99, rejections by reason, the oldest record
 * still pending; and which records a re-push takes, by record, by day or by state.
 *
 * Percentiles are nearest-rank (the smallest value with at least q of the values at or below it), so
 * they are values that occurred and the same on every run.
 */

import type { WorkingCalendar } from '#calendar/types';
import { SYNC_STATES, repushEligibility, type SyncConfig, type SyncRecord, type SyncState } from './sync';

export function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}

export interface OldestRecord {
  readonly recordId: string;
  readonly state: SyncState;
  readonly sourceEventAt: string;
  /** now − sourceEventAt. */
  readonly ageMs: number;
}

export interface SyncFigures {
  readonly records: number;
  readonly byState: Readonly<Record<SyncState, number>>;
  /** Sync lag of the ACKED records, in milliseconds; null without any. */
  readonly lag: { readonly count: number; readonly p50Ms: number | null; readonly p99Ms: number | null; readonly maxMs: number | null };
  /** REJECTED records by rejection code, most frequent first, then by code. */
  readonly rejectionsByReason: readonly { readonly code: string; readonly count: number }[];
  /** The oldest record on its way (PENDING or SENT). */
  readonly oldestPending: OldestRecord | null;
  /** The oldest record not acknowledged, whatever its state (PARKED and REJECTED wait for a person). */
  readonly oldestUnacked: OldestRecord | null;
}

/**
 * The record whose event happened first, by instant (`+08:00` and `Z` may write the same one); of records at
 * the same instant, the one with the smallest record id, so the answer does not depend on the records' order.
 */
function oldest(records: readonly SyncRecord[], now: string): OldestRecord | null {
  let found: SyncRecord | undefined;
  for (const r of records) {
    const at = Date.parse(r.sourceEventAt);
    const foundAt = found === undefined ? Number.NaN : Date.parse(found.sourceEventAt);
    const older = found === undefined || at < foundAt;
    const tie = found !== undefined && at === foundAt && r.recordId < found.recordId;
    if (older || tie) found = r;
  }
  if (found === undefined) return null;
  return { recordId: found.recordId, state: found.state, sourceEventAt: found.sourceEventAt, ageMs: Date.parse(now) - Date.parse(found.sourceEventAt) };
}

export function syncFigures(records: readonly SyncRecord[], now: string): SyncFigures {
  const byState = Object.fromEntries(SYNC_STATES.map((s) => [s, 0])) as Record<SyncState, number>;
  const lags: number[] = [];
  const rejections = new Map<string, number>();
  for (const r of records) {
    byState[r.state] += 1;
    if (r.state === 'ACKED' && r.ackedAt !== undefined) lags.push(Date.parse(r.ackedAt) - Date.parse(r.sourceEventAt));
    if (r.state === 'REJECTED') {
      const code = r.rejection?.code ?? 'UNKNOWN';
      rejections.set(code, (rejections.get(code) ?? 0) + 1);
    }
  }
  return {
    records: records.length,
    byState,
    lag: { count: lags.length, p50Ms: percentile(lags, 0.5), p99Ms: percentile(lags, 0.99), maxMs: percentile(lags, 1) },
    rejectionsByReason: [...rejections.entries()]
      .map(([code, count]) => ({ code, count }))
      .sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)),
    oldestPending: oldest(records.filter((r) => r.state === 'PENDING' || r.state === 'SENT'), now),
    oldestUnacked: oldest(records.filter((r) => r.state !== 'ACKED'), now),
  };
}

/** Which records an operator re-pushes (`npm run resync -- …`). */
export type RepushSelector =
  | { readonly by: 'record'; readonly recordIds: readonly string[] }
  /** Records whose review, default or step happened on this local date, optionally only in these states. */
  | { readonly by: 'day'; readonly day: string; readonly states?: readonly SyncState[] }
  | { readonly by: 'state'; readonly states: readonly SyncState[] };

export interface RepushSelection {
  readonly selected: readonly SyncRecord[];
  /** Matched the selector but a re-push does not take them (ACKED, or on their way and not stuck). */
  readonly skipped: readonly { readonly recordId: string; readonly state: SyncState; readonly reason: string }[];
  /** Record ids asked for by name that do not exist. */
  readonly missing: readonly string[];
}

function matches(selector: RepushSelector, record: SyncRecord, calendar: Pick<WorkingCalendar, 'localDate'>): boolean {
  switch (selector.by) {
    case 'record':
      return selector.recordIds.includes(record.recordId);
    case 'day':
      return calendar.localDate(record.sourceEventAt) === selector.day && (selector.states === undefined || selector.states.includes(record.state));
    case 'state':
      return selector.states.includes(record.state);
  }
}

export function selectForRepush(
  records: readonly SyncRecord[],
  selector: RepushSelector,
  now: string,
  calendar: Pick<WorkingCalendar, 'localDate'>,
  config: SyncConfig,
): RepushSelection {
  const selected: SyncRecord[] = [];
  const skipped: { recordId: string; state: SyncState; reason: string }[] = [];
  const matched = [...records].filter((r) => matches(selector, r, calendar)).sort((a, b) => (a.recordId < b.recordId ? -1 : 1));
  for (const record of matched) {
    const { eligible, reason } = repushEligibility(record, now, config);
    if (eligible) selected.push(record);
    else skipped.push({ recordId: record.recordId, state: record.state, reason });
  }
  const known = new Set(records.map((r) => r.recordId));
  const missing = selector.by === 'record' ? selector.recordIds.filter((id) => !known.has(id)) : [];
  return { selected, skipped, missing };
}
