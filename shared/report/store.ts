/**
 * The report's storage adapter: the reports in the `reports` table.
 *
 *   REPORT#<district>   MONTH#<YYYY-MM>            the report: generatedAt, `bodyGz` (its JSON, gzip-compressed);
 *                                                  created once, never replaced
 *   REPORT#<district>   MONTH#<YYYY-MM>#PART#<nn>  when the compressed body is over PART_BYTES: its parts from
 *                                                  the second on (nn from 01), the head holding the first and
 *                                                  `parts`, the count of all of them; written with the head in
 *                                                  one transaction
 *
 * A report is a record of what the bureau showed for a month, so it is create-only like the audit trail:
 * the schedule that runs again finds it there and does nothing.
 *
 * Why compressed, and why parts: DynamoDB refuses an item over 400 KB, and a big district's report is far
 * over that as JSON. A district of 3,000 service items, 300 policies and 60 departments (tests/support/
 * big-report.ts) builds 1.6 MB of JSON, 105 KB gzipped; 10,000 items and 1,000 policies 5.2 MB, 312 KB
 * gzipped (the data-gap ledger's item lists are most of it). So one compressed item holds any district seen,
 * and the parts are the margin beyond: up to MAX_PARTS, which keeps the transaction under its 4 MB. A report
 * stored before (`body`, plain JSON) is still read.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ddb } from '#platform/aws';
import { queryAll } from '#platform/paging';
import { tableName } from '#platform/resources';
import { cancellationCodes } from '#platform/transactions';
import type { MonthlyReport } from './domain/build';
import type { ReportPorts } from './ports';

const reportsTable = () => tableName('reports');

/** The compressed bytes one item holds: under DynamoDB's 400 KB with room for the keys and the other attributes. */
export const PART_BYTES = 350 * 1024;
/** The most parts a report is split into: their transaction stays under DynamoDB's 4 MB (and its 100 items). */
export const MAX_PARTS = 10;
/** Tries of a report in parts whose transaction meets another save of the same month each time. */
export const TRANSACTION_TRIES = 3;

export const reportKey = (district: string, month: string) => ({ pk: `REPORT#${district}`, sk: `MONTH#${month}` });
const partSk = (month: string, n: number) => `MONTH#${month}#PART#${String(n).padStart(2, '0')}`;

/** A report too large for the reports table even in parts: the month and its sizes, not DynamoDB's bare refusal. */
export class ReportTooLargeError extends Error {
  constructor(district: string, month: string, jsonBytes: number, gzipBytes: number) {
    super(
      `the report of ${district} ${month} is ${jsonBytes} bytes of JSON, ${gzipBytes} gzipped: over the ${MAX_PARTS * PART_BYTES} ` +
        `bytes the reports table takes (${MAX_PARTS} parts of ${PART_BYTES}); it is not stored`,
    );
    this.name = 'ReportTooLargeError';
  }
}

export async function getReport(district: string, month: string): Promise<MonthlyReport | undefined> {
  const { pk, sk } = reportKey(district, month);
  // The head and its parts in one consistent Query (months are fixed-width, so the prefix is the month's alone).
  const items = await queryAll({
    TableName: reportsTable(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
    ExpressionAttributeValues: { ':pk': pk, ':sk': sk },
    ConsistentRead: true,
  });
  const head = items.find((i) => i.sk === sk);
  if (head === undefined) return undefined;
  // Stored before compression: the JSON as it is.
  if (typeof head.body === 'string') return JSON.parse(head.body) as MonthlyReport;
  const count = typeof head.parts === 'number' ? head.parts : 1;
  const chunks: Uint8Array[] = [head.bodyGz as Uint8Array];
  for (let n = 1; n < count; n++) {
    const part = items.find((i) => i.sk === partSk(month, n));
    // Written in one transaction with the head, so never missing: this is a damaged table, not a late write.
    if (part === undefined) throw new Error(`the report of ${district} ${month} has ${count} parts but part ${n} is missing`);
    chunks.push(part.bodyGz as Uint8Array);
  }
  return JSON.parse(gunzipSync(Buffer.concat(chunks)).toString('utf8')) as MonthlyReport;
}

/** Stores a report once; false when it was there already or another save stored it meanwhile (kept as it was). */
export async function saveReport(report: MonthlyReport): Promise<boolean> {
  const district = report.district.code;
  const json = JSON.stringify(report);
  const gz = gzipSync(json);
  const chunks: Buffer[] = [];
  for (let at = 0; at < gz.length; at += PART_BYTES) chunks.push(gz.subarray(at, at + PART_BYTES));
  if (chunks.length > MAX_PARTS) throw new ReportTooLargeError(district, report.month, Buffer.byteLength(json), gz.length);

  const head = {
    ...reportKey(district, report.month),
    generatedAt: report.generatedAt,
    bodyGz: chunks[0]!,
    ...(chunks.length > 1 ? { parts: chunks.length } : {}),
  };
  const createOnly = { ConditionExpression: 'attribute_not_exists(pk)' };
  if (chunks.length === 1) {
    // The usual case: one item, one write unit per KB rather than a transaction's two.
    try {
      await ddb.send(new PutCommand({ TableName: reportsTable(), Item: head, ...createOnly }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
  const items = [
    // The head's condition keeps the whole report create-only: when it fails, no part is written either.
    { Put: { TableName: reportsTable(), Item: head, ...createOnly } },
    ...chunks.slice(1).map((bodyGz, i) => ({
      Put: { TableName: reportsTable(), Item: { pk: head.pk, sk: partSk(report.month, i + 1), bodyGz } },
    })),
  ];
  for (let attempt = 1; ; attempt++) {
    try {
      await ddb.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (error) {
      const codes = cancellationCodes(error);
      if (codes?.[0] === 'ConditionalCheckFailed') return false;
      if (!codes?.includes('TransactionConflict')) throw error;
      // Two runs saving the same month at once: DynamoDB cancels one of the two transactions with
      // TransactionConflict while the other is in flight, not with the failed condition a save after it
      // meets. Once the other's head is there the report exists, as the one-item path answers; while it is
      // not (the other still in flight, or cancelled too), try again, a few times.
      if (await headExists(district, report.month)) return false;
      if (attempt >= TRANSACTION_TRIES) throw error;
      await new Promise((r) => setTimeout(r, 20 * attempt + Math.floor(Math.random() * 20)));
    }
  }
}

/** Whether the month's report is stored: its head, read consistently (the key only, not its body). */
async function headExists(district: string, month: string): Promise<boolean> {
  const out = await ddb.send(
    new GetCommand({ TableName: reportsTable(), Key: reportKey(district, month), ConsistentRead: true, ProjectionExpression: 'pk' }),
  );
  return out.Item !== undefined;
}

export const reportStore: ReportPorts['reports'] = { get: getReport, saveOnce: saveReport };
