import { percentile, selectForRepush, syncFigures } from '#review/domain/upward/sync-figures';
import { DEFAULT_SYNC_CONFIG, type SyncRecord, type SyncState } from '#review/domain/upward/sync';
import { calendar } from './fixtures';

const NOW = '2026-09-10T12:00:00.000Z';
const minutes = (n: number) => new Date(Date.parse('2026-09-10T00:00:00.000Z') + n * 60_000).toISOString();

function record(id: string, state: SyncState, sourceEventAt: string, extra: Partial<SyncRecord> = {}): SyncRecord {
  return {
    recordId: id,
    key: { projectNo: id.split('#')[0]!, assessNumber: id.split('#')[1] ?? '1' },
    kind: 'review',
    caseId: id.split('#')[0]!,
    sourceEventAt,
    createdAt: sourceEventAt,
    payload: {},
    state,
    attempt: 1,
    attemptNo: 1,
    round: 1,
    version: 2,
    ...extra,
  };
}

describe('percentile', () => {
  it('is nearest-rank: a value that occurred', () => {
    const values = [30, 10, 20, 40, 50, 60, 70, 80, 90, 100];
    expect(percentile(values, 0.5)).toBe(50);
    expect(percentile(values, 0.99)).toBe(100);
    expect(percentile(values, 0.1)).toBe(10);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeNull();
  });
});

describe('syncFigures', () => {
  it('measures lag from the source event to the ack, counts rejections by reason, finds the oldest pending', () => {
    // Lags of the ACKED records, in minutes: 1, 2, 3, 5, 120.
    const acked = [1, 2, 3, 5, 120].map((lag, i) =>
      record(`A${i}#1`, 'ACKED', minutes(10 * i), { ackedAt: minutes(10 * i + lag) }),
    );
    const records = [
      ...acked,
      record('R1#1', 'REJECTED', minutes(5), { rejection: { code: 'UNKNOWN_PROJECT', message: '没有对应的服务数据', at: minutes(6) } }),
      record('R2#1', 'REJECTED', minutes(7), { rejection: { code: 'INVALID_FIELDS', message: 'x', at: minutes(8) } }),
      record('R3#1', 'REJECTED', minutes(9), { rejection: { code: 'UNKNOWN_PROJECT', message: '没有对应的服务数据', at: minutes(9) } }),
      record('P1#1', 'PENDING', minutes(200)),
      record('S1#1', 'SENT', minutes(150)),
      record('K1#1', 'PARKED', minutes(100)),
    ];
    const figures = syncFigures(records, NOW);
    expect(figures.records).toBe(11);
    expect(figures.byState).toEqual({ PENDING: 1, SENT: 1, ACKED: 5, REJECTED: 3, PARKED: 1 });
    expect(figures.lag).toEqual({ count: 5, p50Ms: 3 * 60_000, p99Ms: 120 * 60_000, maxMs: 120 * 60_000 });
    expect(figures.rejectionsByReason).toEqual([
      { code: 'UNKNOWN_PROJECT', count: 2 },
      { code: 'INVALID_FIELDS', count: 1 },
    ]);
    expect(figures.oldestPending).toEqual({ recordId: 'S1#1', state: 'SENT', sourceEventAt: minutes(150), ageMs: (720 - 150) * 60_000 });
    expect(figures.oldestUnacked?.recordId).toBe('R1#1');
  });

  it('finds the oldest by instant, whatever offset it is written in, and breaks a tie by record id', () => {
    // 10:00 in Shanghai and 02:00Z are the same instant; B is listed first and written with an offset.
    const b = record('B#1', 'PENDING', '2026-09-10T10:00:00+08:00');
    const a = record('A#1', 'SENT', '2026-09-10T02:00:00.000Z');
    const c = record('C#1', 'PARKED', '2026-09-10T02:00:00Z');
    for (const order of [[b, a, c], [c, b, a], [a, c, b]]) {
      const figures = syncFigures(order, NOW);
      expect(figures.oldestPending).toEqual({ recordId: 'A#1', state: 'SENT', sourceEventAt: '2026-09-10T02:00:00.000Z', ageMs: 10 * 3_600_000 });
      expect(figures.oldestUnacked?.recordId).toBe('A#1');
    }
    // A later record with a smaller id does not win.
    expect(syncFigures([record('Z#1', 'PENDING', '2026-09-10T09:59:59+08:00'), record('0#1', 'PENDING', '2026-09-10T02:00:00Z')], NOW).oldestPending?.recordId).toBe('Z#1');
  });

  it('has no lag and no oldest record without records', () => {
    expect(syncFigures([], NOW)).toMatchObject({ records: 0, lag: { count: 0, p50Ms: null, p99Ms: null }, oldestPending: null, rejectionsByReason: [] });
  });
});

describe('selectForRepush', () => {
  // 2026-09-09T16:30Z is 2026-09-10 00:30 in Shanghai; 2026-09-10T15:59Z is 23:59 the same local day.
  const records = [
    record('C1#1', 'REJECTED', '2026-09-09T16:30:00.000Z', { rejection: { code: 'X', message: 'x', at: NOW } }),
    record('C2#1', 'ACKED', '2026-09-10T02:00:00.000Z', { ackedAt: NOW }),
    record('C3#1', 'PARKED', '2026-09-10T15:59:00.000Z'),
    record('C4#1', 'PENDING', '2026-09-10T03:00:00.000Z', { nextAttemptAt: '2026-09-10T11:50:00.000Z' }),
    record('C5#1', 'SENT', '2026-09-10T04:00:00.000Z', { sentAt: '2026-09-10T11:00:00.000Z' }),
    record('C6#1', 'REJECTED', '2026-09-09T15:59:00.000Z', { rejection: { code: 'X', message: 'x', at: NOW } }),
  ];
  const select = (selector: Parameters<typeof selectForRepush>[1]) => selectForRepush(records, selector, NOW, calendar, DEFAULT_SYNC_CONFIG);

  it('by day: the records whose event happened that local day, never the acked ones, not the ones on their way', () => {
    const day = select({ by: 'day', day: '2026-09-10' });
    expect(day.selected.map((r) => r.recordId)).toEqual(['C1#1', 'C3#1', 'C5#1']);
    expect(day.skipped).toEqual([
      { recordId: 'C2#1', state: 'ACKED', reason: 'acknowledged by the platform' },
      { recordId: 'C4#1', state: 'PENDING', reason: 'pending, not stuck' },
    ]);
    expect(select({ by: 'day', day: '2026-09-10', states: ['REJECTED'] }).selected.map((r) => r.recordId)).toEqual(['C1#1']);
  });

  it('by state, and by record naming the ids that do not exist', () => {
    expect(select({ by: 'state', states: ['REJECTED', 'PARKED'] }).selected.map((r) => r.recordId)).toEqual(['C1#1', 'C3#1', 'C6#1']);
    expect(select({ by: 'state', states: ['ACKED'] })).toMatchObject({ selected: [], skipped: [{ recordId: 'C2#1' }] });
    const named = select({ by: 'record', recordIds: ['C6#1', 'C2#1', 'NOPE#1'] });
    expect(named.selected.map((r) => r.recordId)).toEqual(['C6#1']);
    expect(named.skipped.map((s) => s.recordId)).toEqual(['C2#1']);
    expect(named.missing).toEqual(['NOPE#1']);
  });
});
