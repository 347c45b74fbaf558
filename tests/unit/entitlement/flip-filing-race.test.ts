/**
 * The time index's invariant, every entry filed is read by some run (docs/decisions/time-index.md, *Races
 * between filing and reading*), against the two ways an entry could land where no run reads it: a filing
 * written after a run finished the entry's bucket (the flip came due while its slice or re-match settled),
 * and a bucket Query answered by a replica that had not seen an entry written just before it.
 */
import { jest } from '@jest/globals';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { makeIdNumber } from '#contract/identifiers';
import { ddbNumbersAsText } from '#platform/aws';
import { createEntitlementService, type Cause } from '#entitlement/service';
import { queryFlips } from '#entitlement/store/flips';
import { bucketOf, fileableEntry, flipShardOf, type FlipEntry } from '#entitlement/domain/index';
import type { EntitlementStore } from '#entitlement/ports';
import { captureLogs, type CapturedLogs } from '#support/logs';
import { memoryEntitlementPorts } from '#support/memory/entitlement';
import { elderly, person } from './fixtures';

process.env.TABLE_ENTITLEMENTS = 'entitlements-test';

let quiet: CapturedLogs | undefined;
beforeAll(() => {
  quiet = captureLogs({ keep: (line) => line.startsWith('{"level":') });
});
afterAll(() => quiet?.restore());
afterEach(() => jest.restoreAllMocks());

const SUBJECT = makeIdNumber('440305', '19900307', '345');
const cause: Cause = { id: 'evt-1', source: '/systems/test', type: 'gov.policy.published' };

/** A person policy that starts holding at an instant within a bucket, a few seconds before that bucket ends. */
const openingLate = () =>
  elderly({
    policyId: 'P-LATE',
    criteria: {
      all: [
        { id: 'L-OPEN', description: '受理开始后', fact: 'now', op: 'after', value: '2025-06-01T10:14:58+08:00' },
        { id: 'L-DIST', description: '户籍在南山区', fact: 'person.residenceDistrict', op: 'eq', value: '440305' },
      ],
    },
  });

describe('a filing written after a run finished its bucket', () => {
  it('is read by the next run: the re-match finds the flip before it comes due, and files it after a run passed its bucket', async () => {
    const w = memoryEntitlementPorts({ now: '2025-06-01T10:00:00+08:00', shards: 2, settings: { sliceSize: 100 } });
    const service = createEntitlementService(w.ports);
    expect(await service.publishPolicy(openingLate(), cause)).toBe('published');
    w.persons.set(SUBJECT, person(SUBJECT));
    w.now = '2025-06-01T10:05:00+08:00';
    await service.runTimeIndex();
    expect(w.store.flipCursor).toBe('2025-06-01T01:45:00.000Z');

    // The re-match reads its clock 3 s before the flip; its put lands only after the flip's bucket closed and
    // a run (the schedule's, at 10:15:01) read that bucket, found nothing, and finished it.
    w.now = '2025-06-01T10:14:57+08:00';
    const store = w.store as EntitlementStore;
    const put = store.putFlips.bind(store);
    let raced = false;
    store.putFlips = async (entries, cursorIfNone) => {
      if (!raced) {
        raced = true;
        w.now = '2025-06-01T10:15:01+08:00';
        expect(await service.runTimeIndex()).toMatchObject({ reevaluated: 0 });
      }
      return put(entries, cursorIfNone);
    };
    await service.rematchEnterprise(SUBJECT, 'person');
    expect(raced).toBe(true);
    expect(w.store.flipCursor).toBe('2025-06-01T02:00:00.000Z');
    const filed = [...w.store.flips.values()].flatMap((m) => [...m.values()]);

    // The next run reads it (before, it lay in the finished bucket, and no run ever read it).
    w.now = '2025-06-01T10:30:01+08:00';
    expect(await service.runTimeIndex()).toMatchObject({ reevaluated: 1 });
    expect(w.sent.rematches.map((m) => m.data)).toEqual([expect.objectContaining({ creditCode: SUBJECT, subjectKind: 'person' })]);
    expect([...w.store.flips.values()].flatMap((m) => [...m.values()])).toEqual([]);
    // It was filed under the bucket after the one holding the filing's clock, its instant kept.
    expect(filed).toEqual([expect.objectContaining({ subjectId: SUBJECT, at: '2025-06-01T02:14:58.001Z', bucket: '2025-06-01T02:15:00.000Z' })]);
  });
});

describe('fileableEntry: the bucket an entry is filed under', () => {
  const entry = (at: string): FlipEntry => {
    const atMs = Date.parse(at);
    return { policyId: 'P-1', policyVersion: 1, subjectId: SUBJECT, at, atMs, bucket: bucketOf(atMs), shard: flipShardOf(SUBJECT) };
  };
  const now = '2025-06-01T02:14:59.000Z';

  it('keeps an entry whose bucket is after the one holding the filing', () => {
    const later = entry('2025-06-01T02:15:00.000Z');
    expect(fileableEntry(later, now)).toBe(later);
    const birthday = entry('2025-06-01T16:00:00.000Z');
    expect(fileableEntry(birthday, now)).toBe(birthday);
  });

  it('files one due in the current bucket, or already behind it, under the next bucket, its instant unchanged', () => {
    for (const at of ['2025-06-01T02:14:59.500Z', '2025-06-01T02:00:00.000Z', '2025-06-01T01:59:59.999Z']) {
      expect(fileableEntry(entry(at), now)).toEqual({ ...entry(at), bucket: '2025-06-01T02:15:00.000Z' });
    }
  });
});

describe('a bucket read by a replica that has not seen an entry written just before', () => {
  it('reads the bucket strongly consistent, so the entry is there', async () => {
    const e = {
      policyId: 'P-1',
      policyVersion: 1,
      subjectId: SUBJECT,
      at: '2025-06-01T02:14:58.001Z',
      atMs: Date.parse('2025-06-01T02:14:58.001Z'),
      bucket: '2025-06-01T02:00:00.000Z',
      shard: 3,
    };
    const item = { pk: 'FLIP#2025-06-01T02:00:00.000Z#03', sk: `${e.at}#P-1#${SUBJECT}`, ...e, writeId: 'w-1' };
    const reads: unknown[] = [];
    jest.spyOn(ddbNumbersAsText(), 'send').mockImplementation((async (command: unknown) => {
      if (!(command instanceof QueryCommand)) throw new Error(`unexpected command ${String(command)}`);
      reads.push(command.input.ConsistentRead);
      // A replica that lags the put: an eventually consistent Query does not see the entry yet.
      return { Items: command.input.ConsistentRead === true ? [item] : [] };
    }) as never);
    expect(await queryFlips('2025-06-01T02:00:00.000Z', 3)).toEqual({ entries: [e], unreadable: [] });
    expect(reads).toEqual([true]);
  });
});
