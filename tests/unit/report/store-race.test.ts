/**
 * Two saves of one report in parts racing each other (shared/report/store.ts): DynamoDB cancels the loser's
 * transaction with TransactionConflict while the winner's is in flight, not with the failed condition a later
 * save meets, and the loser used to throw where the one-item path answers "exists". DynamoDB Local runs
 * transactions one at a time and never answers TransactionConflict (tests/adapter/report-store.test.ts races
 * two saves against it), so this fake answers as DynamoDB does.
 */
import { jest } from '@jest/globals';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { ddb } from '#platform/aws';
import type { MonthlyReport } from '#report';
import { PART_BYTES, saveReport, TRANSACTION_TRIES } from '#report/store';

process.env.TABLE_REPORTS = 'reports-test';

/** A report that gzips to three parts: random bytes as base64 do not compress below the bytes they encode. */
const inParts = (): MonthlyReport =>
  ({
    kind: 'civicflow.monthly-report', version: 1, district: { code: '440305', name: '南山区' }, month: '2026-10', timeZone: 'Asia/Shanghai',
    generatedAt: '2026-11-01T01:00:00.000Z', labels: { noise: randomBytes(Math.ceil(PART_BYTES * 2.3)).toString('base64') },
  }) as unknown as MonthlyReport;

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({ message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`, $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });
const CONFLICT = ['TransactionConflict', 'None', 'None'];

type Answer = Error | Record<string, unknown>;

/** Answers each transaction and each read of the head from its own script, and lists what was sent. */
function fakeDynamo(script: { transactions: Answer[]; heads?: Answer[] }) {
  const sent: string[] = [];
  jest.spyOn(ddb, 'send').mockImplementation((async (command: unknown) => {
    const next = (answers: Answer[] | undefined, name: string) => {
      sent.push(name);
      const answer = answers?.shift();
      if (answer === undefined) throw new Error(`no answer scripted for ${name} #${sent.length}`);
      if (answer instanceof Error) throw answer;
      return answer;
    };
    if (command instanceof TransactWriteCommand) {
      expect(command.input.TransactItems).toHaveLength(3);
      return next(script.transactions, 'transaction');
    }
    if (command instanceof GetCommand) {
      expect(command.input).toMatchObject({ Key: { pk: 'REPORT#440305', sk: 'MONTH#2026-10' }, ConsistentRead: true });
      return next(script.heads, 'head');
    }
    throw new Error(`unexpected command ${String(command)}`);
  }) as never);
  return sent;
}

afterEach(() => jest.restoreAllMocks());

describe('saving a report in parts while another save of it is in flight', () => {
  it('answers "exists" when its transaction conflicted and the head the other wrote is there', async () => {
    const sent = fakeDynamo({ transactions: [cancelled(...CONFLICT)], heads: [{ Item: { pk: 'REPORT#440305' } }] });
    expect(await saveReport(inParts())).toBe(false);
    expect(sent).toEqual(['transaction', 'head']);
  });

  it('tries again while the head is not there yet, and answers what the next try finds', async () => {
    // The other save still in flight at the read, written by the next try: the failed condition, "exists".
    let sent = fakeDynamo({ transactions: [cancelled(...CONFLICT), cancelled('ConditionalCheckFailed', 'None', 'None')], heads: [{}] });
    expect(await saveReport(inParts())).toBe(false);
    expect(sent).toEqual(['transaction', 'head', 'transaction']);
    jest.restoreAllMocks();
    // The other save cancelled too: this one stores the report.
    sent = fakeDynamo({ transactions: [cancelled('None', 'TransactionConflict', 'None'), {}], heads: [{}] });
    expect(await saveReport(inParts())).toBe(true);
    expect(sent).toEqual(['transaction', 'head', 'transaction']);
  });

  it('gives up after a bounded number of tries, with DynamoDB\'s cancellation', async () => {
    const conflicts = Array.from({ length: TRANSACTION_TRIES + 2 }, () => cancelled(...CONFLICT));
    const sent = fakeDynamo({ transactions: conflicts, heads: conflicts.map(() => ({})) });
    await expect(saveReport(inParts())).rejects.toThrow(TransactionCanceledException);
    expect(sent.filter((s) => s === 'transaction')).toHaveLength(TRANSACTION_TRIES);
    expect(sent.filter((s) => s === 'head')).toHaveLength(TRANSACTION_TRIES);
  });

  it('still answers "exists" on the failed condition without a read, and throws any other refusal as it came', async () => {
    let sent = fakeDynamo({ transactions: [cancelled('ConditionalCheckFailed', 'None', 'None')] });
    expect(await saveReport(inParts())).toBe(false);
    expect(sent).toEqual(['transaction']);
    jest.restoreAllMocks();
    sent = fakeDynamo({ transactions: [cancelled('None', 'ValidationError', 'None')] });
    await expect(saveReport(inParts())).rejects.toThrow(TransactionCanceledException);
    expect(sent).toEqual(['transaction']);
  });
});
