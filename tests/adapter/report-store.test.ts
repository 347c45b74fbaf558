/**
 * The monthly report's adapters against DynamoDB Local: the reports table (shared/report/store.ts) keeps a
 * district's month once and never replaces it, however large (compressed, and in parts past one item), and
 * still reads the reports stored as plain JSON before; the sources (shared/report/sources.ts) read every current
 * decision with its overdue flag, every policy with its figures, and the month's review counters, and
 * nothing else that lives in those tables.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { MonthlyReport } from '#report';
import type { TableName } from '#topology';
import { bigReport } from '#support/big-report';
import { useTestDynamo } from '#support/dynamo';

const db = useTestDynamo();
let store: typeof import('#report/store');
let sources: typeof import('#report/sources');
beforeAll(async () => {
  store = await import('#report/store');
  sources = await import('#report/sources');
});

const district = { code: '440305', name: '南山区' };

/** A report as the builder would make it, with just what the store looks at and a marker to tell two apart. */
function report(month: string, generatedAt: string): MonthlyReport {
  return { kind: 'civicflow.monthly-report', version: 1, district, month, timeZone: 'Asia/Shanghai', generatedAt } as MonthlyReport;
}

const put = (table: TableName, item: Record<string, unknown>) => db().doc.send(new PutCommand({ TableName: db().tables[table], Item: item }));

describe('report store: the reports table', () => {
  it('stores a report under its district and month, as gzipped JSON, and reads it back', async () => {
    const r = report('2026-10', '2026-11-01T01:00:00.000Z');
    expect(await store.saveReport(r)).toBe(true);
    const item = await db().get('reports', { pk: 'REPORT#440305', sk: 'MONTH#2026-10' });
    expect(item).toMatchObject({ generatedAt: r.generatedAt });
    expect(item!.parts).toBeUndefined();
    expect(JSON.parse(gunzipSync(item!.bodyGz as Uint8Array).toString('utf8'))).toEqual(r);
    expect(await store.getReport('440305', '2026-10')).toEqual(r);
    expect(await store.reportStore.get('440305', '2026-10')).toEqual(r);
  });

  it('answers nothing for a month or a district never stored', async () => {
    await store.saveReport(report('2026-08', '2026-09-01T01:00:00.000Z'));
    expect(await store.getReport('440305', '2026-07')).toBeUndefined();
    expect(await store.getReport('440306', '2026-08')).toBeUndefined();
  });

  it('never replaces a stored report: a second save answers false and the first stays', async () => {
    const first = report('2026-09', '2026-10-01T01:00:00.000Z');
    expect(await store.reportStore.saveOnce(first)).toBe(true);
    expect(await store.reportStore.saveOnce(report('2026-09', '2026-10-02T01:00:00.000Z'))).toBe(false);
    expect(await store.getReport('440305', '2026-09')).toEqual(first);
    expect(await db().partition('reports', 'REPORT#440305')).toHaveLength(3);
  });
});

describe('report store: a report of any realistic size', () => {
  // Each test its own district, so the partitions counted are the test's alone.
  const inDistrict = (r: MonthlyReport, code: string): MonthlyReport => ({ ...r, district: { code, name: '测试区' } });
  /**
   * A report that gzips to about `gzBytes`: random bytes as base64 in its labels (gzip takes base64 back to
   * about the bytes it encodes, and no further).
   */
  const incompressible = (code: string, month: string, gzBytes: number, generatedAt = '2026-11-01T01:00:00.000Z'): MonthlyReport =>
    ({ ...inDistrict(report(month, generatedAt), code), labels: { noise: randomBytes(Math.ceil(gzBytes)).toString('base64') } }) as MonthlyReport;
  const sizeOf = (r: MonthlyReport) => Buffer.byteLength(JSON.stringify(r));

  it("stores a big district's report, over DynamoDB's 400 KB as JSON, as one compressed item", async () => {
    // 3,000 service items, 300 policies, 60 departments: about 1.6 MB of JSON, some 105 KB gzipped.
    const big = inDistrict(bigReport({ items: 3000, policies: 300, departments: 60 }), '440400');
    expect(sizeOf(big)).toBeGreaterThan(400 * 1024);
    expect(await store.saveReport(big)).toBe(true);
    const items = await db().partition('reports', 'REPORT#440400');
    expect(items.map((i) => i.sk)).toEqual([`MONTH#${big.month}`]);
    expect(await store.getReport('440400', big.month)).toEqual(big);
    // Create-only: a second run keeps the first.
    expect(await store.saveReport({ ...big, generatedAt: '2026-12-02T00:05:00.000Z' })).toBe(false);
    expect(await store.getReport('440400', big.month)).toEqual(big);
  });

  it('splits a body still over one item when compressed into parts, written together, and reads them back', async () => {
    const r = incompressible('440401', '2026-10', 800 * 1024);
    expect(await store.saveReport(r)).toBe(true);
    const items = await db().partition('reports', 'REPORT#440401');
    expect(items.map((i) => i.sk)).toEqual(['MONTH#2026-10', 'MONTH#2026-10#PART#01', 'MONTH#2026-10#PART#02']);
    expect(items[0]).toMatchObject({ generatedAt: r.generatedAt, parts: 3 });
    for (const item of items) expect((item.bodyGz as Uint8Array).length).toBeLessThanOrEqual(store.PART_BYTES);
    expect(await store.getReport('440401', '2026-10')).toEqual(r);
    // A month next to it is not mistaken for one of its parts, nor it for theirs.
    const other = incompressible('440401', '2026-11', 10 * 1024);
    expect(await store.saveReport(other)).toBe(true);
    expect(await store.getReport('440401', '2026-11')).toEqual(other);
    expect(await store.getReport('440401', '2026-10')).toEqual(r);
  });

  it('never replaces a report in parts: a second save, of more parts or of one, answers false and writes nothing', async () => {
    const first = incompressible('440402', '2026-10', 500 * 1024);
    expect(await store.saveReport(first)).toBe(true);
    const stored = await db().partition('reports', 'REPORT#440402');
    expect(stored).toHaveLength(2);
    expect(await store.saveReport(incompressible('440402', '2026-10', 1200 * 1024, '2026-11-02T01:00:00.000Z'))).toBe(false);
    expect(await store.saveReport(incompressible('440402', '2026-10', 1024, '2026-11-03T01:00:00.000Z'))).toBe(false);
    expect(await db().partition('reports', 'REPORT#440402')).toEqual(stored);
    expect(await store.getReport('440402', '2026-10')).toEqual(first);
  });

  it('answers one of several saves of a report in parts racing each other "stored", the others "exists"', async () => {
    // Runs saving the same month at once. DynamoDB Local takes transactions one at a time, so the losers here
    // meet the failed condition; DynamoDB may cancel one with TransactionConflict instead while the winner is
    // in flight, which tests/unit/report/store-race.test.ts answers as DynamoDB does.
    for (const [code, runs] of [['440406', 2], ['440407', 4]] as const) {
      const saves = Array.from({ length: runs }, (_, i) => incompressible(code, '2026-10', 800 * 1024, `2026-11-01T01:0${i}:00.000Z`));
      const answers = await Promise.all(saves.map((r) => store.saveReport(r)));
      expect(answers.filter(Boolean)).toHaveLength(1);
      const stored = await store.getReport(code, '2026-10');
      expect(stored).toEqual(saves[answers.indexOf(true)]);
      expect(await db().partition('reports', `REPORT#${code}`)).toHaveLength(3);
    }
  });

  it('still reads a report stored before compression (plain JSON in `body`), and keeps it', async () => {
    const old = inDistrict(report('2026-06', '2026-07-01T01:00:00.000Z'), '440403');
    await put('reports', { pk: 'REPORT#440403', sk: 'MONTH#2026-06', generatedAt: old.generatedAt, body: JSON.stringify(old) });
    expect(await store.getReport('440403', '2026-06')).toEqual(old);
    expect(await store.reportStore.saveOnce(inDistrict(report('2026-06', '2026-07-02T01:00:00.000Z'), '440403'))).toBe(false);
    expect(await store.saveReport(incompressible('440403', '2026-06', 800 * 1024))).toBe(false);
    expect(await db().partition('reports', 'REPORT#440403')).toHaveLength(1);
    expect(await store.getReport('440403', '2026-06')).toEqual(old);
  });

  it('stores a report of the most parts one transaction takes, and refuses one past it, naming the month and its size', async () => {
    const most = incompressible('440405', '2026-10', store.MAX_PARTS * store.PART_BYTES - 30 * 1024);
    expect(await store.saveReport(most)).toBe(true);
    expect(await db().partition('reports', 'REPORT#440405')).toHaveLength(store.MAX_PARTS);
    expect(await store.getReport('440405', '2026-10')).toEqual(most);

    const huge = incompressible('440404', '2026-10', store.MAX_PARTS * store.PART_BYTES * 1.05);
    const refusal = store.saveReport(huge);
    await expect(refusal).rejects.toThrow(store.ReportTooLargeError);
    await expect(refusal).rejects.toThrow(/the report of 440404 2026-10 is \d+ bytes of JSON, \d+ gzipped/);
    expect(await db().partition('reports', 'REPORT#440404')).toEqual([]);
    expect(await store.getReport('440404', '2026-10')).toBeUndefined();
  });
});

describe('report sources: what the report is built from', () => {
  beforeAll(async () => {
    // Two applications' current decisions, one flagged overdue; a version and an outbox item that are not decisions.
    await put('approvals', { pk: 'APP#a-1', sk: 'DECISION', body: JSON.stringify({ applicationId: 'a-1', outcome: 'APPROVED' }) });
    await put('approvals', { pk: 'APP#a-1', sk: 'V#000001', body: JSON.stringify({ applicationId: 'a-1', outcome: 'PENDING' }) });
    await put('approvals', { pk: 'APP#a-2', sk: 'DECISION', body: JSON.stringify({ applicationId: 'a-2', outcome: 'APPROVED' }) });
    await put('approvals', { pk: 'APP#a-2', sk: 'FLAG#VERIFICATION_OVERDUE', at: '2026-10-20T00:00:00.000Z' });
    await put('approvals', { pk: 'APP#a-3', sk: 'OUTBOX#000001', body: '{}' });
    // One policy with its figures in two shards; another item of the policy that is not its current record.
    const policy = { policyId: 'p-1', publishedAt: '2026-09-01T00:00:00.000Z', title: '测试政策' };
    await put('entitlements', { pk: 'POLICY#p-1', sk: 'CURRENT', policy });
    await put('entitlements', { pk: 'POLICY#p-1', sk: 'V#000001', policy: { ...policy, title: 'old' } });
    await put('entitlements', { pk: 'POLICY#p-1', sk: 'FIGURES#00', eligible: 3, notified: 2, amountReserved: 1000, delivered: 2, firstPushAt: '2026-09-02T00:00:00.000Z' });
    await put('entitlements', { pk: 'POLICY#p-1', sk: 'FIGURES#01', eligible: 1, delivered: 1, lastPushAt: '2026-10-03T00:00:00.000Z' });
    // Review counters as rows of the layout before the shared rows: per department and day (a month is the
    // sum of its days), and one day's per channel; another month's days are not read.
    await put('reviews', { pk: 'FIG#department#day#2026-10-01', sk: 'DEPT-B', completedCases: 3 });
    await put('reviews', { pk: 'FIG#department#day#2026-10-31', sk: 'DEPT-B', completedCases: 1, level1: 1 });
    await put('reviews', { pk: 'FIG#department#day#2026-10-07', sk: 'DEPT-A', completedCases: 2 });
    await put('reviews', { pk: 'FIG#department#day#2026-09-30', sk: 'DEPT-A', completedCases: 9 });
    await put('reviews', { pk: 'FIG#department#day#2026-11-01', sk: 'DEPT-B', completedCases: 7 });
    // The district's total of a day is its channels' rows summed.
    await put('reviews', { pk: 'FIG#channel#day#2026-10-07', sk: 'window', completedCases: 3, level1: 2 });
    await put('reviews', { pk: 'FIG#channel#day#2026-10-07', sk: 'web', completedCases: 2 });
    // And as shared rows, one per (department, channel, district) of a day, which both are summed from.
    await put('reviews', { pk: 'FIG#departmentChannelDistrict#day#2026-10-07', sk: '["DEPT-C","web",""]', completedCases: 1 });
    await put('reviews', { pk: 'FIG#departmentChannelDistrict#day#2026-10-20', sk: '["DEPT-A","window","440305"]', completedCases: 4, level1: 1 });
    await put('reviews', { pk: 'FIG#departmentChannelDistrict#day#2026-11-02', sk: '["DEPT-A","window","440305"]', completedCases: 8 });
  });

  const scope = { district, month: '2026-10', timeZone: 'Asia/Shanghai', generatedAt: '2026-11-01T01:00:00.000Z' };

  it('reads every current decision once, with whether it was flagged overdue', async () => {
    const input = await sources.readReportInput(scope);
    expect(input).toMatchObject(scope);
    const decisions = [...input.decisions].sort((a, b) => (a.decision.applicationId < b.decision.applicationId ? -1 : 1));
    expect(decisions).toEqual([
      { decision: { applicationId: 'a-1', outcome: 'APPROVED' }, verificationOverdue: false },
      { decision: { applicationId: 'a-2', outcome: 'APPROVED' }, verificationOverdue: true },
    ]);
  });

  it('reads every policy from its current record, with its figures summed over their shards', async () => {
    const { policies } = await sources.readReportInput(scope);
    expect(policies).toHaveLength(1);
    expect(policies[0]!.policy).toMatchObject({ policyId: 'p-1', title: '测试政策' });
    expect(policies[0]!.figures).toMatchObject({
      policyId: 'p-1', eligible: 4, notified: 2, amountReserved: 1000, delivered: 3,
      firstPushAt: '2026-09-02T00:00:00.000Z', lastPushAt: '2026-10-03T00:00:00.000Z',
      // From the policy's publication to its last push.
      publishToLastPushMs: Date.parse('2026-10-03T00:00:00.000Z') - Date.parse('2026-09-01T00:00:00.000Z'),
    });
  });

  it("reads the month's review counters per department and per day, not another month's", async () => {
    const { reviewDepartments, reviewDays } = await sources.readReportInput(scope);
    expect(reviewDepartments.map((r) => [r.key, r.counters.completedCases, r.counters.level1])).toEqual([['DEPT-A', 6, 1], ['DEPT-B', 4, 1], ['DEPT-C', 1, 0]]);
    expect(reviewDays.map((d) => [d.day, d.counters.completedCases, d.counters.level1])).toEqual([['2026-10-07', 6, 2], ['2026-10-20', 4, 1]]);
  });
});
