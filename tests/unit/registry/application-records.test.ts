import { jest } from '@jest/globals';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '#platform/aws';
import { getApplicationRecords } from '#registry/store';

process.env.TABLE_REGISTRY = 'registry-test';

const item = { pk: 'ITEM#QX-001', sk: 'CURRENT', item: { itemCode: 'QX-001', version: 3 } };
const person = { pk: 'PERSON#440106199001011234', sk: 'PROFILE', profile: { idNumber: '440106199001011234', asOf: '2026-01-01T00:00:00Z' } };
const enterprise = { pk: 'ENT#91440101MA5CXXXX0X', sk: 'PROFILE', profile: { creditCode: '91440101MA5CXXXX0X' } };
const credit = (subjectId: string, extra: Record<string, unknown> = {}) => ({
  pk: `CREDIT#${subjectId}`,
  sk: 'CREDIT',
  credit: { subjectId, asOf: '2026-01-01T00:00:00Z', dishonest: false, falseCommitment: false },
  ...extra,
});

type Key = { pk: string; sk: string };
type Request = Record<string, { Keys: Key[]; ConsistentRead?: boolean }>;

/** Answers BatchGetCommands from `stored`; `unprocessed(round, keys)` names the keys a round leaves over. */
function fakeBatchGet(stored: Array<Record<string, unknown>>, unprocessed: (round: number, keys: Key[]) => Key[] = () => []) {
  const requests: Request[] = [];
  const send = jest.spyOn(ddb, 'send').mockImplementation((async (command: unknown) => {
    if (!(command instanceof BatchGetCommand)) throw new Error(`unexpected command ${String(command)}`);
    const request = command.input.RequestItems as Request;
    requests.push(structuredClone(request));
    const [[table, { Keys }]] = Object.entries(request) as [[string, Request[string]]];
    const left = unprocessed(requests.length, Keys);
    const answered = Keys.filter((k) => !left.some((l) => l.pk === k.pk && l.sk === k.sk));
    return {
      Responses: { [table]: stored.filter((s) => answered.some((k) => k.pk === s.pk && k.sk === s.sk)) },
      ...(left.length > 0 ? { UnprocessedKeys: { [table]: { Keys: left } } } : {}),
    };
  }) as never);
  return { requests, send };
}

afterEach(() => jest.restoreAllMocks());

describe('getApplicationRecords', () => {
  it('reads the CURRENT item, the person profile and the credit record in one eventually consistent BatchGetItem', async () => {
    const { requests } = fakeBatchGet([item, person, credit('440106199001011234')]);
    const records = await getApplicationRecords('QX-001', { kind: 'person', id: '440106199001011234' });

    expect(requests).toEqual([
      {
        'registry-test': {
          Keys: [
            { pk: 'ITEM#QX-001', sk: 'CURRENT' },
            { pk: 'PERSON#440106199001011234', sk: 'PROFILE' },
            { pk: 'CREDIT#440106199001011234', sk: 'CREDIT' },
          ],
        },
      },
    ]);
    expect(records).toEqual({ item: item.item, profile: person.profile, credit: credit('440106199001011234').credit });
  });

  it("reads an enterprise's profile under ENT# and folds our false-commitment marks into its credit record", async () => {
    const mark = { at: '2026-11-01T00:00:00Z', applicationId: 'A-1' };
    const later = { at: '2026-11-02T00:00:00Z', applicationId: 'A-2' };
    const { requests } = fakeBatchGet([item, enterprise, credit('91440101MA5CXXXX0X', { falseCommitmentMarks: { 'A-2': later, 'A-1': mark } })]);
    const records = await getApplicationRecords('QX-001', { kind: 'enterprise', id: '91440101MA5CXXXX0X' });

    expect(requests[0]!['registry-test']!.Keys[1]).toEqual({ pk: 'ENT#91440101MA5CXXXX0X', sk: 'PROFILE' });
    expect(records.profile).toEqual(enterprise.profile);
    expect(records.credit).toMatchObject({ subjectId: '91440101MA5CXXXX0X', falseCommitment: true, falseCommitmentMarks: [mark, later] });
  });

  it('still folds the single false-commitment mark of a credit item written before marks were kept by application', async () => {
    const mark = { at: '2026-11-01T00:00:00Z', applicationId: 'A-1' };
    fakeBatchGet([item, person, credit('440106199001011234', { falseCommitmentMark: mark })]);
    const records = await getApplicationRecords('QX-001', { kind: 'person', id: '440106199001011234' });
    expect(records.credit).toEqual({ ...credit('440106199001011234').credit, falseCommitment: true, falseCommitmentMarks: [mark] });
  });

  it('leaves out what the registry does not hold', async () => {
    fakeBatchGet([]);
    expect(await getApplicationRecords('NONE', { kind: 'person', id: 'P-0' })).toEqual({});
  });

  it('asks again for the keys DynamoDB left unprocessed, and only for those', async () => {
    const { requests } = fakeBatchGet([item, person, credit('440106199001011234')], (round, keys) =>
      round === 1 ? keys.filter((k) => k.sk !== 'CURRENT') : round === 2 ? keys.filter((k) => k.sk === 'CREDIT') : [],
    );
    const records = await getApplicationRecords('QX-001', { kind: 'person', id: '440106199001011234' });

    expect(requests.map((r) => r['registry-test']!.Keys.map((k) => k.sk))).toEqual([
      ['CURRENT', 'PROFILE', 'CREDIT'],
      ['PROFILE', 'CREDIT'],
      ['CREDIT'],
    ]);
    expect(records).toEqual({ item: item.item, profile: person.profile, credit: credit('440106199001011234').credit });
  });

  it('gives up, throwing, when keys stay unprocessed (the event is retried by its queue)', async () => {
    const { requests } = fakeBatchGet([item], (_round, keys) => keys);
    await expect(getApplicationRecords('QX-001', { kind: 'person', id: 'P-1' })).rejects.toThrow(/unprocessed keys/);
    expect(requests.length).toBeGreaterThan(1);
  });
});
