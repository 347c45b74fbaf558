/**
 * The monthly report's use case (shared/report/service.ts) with in-memory ports: which month it builds,
 * that a stored report is never rebuilt over, and what it refuses.
 */
import { jest } from '@jest/globals';
import { createCalendar } from '#calendar';
import { syncFigures } from '#review/domain/upward/sync-figures';
import type { MonthlyReport } from '#report/domain/build';
import type { ReportScope } from '#report/ports';
import { QUIET_POWERTOOLS, useEnv } from '#support/logs';
import { memoryReports } from '#support/memory/report';

// Read when the Powertools logger and metrics are created: #hardcase creates them too (its store), so it
// is imported after this, like the service.
useEnv(QUIET_POWERTOOLS);
const { hardCaseFigures } = await import('#hardcase');
const { runMonthlyReport, REPORT_TIME_WARNING_MS } = await import('#report/service');
const { logger } = await import('#platform/powertools');

const district = { code: '440305', name: '南山区' };
const TZ = 'Asia/Shanghai';
const calendar = createCalendar({ timeZone: TZ, useChineseDays: true });
const empty = (scope: ReportScope) => ({
  ...scope,
  decisions: [],
  policies: [],
  reviewDepartments: [],
  reviewDays: [],
  hardCases: hardCaseFigures([], { granularity: 'month', value: scope.month }, scope.generatedAt, calendar),
  upwardSync: syncFigures([], scope.generatedAt),
});

describe('runMonthlyReport', () => {
  it('runs here with the logger the file set quiet', () => {
    expect(logger.getLevelName()).toBe('SILENT');
  });

  it("builds the month before now's local month, from what the sources give for it, and stores it", async () => {
    const mem = memoryReports(empty);
    // 2026-12-01 00:30 in Shanghai: November is the previous month, though it is still November in UTC.
    const now = '2026-11-30T16:30:00.000Z';
    expect(await runMonthlyReport({ now, district, timeZone: TZ }, mem.ports)).toEqual({ district: '440305', month: '2026-11', outcome: 'generated' });
    expect(mem.reads).toEqual([{ district, month: '2026-11', timeZone: TZ, generatedAt: now }]);
    const report = mem.stored.get('440305|2026-11') as MonthlyReport;
    expect(report).toMatchObject({ kind: 'civicflow.monthly-report', month: '2026-11', generatedAt: now, district });
    expect(report.badReviewTrend).toHaveLength(30);
  });

  it('leaves a stored report as it is, without reading the sources again', async () => {
    const mem = memoryReports(empty);
    await runMonthlyReport({ now: '2026-12-01T01:00:00.000Z', district, timeZone: TZ }, mem.ports);
    const first = mem.stored.get('440305|2026-11');
    expect(await runMonthlyReport({ now: '2026-12-02T01:00:00.000Z', district, timeZone: TZ }, mem.ports)).toMatchObject({ outcome: 'exists' });
    expect(mem.reads).toHaveLength(1);
    expect(mem.stored.get('440305|2026-11')).toBe(first);
  });

  it('builds a month asked for (a backfill), still only if missing, and refuses a malformed one', async () => {
    const mem = memoryReports(empty);
    expect(await runMonthlyReport({ now: '2026-12-01T01:00:00.000Z', district, timeZone: TZ, month: '2026-09' }, mem.ports)).toMatchObject({ month: '2026-09', outcome: 'generated' });
    await expect(runMonthlyReport({ now: '2026-12-01T01:00:00.000Z', district, timeZone: TZ, month: '2026-13' }, mem.ports)).rejects.toThrow('month must be YYYY-MM; got "2026-13"');
    expect(mem.reads.map((r) => r.month)).toEqual(['2026-09']);
  });

  it('refuses a month that is not over yet in the bureau’s time zone, storing nothing that would stand half full', async () => {
    const mem = memoryReports(empty);
    // 2026-12-01 00:30 in Shanghai: December has just begun, November is over (though it is still November in UTC).
    const now = '2026-11-30T16:30:00.000Z';
    for (const month of ['2026-12', '2027-01']) {
      await expect(runMonthlyReport({ now, district, timeZone: TZ, month }, mem.ports)).rejects.toThrow(
        `month ${month} is not over yet in Asia/Shanghai; the latest month with a report is 2026-11`,
      );
    }
    expect(mem.reads).toEqual([]);
    expect(mem.stored.size).toBe(0);
    expect(await runMonthlyReport({ now, district, timeZone: TZ, month: '2026-11' }, mem.ports)).toMatchObject({ outcome: 'generated' });
  });

  it("answers exists when another run stored the month's report between its check and its write", async () => {
    const mem = memoryReports(empty);
    const racing = { ...mem.ports, readInput: async (scope: ReportScope) => {
      // Another run stores first while this one reads.
      await mem.ports.reports.saveOnce({ kind: 'civicflow.monthly-report', district, month: scope.month } as MonthlyReport);
      return empty(scope);
    } };
    expect(await runMonthlyReport({ now: '2026-12-01T01:00:00.000Z', district, timeZone: TZ }, racing)).toMatchObject({ outcome: 'exists' });
  });

  // One report per run, written in one create-only put once everything is read: there is nothing to stop
  // between, and a run its timeout cuts short must leave nothing behind that the next run would not redo.
  it('stores nothing when a run is cut short while reading, and the next run builds the whole month', async () => {
    const mem = memoryReports(empty);
    let cut = true;
    const timingOut = { ...mem.ports, readInput: async (scope: ReportScope) => {
      const input = await mem.ports.readInput(scope);
      if (cut) throw Object.assign(new Error('Task timed out after 300.00 seconds'), { name: 'TimeoutError' });
      return input;
    } };
    const now = '2026-12-01T01:00:00.000Z';
    await expect(runMonthlyReport({ now, district, timeZone: TZ }, timingOut)).rejects.toThrow('Task timed out');
    expect(mem.stored.size).toBe(0);
    cut = false;
    expect(await runMonthlyReport({ now: '2026-12-02T01:00:00.000Z', district, timeZone: TZ }, timingOut)).toMatchObject({ month: '2026-11', outcome: 'generated' });
    expect(mem.stored.get('440305|2026-11')).toMatchObject({ generatedAt: '2026-12-02T01:00:00.000Z' });
    expect(mem.reads).toHaveLength(2);
  });

  it('warns when a run ends close to the timeout, so a growing month is seen before it outgrows it', async () => {
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    try {
      const mem = memoryReports(empty);
      await runMonthlyReport({ now: '2026-12-01T01:00:00.000Z', district, timeZone: TZ, month: '2026-10', timeLeftMs: () => REPORT_TIME_WARNING_MS }, mem.ports);
      await runMonthlyReport({ now: '2026-12-01T01:00:00.000Z', district, timeZone: TZ, month: '2026-09' }, mem.ports);
      expect(warn).not.toHaveBeenCalled();
      expect(await runMonthlyReport({ now: '2026-12-01T01:00:00.000Z', district, timeZone: TZ, timeLeftMs: () => 20_000 }, mem.ports)).toMatchObject({ outcome: 'generated' });
      expect(warn).toHaveBeenCalledWith('report.near-timeout', { district: '440305', month: '2026-11', remainingMs: 20_000, warnBelowMs: REPORT_TIME_WARNING_MS });
    } finally {
      warn.mockRestore();
    }
  });
});
