/**
 * The registry table (shared/registry/store.ts) against DynamoDB Local: the key layout, the conditions
 * that keep the newest record and the first mark, the gsi1 pages of a shard, and the credit fold that every
 * reader (getCredit, batchGetCredits, getApplicationRecords) shares.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreditRecord, EnterpriseProfile, Licence, PersonProfile, ServiceItem } from '#contract/schemas';
import { useTestDynamo } from '#support/dynamo';

const db = useTestDynamo();
let store: typeof import('#registry/store');
beforeAll(async () => {
  store = await import('#registry/store');
});

const ROOT = join(import.meta.dirname, '../..');
const dataOf = <T>(path: string): T => (JSON.parse(readFileSync(join(ROOT, 'events/samples', `${path}.json`), 'utf8')) as { data: T }).data;
const AT = '2026-11-05T06:00:00.000Z';
let serial = 0;
/** A fresh inbound event reference (receipts are keyed by it). */
const ref = (type: string) => ({ source: '/systems/adapter-test', id: `adapter-${++serial}`, type });

describe('registry store', () => {
  const weather = dataOf<ServiceItem>('gov.catalog.item.published/weather-certificate');

  it('stores each service item version once and keeps the newest current; other content under a stored version is refused', async () => {
    const item = { ...weather, itemCode: 'ADAPTER-QX' };
    const v2 = { ...item, version: 2, name: `${item.name}（第二版）` };
    expect((await store.putItemVersion(v2, ref('gov.catalog.item.published'), AT)).outcome).toBe('applied');
    // An older version arriving late is stored as itself but does not become current.
    expect(await store.putItemVersion(item, ref('gov.catalog.item.published'), AT)).toMatchObject({ outcome: 'applied', details: { current: false } });
    expect((await store.getCurrentItem('ADAPTER-QX'))?.version).toBe(2);
    expect((await store.getItemVersion('ADAPTER-QX', 1))?.name).toBe(item.name);

    const again = await store.putItemVersion(v2, ref('gov.catalog.item.published'), AT);
    expect(again).toMatchObject({ kind: 'REPLAY' });
    const other = await store.putItemVersion({ ...v2, promisedDays: 9 }, ref('gov.catalog.item.published'), AT);
    expect(other).toMatchObject({ outcome: 'refused', kind: 'VERSION_CONFLICT' });
    expect((await store.getItemVersion('ADAPTER-QX', 2))?.promisedDays).toBe(v2.promisedDays);
    expect((await db().partition('registry', 'CONFLICT#item#ADAPTER-QX@2')).length).toBe(1);
  });

  it('keeps the newer profile: an older asOf is STALE, and a date asOf stands for the start of that local day', async () => {
    const person = { ...dataOf<PersonProfile>('gov.person.profile.updated/resident'), idNumber: '110101199003070011', asOf: '2026-11-01' };
    const first = ref('gov.person.profile.updated');
    expect(await store.putPersonProfile(person, first, AT)).toMatchObject({ outcome: 'applied', details: { asOf: '2026-10-31T16:00:00.000Z' } });
    const older = await store.putPersonProfile({ ...person, name: '旧', asOf: '2026-10-31T23:59:00+08:00' }, ref('gov.person.profile.updated'), AT);
    expect(older).toMatchObject({ outcome: 'noEffect', kind: 'STALE' });
    await store.putPersonProfile({ ...person, residenceDistrict: '440304', asOf: '2026-11-02T09:00:00+08:00' }, ref('gov.person.profile.updated'), AT);
    expect(await store.getPersonProfile(person.idNumber)).toMatchObject({ name: person.name, residenceDistrict: '440304' });
    // The change and its receipt are one transaction.
    expect(await db().get('receipts', { pk: `RCPT#${first.source}#${first.id}`, sk: 'RECEIPT' })).toBeDefined();
  });

  it('pages a shard of enterprise profiles by gsi1, each profile once, in credit-code order', async () => {
    const base = dataOf<EnterpriseProfile>('gov.enterprise.profile.updated/small-exporter');
    const codes = Array.from({ length: 160 }, (_, i) => `ADAPTERENT${String(i).padStart(8, '0')}`);
    const byShard = new Map<number, string[]>();
    for (const code of codes) byShard.set(store.shardOf(code), [...(byShard.get(store.shardOf(code)) ?? []), code]);
    const [shard, members] = [...byShard].sort((a, b) => b[1].length - a[1].length)[0]!;
    expect(members.length).toBeGreaterThanOrEqual(4);
    for (const code of members) await store.putEnterpriseProfile({ ...base, creditCode: code }, ref('gov.enterprise.profile.updated'), AT);

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await store.queryShardProfiles(shard, 2, cursor);
      seen.push(...page.profiles.map((p) => p.creditCode));
      if (page.next === undefined) break;
      cursor = page.next;
    }
    expect(seen.filter((c) => c.startsWith('ADAPTERENT'))).toEqual([...members].sort());
  });

  it('keeps a revocation that arrived before its licence, and the earliest of two revocations', async () => {
    const licence = { ...dataOf<Licence>('gov.licence.issued/resident-id-card'), licenceNo: 'ADAPTER-LIC-1', holderId: '110101199003070011' };
    await store.revokeLicence('ADAPTER-LIC-1', '2026-11-12T16:00:00+08:00', ref('gov.licence.revoked'), AT);
    expect((await store.putLicence(licence, ref('gov.licence.issued'), AT)).outcome).toBe('applied');
    const later = await store.revokeLicence('ADAPTER-LIC-1', '2026-11-20T10:00:00+08:00', ref('gov.licence.revoked'), AT);
    expect(later).toMatchObject({ kind: 'DUPLICATE' });
    const held = await store.licencesOfHolder('110101199003070011');
    expect(held).toEqual([{ ...licence, revokedAt: '2026-11-12T08:00:00.000Z' }]);
  });

  it('marks a false commitment once, keeps it through upstream updates, and folds it the same way for every reader', async () => {
    const subject = '110101198001010053';
    const markOnly = '110101198001010061';
    const credit: CreditRecord = { ...dataOf<CreditRecord>('gov.credit.updated/person-good-standing'), subjectId: subject };
    await store.putCredit(credit, ref('gov.credit.updated'), AT);
    await store.markFalseCommitment(subject, 'APP-FIRST', '2026-11-21T07:30:00.000Z');
    await store.markFalseCommitment(subject, 'APP-SECOND', '2026-11-22T07:30:00.000Z');
    // A newer upstream record says nothing of the mark: the mark is ours and stays.
    await store.putCredit({ ...credit, asOf: '2026-11-25', rating: 'B' }, ref('gov.credit.updated'), AT);
    await store.markFalseCommitment(markOnly, 'APP-THIRD', '2026-11-23T07:30:00.000Z');

    const marked = await store.getCredit(subject);
    expect(marked).toMatchObject({ subjectId: subject, rating: 'B', falseCommitment: true, falseCommitmentMark: { applicationId: 'APP-FIRST' } });
    expect(await store.getCredit(markOnly)).toMatchObject({ subjectId: markOnly, asOf: '2026-11-23T07:30:00.000Z', dishonest: false, falseCommitment: true });
    expect(await store.getCreditRecord(subject)).toMatchObject({ upstream: { rating: 'B' }, falseCommitmentMark: { applicationId: 'APP-FIRST' } });

    const many = await store.batchGetCredits([subject, markOnly, '110101198001010088', subject]);
    expect(Object.fromEntries(many)).toEqual({ [subject]: marked, [markOnly]: await store.getCredit(markOnly) });
    const records = await store.getApplicationRecords('ADAPTER-NO-ITEM', { kind: 'person', id: subject });
    expect(records).toEqual({ credit: marked });
  });
});
