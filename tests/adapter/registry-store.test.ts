/**
 * The registry table (shared/registry/store.ts) against DynamoDB Local: the key layout, the conditions
 * that keep the newest record, the earliest revocation and the first mark, each change written in one
 * transaction with its receipt, the gsi1 pages of a shard, and the credit fold that every reader
 * (getCredit, batchGetCredits, getApplicationRecords) shares. Then the use cases (service.ts) over the
 * real store and receipts: what each event's receipt says.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InternalEvent } from '#contract/internal';
import type { CreditRecord, EnterpriseProfile, Licence, PersonProfile, ServiceBundle, ServiceItem } from '#contract/schemas';
import type { EventRef, Receipt } from '#platform/receipts';
import type { ReferenceChange } from '#registry/inbound';
import type { RegistryPorts } from '#registry/ports';
import { asOfStamp } from '#registry/domain/as-of';
import { shardOf } from '#registry/domain/shards';
import { useTestDynamo } from '#support/dynamo';
import { QUIET_POWERTOOLS, useEnv } from '#support/logs';

const db = useTestDynamo();
// Quiet the use cases' log lines (read when the logger is created).
useEnv(QUIET_POWERTOOLS);
let store: typeof import('#registry/store');
let service: typeof import('#registry/service');
let ports: RegistryPorts;
const sent: InternalEvent[] = [];
beforeAll(async () => {
  store = await import('#registry/store');
  service = await import('#registry/service');
  const { registryPorts } = await import('#registry/adapters');
  // The real table and receipts; the internal events kept here instead of sent to a queue.
  ports = { ...registryPorts, send: async (events) => void sent.push(...events), now: () => AT };
});

const ROOT = join(import.meta.dirname, '../..');
const dataOf = <T>(path: string): T => (JSON.parse(readFileSync(join(ROOT, 'events/samples', `${path}.json`), 'utf8')) as { data: T }).data;
const AT = '2026-11-05T06:00:00.000Z';
let serial = 0;
/** A fresh inbound event reference (receipts are keyed by it). */
const ref = (type: string) => ({ source: '/systems/adapter-test', id: `adapter-${++serial}`, type });
const applied = (r: EventRef, details?: Record<string, unknown>): Receipt => ({ ...r, outcome: 'applied', at: AT, effect: { resource: 'test', id: r.id }, ...(details ? { details } : {}) });
const apply = (change: ReferenceChange, eventRef: EventRef = ref('gov.test')) => service.applyReferenceData({ kind: 'reference', ref: eventRef, change }, ports);
const receiptOf = (r: EventRef) => db().get('receipts', { pk: `RCPT#${r.source}#${r.id}`, sk: 'RECEIPT' });

describe('registry store: keys, conditions, transactions', () => {
  it('writes a change and its receipt together; a redelivery gets the first receipt back and writes nothing', async () => {
    const person = { ...dataOf<PersonProfile>('gov.person.profile.updated/resident'), idNumber: '110101199003070038', asOf: '2026-11-01' };
    const first = ref('gov.person.profile.updated');
    const asOf = asOfStamp('2026-10-31T16:00:00.000Z');
    expect(await store.registryStore.putPersonProfile(person, asOf, applied(first))).toEqual({ kind: 'written' });
    expect(await db().get('registry', { pk: `PERSON#${person.idNumber}`, sk: 'PROFILE' })).toMatchObject({ asOfMs: asOf.ms, asOfAt: asOf.at, kind: 'person', profile: person });
    expect(await receiptOf(first)).toMatchObject({ outcome: 'applied', id: first.id });

    const again = await store.registryStore.putPersonProfile({ ...person, name: '重投' }, asOf, { ...applied(first), at: '2026-11-06T00:00:00.000Z' });
    expect(again).toEqual({ kind: 'redelivered', receipt: expect.objectContaining({ id: first.id, at: AT }) });
    expect(await store.getPersonProfile(person.idNumber)).toMatchObject({ name: person.name });
  });

  it('refuses an older profile or credit record, answering with the stored asOf as its sender wrote it, and writes no receipt', async () => {
    const person = { ...dataOf<PersonProfile>('gov.person.profile.updated/resident'), idNumber: '110101199003070054', asOf: '2026-11-02' };
    await store.registryStore.putPersonProfile(person, asOfStamp('2026-11-01T16:00:00.000Z'), applied(ref('gov.person.profile.updated')));
    const older = ref('gov.person.profile.updated');
    expect(await store.registryStore.putPersonProfile(person, asOfStamp('2026-11-01T15:59:59.000Z'), applied(older))).toEqual({ kind: 'refused', stored: { asOf: '2026-11-02' } });
    expect(await receiptOf(older)).toBeUndefined();

    const credit: CreditRecord = { ...dataOf<CreditRecord>('gov.credit.updated/person-good-standing'), subjectId: person.idNumber, asOf: '2026-11-03' };
    const source = ref('gov.credit.updated');
    await store.registryStore.putCredit(credit, asOfStamp('2026-11-02T16:00:00.000Z'), source, applied(source));
    expect(await db().get('registry', { pk: `CREDIT#${person.idNumber}`, sk: 'CREDIT' })).toMatchObject({ creditEvent: { source: source.source, id: source.id, asOfAt: '2026-11-02T16:00:00.000Z' } });
    const stale = ref('gov.credit.updated');
    expect(await store.registryStore.putCredit(credit, asOfStamp('2026-11-01T00:00:00.000Z'), stale, applied(stale))).toEqual({ kind: 'refused', stored: { asOf: '2026-11-03' } });
  });

  it('compares asOf below the millisecond: a microsecond older is refused, the same instant or a newer one written', async () => {
    const ms = '2026-11-01T00:00:00.123Z';
    const person = { ...dataOf<PersonProfile>('gov.person.profile.updated/resident'), idNumber: '110101199003070118', asOf: '2026-11-01T00:00:00.123456Z' };
    const put = (written: string, name: string) => store.registryStore.putPersonProfile({ ...person, name, asOf: written }, asOfStamp(ms, written), applied(ref('gov.person.profile.updated')));
    expect(await put(person.asOf, person.name)).toEqual({ kind: 'written' });
    expect(await db().get('registry', { pk: `PERSON#${person.idNumber}`, sk: 'PROFILE' })).toMatchObject({ asOfMs: Date.parse(ms), asOfSub: '456', asOfAt: '2026-11-01T00:00:00.123456Z' });
    expect(await put('2026-11-01T00:00:00.1234559Z', '旧')).toEqual({ kind: 'refused', stored: { asOf: person.asOf } });
    expect(await put('2026-11-01T00:00:00.123Z', '旧')).toEqual({ kind: 'refused', stored: { asOf: person.asOf } });
    expect(await put('2026-11-01T00:00:00.1234560Z', '同')).toEqual({ kind: 'written' });
    expect(await put('2026-11-01T00:00:00.12345601Z', '新')).toEqual({ kind: 'written' });
    expect(await store.getPersonProfile(person.idNumber)).toMatchObject({ name: '新' });

    // A record stored with no digits below its millisecond (every record written before they were kept) has none.
    const credit: CreditRecord = { ...dataOf<CreditRecord>('gov.credit.updated/person-good-standing'), subjectId: person.idNumber, asOf: ms };
    const putCredit = (written: string) => {
      const r = ref('gov.credit.updated');
      return store.registryStore.putCredit({ ...credit, asOf: written }, asOfStamp(new Date(written).toISOString(), written), r, applied(r));
    };
    expect(await putCredit(ms)).toEqual({ kind: 'written' });
    expect(await putCredit('2026-11-01T00:00:00.1230001Z')).toEqual({ kind: 'written' });
    expect(await db().get('registry', { pk: `CREDIT#${person.idNumber}`, sk: 'CREDIT' })).toMatchObject({ asOfSub: '0001' });
    expect(await putCredit(ms)).toEqual({ kind: 'refused', stored: { asOf: '2026-11-01T00:00:00.1230001Z' } });
    expect(await putCredit('2026-11-01T00:00:00.124Z')).toEqual({ kind: 'written' });
    expect(await db().get('registry', { pk: `CREDIT#${person.idNumber}`, sk: 'CREDIT' })).not.toHaveProperty('asOfSub');
  });

  it("writes a batch's profiles together, each with its receipt; a stale one or a redelivered one alone is left out", async () => {
    const base = dataOf<EnterpriseProfile>('gov.enterprise.profile.updated/small-exporter');
    const code = (n: number) => `${base.creditCode.slice(0, 14)}${String(9000 + n)}`;
    const asOf = asOfStamp('2026-11-01T16:00:00.000Z');
    const seen = ref('gov.enterprise.profile.updated');
    await store.registryStore.putEnterpriseProfile({ ...base, creditCode: code(1) }, asOf, applied(ref('gov.enterprise.profile.updated')));
    await store.registryStore.putEnterpriseProfile({ ...base, creditCode: code(2) }, asOf, applied(seen));
    const events = [1, 2, 3, 4].map(() => ref('gov.enterprise.profile.updated'));
    const results = await store.registryStore.writeProfiles([
      { kind: 'enterprise', profile: { ...base, creditCode: code(1), name: '旧' }, asOf: asOfStamp('2026-10-01T00:00:00.000Z'), receipt: applied(events[0]!) },
      { kind: 'enterprise', profile: { ...base, creditCode: code(2), name: '重投' }, asOf, receipt: applied(seen) },
      { kind: 'enterprise', profile: { ...base, creditCode: code(3) }, asOf, receipt: applied(events[2]!) },
      { kind: 'person', profile: { ...dataOf<PersonProfile>('gov.person.profile.updated/resident'), idNumber: '110101199003070070' }, asOf, receipt: applied(events[3]!) },
    ]);
    expect(results).toEqual(['conflict', 'conflict', 'committed', 'committed']);
    expect(await store.getEnterpriseProfile(code(1))).toMatchObject({ name: base.name });
    expect(await store.getEnterpriseProfile(code(2))).toMatchObject({ name: base.name });
    expect(await store.getEnterpriseProfile(code(3))).toMatchObject({ creditCode: code(3) });
    expect(await db().get('registry', { pk: 'PERSON#110101199003070070', sk: 'PROFILE' })).toMatchObject({ kind: 'person', gsi1sk: '110101199003070070' });
    expect(await receiptOf(events[0]!)).toBeUndefined();
    expect(await receiptOf(events[2]!)).toMatchObject({ outcome: 'applied' });
  });

  it('reads a subject\'s profile and folded credit record in one request, each absent when there is none', async () => {
    const person = { ...dataOf<PersonProfile>('gov.person.profile.updated/resident'), idNumber: '110101199003070097' };
    expect(await store.getSubject('person', person.idNumber)).toEqual({});
    await store.registryStore.putPersonProfile(person, asOfStamp('2026-11-01T16:00:00.000Z'), applied(ref('gov.person.profile.updated')));
    expect(await store.getSubject('person', person.idNumber)).toEqual({ profile: person });
    const credit: CreditRecord = { ...dataOf<CreditRecord>('gov.credit.updated/person-good-standing'), subjectId: person.idNumber };
    const source = ref('gov.credit.updated');
    await store.registryStore.putCredit(credit, asOfStamp('2026-11-02T16:00:00.000Z'), source, applied(source));
    expect(await store.getSubject('person', person.idNumber)).toEqual({ profile: person, credit: await store.getCredit(person.idNumber) });
    expect(await store.getSubject('enterprise', person.idNumber)).toEqual({ credit: await store.getCredit(person.idNumber) });
  });

  it('stores a version once (its hash and event kept) and makes it current unless a newer one is', async () => {
    const item = { ...dataOf<ServiceItem>('gov.catalog.item.published/weather-certificate'), itemCode: 'ADAPTER-STORE-QX' };
    expect(await store.registryStore.createItemVersion({ ...item, version: 2 }, 'h2', 'src#2')).toBeUndefined();
    expect(await store.registryStore.createItemVersion({ ...item, version: 2 }, 'other', 'src#3')).toEqual({ hash: 'h2', cause: 'src#2' });
    expect(await store.registryStore.makeCurrent({ ...item, version: 2 }, 'h2')).toBe(true);
    expect(await store.registryStore.makeCurrent({ ...item, version: 1 }, 'h1')).toBe(false);
    expect(await store.registryStore.makeCurrent({ ...item, version: 2 }, 'h2')).toBe(true);
    expect(await db().get('registry', { pk: 'ITEM#ADAPTER-STORE-QX', sk: 'CURRENT' })).toMatchObject({ version: 2, hash: 'h2' });
    expect(await db().get('registry', { pk: 'ITEM#ADAPTER-STORE-QX', sk: 'V#000002' })).toMatchObject({ hash: 'h2', cause: 'src#2' });
  });

  it('pages a shard of enterprise profiles by gsi1, each profile once, in credit-code order', async () => {
    const base = dataOf<EnterpriseProfile>('gov.enterprise.profile.updated/small-exporter');
    const codes = Array.from({ length: 160 }, (_, i) => `ADAPTERENT${String(i).padStart(8, '0')}`);
    const byShard = new Map<number, string[]>();
    for (const code of codes) byShard.set(shardOf(code), [...(byShard.get(shardOf(code)) ?? []), code]);
    const [shard, members] = [...byShard].sort((a, b) => b[1].length - a[1].length)[0]!;
    expect(members.length).toBeGreaterThanOrEqual(4);
    for (const code of members) await apply({ kind: 'enterpriseProfile', profile: { ...base, creditCode: code } });
    expect(await db().get('registry', { pk: `ENT#${members[0]}`, sk: 'PROFILE' })).toMatchObject({ gsi1pk: store.shardKey(shard), gsi1sk: members[0] });

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
});

describe('registry use cases over the real store and receipts', () => {
  const weather = dataOf<ServiceItem>('gov.catalog.item.published/weather-certificate');

  it('stores each service item version once and keeps the newest current; other content under a stored version is refused', async () => {
    const item = { ...weather, itemCode: 'ADAPTER-QX' };
    const v2 = { ...item, version: 2, name: `${item.name}（第二版）` };
    expect((await apply({ kind: 'item', item: v2 })).outcome).toBe('applied');
    // An older version arriving late is stored as itself but does not become current.
    expect(await apply({ kind: 'item', item })).toMatchObject({ outcome: 'applied', details: { current: false } });
    expect((await store.getCurrentItem('ADAPTER-QX'))?.version).toBe(2);
    expect((await store.getItemVersion('ADAPTER-QX', 1))?.name).toBe(item.name);

    expect(await apply({ kind: 'item', item: v2 })).toMatchObject({ kind: 'REPLAY' });
    const other = await apply({ kind: 'item', item: { ...v2, promisedDays: 9 } });
    expect(other).toMatchObject({ outcome: 'refused', kind: 'VERSION_CONFLICT' });
    expect((await store.getItemVersion('ADAPTER-QX', 2))?.promisedDays).toBe(v2.promisedDays);
    expect((await db().partition('registry', 'CONFLICT#item#ADAPTER-QX@2')).length).toBe(1);
  });

  it("gives the approval consumer's batch its records and licences read ahead in two requests, the same as read one by one", async () => {
    const { jest } = await import('@jest/globals');
    const { registryReader } = await import('#approval/adapters');
    const { GroupCommit } = await import('#platform/group-commit');
    const aws = await import('#platform/aws');
    await apply({ kind: 'item', item: { ...weather, itemCode: 'ADAPTER-RA' } });
    const people = ['110101199003070118', '110101199003070134', '110101199003070150'];
    for (const id of people.slice(0, 2)) await apply({ kind: 'personProfile', profile: { ...dataOf<PersonProfile>('gov.person.profile.updated/resident'), idNumber: id } });
    const card = dataOf<Licence>('gov.licence.issued/resident-id-card');
    for (const [n, id] of [people[0]!, people[0]!, people[2]!].entries()) await apply({ kind: 'licenceIssued', licence: { ...card, holderId: id, licenceNo: `ADAPTER-RA-${n}` } });
    const keys = [...people, people[0]!].map((id) => ({ itemCode: 'ADAPTER-RA', applicant: { kind: 'person' as const, id, name: '张伟' } }));
    const alone = await Promise.all(keys.map((k) => registryReader.applicationFacts(k.itemCode, k.applicant)));

    const send = jest.spyOn(aws.ddb, 'send');
    const unit = new GroupCommit<never>({ keyOf: () => '', write: async () => [], prepare: async () => registryReader.readAhead!(keys) });
    await unit.prepare!([]);
    const inBatch: unknown[] = [];
    for (const [i, k] of keys.entries()) await unit.run(`m${i}`, async () => void inBatch.push(await registryReader.applicationFacts(k.itemCode, k.applicant)));
    const sent = send.mock.calls.map(([command]) => command.constructor.name);
    send.mockRestore();
    expect(inBatch).toEqual(alone);
    expect(alone.map((facts) => facts.licences.length)).toEqual([2, 0, 1, 2]);
    // One BatchGetItem for the batch's records and one SELECT for its applicants' licences: no Query each.
    expect(sent.filter((n) => n === 'BatchGetCommand')).toHaveLength(1);
    expect(sent.filter((n) => n === 'ExecuteStatementCommand')).toHaveLength(1);
    expect(sent.filter((n) => n === 'QueryCommand')).toHaveLength(0);
    expect(sent).toHaveLength(2);
  });

  it('stores a bundle version under BUNDLE#, keeps the newest current, and refuses one whose items are not all published', async () => {
    const startUp = dataOf<ServiceBundle>('gov.catalog.bundle.published/business-start-up');
    const bundle: ServiceBundle = { ...startUp, bundleCode: 'ADAPTER-YJS', items: startUp.items.slice(0, 2).map((i) => ({ ...i, itemCode: `ADAPTER-${i.itemCode}` })) };
    bundle.items[1] = { itemCode: 'ADAPTER-QYKB-YZKZ', required: true, after: ['ADAPTER-QYKB-SLDJ'] };
    const missing = ref('gov.catalog.bundle.published');
    expect(await apply({ kind: 'bundle', bundle }, missing)).toMatchObject({ outcome: 'refused', kind: 'BUNDLE_ITEM_UNKNOWN', details: { errors: [{ path: 'data.items[0].itemCode' }, { path: 'data.items[1].itemCode' }] } });
    expect(await receiptOf(missing)).toMatchObject({ outcome: 'refused', kind: 'BUNDLE_ITEM_UNKNOWN' });
    expect(await db().partition('registry', 'BUNDLE#ADAPTER-YJS')).toEqual([]);

    for (const { itemCode } of bundle.items) await apply({ kind: 'item', item: { ...weather, itemCode } });
    expect([...(await store.registryStore.currentItems([...bundle.items.map((i) => i.itemCode), 'ADAPTER-NONE'])).keys()].sort()).toEqual(['ADAPTER-QYKB-SLDJ', 'ADAPTER-QYKB-YZKZ']);
    expect(await apply({ kind: 'bundle', bundle: { ...bundle, version: 2 } })).toMatchObject({ outcome: 'applied', details: { current: true }, effect: { resource: 'bundle', href: '/bundles/ADAPTER-YJS?version=2' } });
    expect(await apply({ kind: 'bundle', bundle })).toMatchObject({ outcome: 'applied', details: { current: false } });
    expect((await store.getCurrentBundle('ADAPTER-YJS'))?.version).toBe(2);
    expect((await store.getBundleVersion('ADAPTER-YJS', 1))?.items).toEqual(bundle.items);
    expect(await apply({ kind: 'bundle', bundle: { ...bundle, version: 2, promisedDays: 9 } })).toMatchObject({ outcome: 'refused', kind: 'VERSION_CONFLICT' });
    expect((await db().partition('registry', 'CONFLICT#bundle#ADAPTER-YJS@2')).length).toBe(1);
  });

  it('keeps the newer profile: an older asOf is STALE, and a date asOf stands for the start of that local day', async () => {
    const person = { ...dataOf<PersonProfile>('gov.person.profile.updated/resident'), idNumber: '110101199003070011', asOf: '2026-11-01' };
    const first = ref('gov.person.profile.updated');
    expect(await apply({ kind: 'personProfile', profile: person }, first)).toMatchObject({ outcome: 'applied', details: { asOf: '2026-10-31T16:00:00.000Z' } });
    const older = ref('gov.person.profile.updated');
    expect(await apply({ kind: 'personProfile', profile: { ...person, name: '旧', asOf: '2026-10-31T23:59:00+08:00' } }, older)).toMatchObject({ outcome: 'noEffect', kind: 'STALE' });
    // The refusal is recorded on its own, create-only: a redelivery answers the same.
    expect(await receiptOf(older)).toMatchObject({ kind: 'STALE', details: { storedAsOf: '2026-11-01' } });
    await apply({ kind: 'personProfile', profile: { ...person, residenceDistrict: '440304', asOf: '2026-11-02T09:00:00+08:00' } });
    expect(await store.getPersonProfile(person.idNumber)).toMatchObject({ name: person.name, residenceDistrict: '440304' });
    // The change and its receipt are one transaction.
    expect(await receiptOf(first)).toBeDefined();
  });

  it('asks for a re-match after an applied enterprise change, again on its redelivery, and not after a stale one', async () => {
    const enterprise = { ...dataOf<EnterpriseProfile>('gov.enterprise.profile.updated/small-exporter'), creditCode: '91440300MA5REMATCH' };
    const event = ref('gov.enterprise.profile.updated');
    const before = sent.length;
    await apply({ kind: 'enterpriseProfile', profile: enterprise }, event);
    await apply({ kind: 'enterpriseProfile', profile: enterprise }, event);
    await apply({ kind: 'enterpriseProfile', profile: { ...enterprise, asOf: '2000-01-01' } });
    expect(sent.slice(before).map((e) => e.id)).toEqual([`rematch:${enterprise.creditCode}:${event.source}:${event.id}`, `rematch:${enterprise.creditCode}:${event.source}:${event.id}`]);
  });

  it('keeps a revocation that arrived before its licence, and the earliest of two revocations', async () => {
    const licence = { ...dataOf<Licence>('gov.licence.issued/resident-id-card'), licenceNo: 'ADAPTER-LIC-1', holderId: '110101199003070011' };
    await apply({ kind: 'licenceRevoked', licenceNo: 'ADAPTER-LIC-1', revokedAt: '2026-11-12T16:00:00+08:00' });
    expect((await apply({ kind: 'licenceIssued', licence })).outcome).toBe('applied');
    const later = await apply({ kind: 'licenceRevoked', licenceNo: 'ADAPTER-LIC-1', revokedAt: '2026-11-20T10:00:00+08:00' });
    expect(later).toMatchObject({ kind: 'DUPLICATE', details: { revokedAt: '2026-11-12T08:00:00.000Z' } });
    const held = await store.licencesOfHolder('110101199003070011');
    expect(held).toEqual([{ ...licence, revokedAt: '2026-11-12T08:00:00.000Z' }]);
  });

  it("reads many holders' licences in one SELECT per 50, each holder's as its own Query gives them", async () => {
    const base = dataOf<Licence>('gov.licence.issued/resident-id-card');
    const holder = (n: number) => `4403051990030${String(70000 + n).slice(1)}`;
    const types = ['营业执照', 'B-permit', '居民身份证', 'a-permit', '食品经营许可证', 'Z'];
    // Holder 0 holds twelve (more than DynamoDB's page of ten for such a SELECT), of types whose order is
    // the index's; holders 1–7 one or two, one of them revoked; holders 8–54 none (55 holders: two SELECTs).
    const issued: Licence[] = [
      ...Array.from({ length: 12 }, (_, i) => ({ ...base, holderId: holder(0), licenceNo: `MANY-${11 - i}`, licenceType: types[i % types.length]! })),
      ...Array.from({ length: 10 }, (_, i) => ({ ...base, holderId: holder(1 + (i % 7)), licenceNo: `FEW-${i}`, licenceType: types[(i * 5) % types.length]! })),
    ];
    for (const licence of issued) expect((await apply({ kind: 'licenceIssued', licence })).outcome).toBe('applied');
    await apply({ kind: 'licenceRevoked', licenceNo: 'FEW-3', revokedAt: '2026-11-12T16:00:00+08:00' });

    const holders = Array.from({ length: 55 }, (_, n) => holder(n));
    const many = await store.licencesOfHolders([...holders, holder(0), holder(3)]);
    expect([...many.keys()]).toEqual(holders);
    for (const id of holders) expect([id, many.get(id)]).toEqual([id, await store.licencesOfHolder(id)]);
    expect(many.get(holder(0))).toHaveLength(12);
    expect(many.get(holder(4))?.find((l) => l.licenceNo === 'FEW-3')).toMatchObject({ revokedAt: '2026-11-12T08:00:00.000Z' });
    expect(holders.filter((id) => many.get(id)!.length > 0)).toHaveLength(8);
    expect(await store.licencesOfHolders([])).toEqual(new Map());
  });

  const commitmentMark = (subjectId: string, applicationId: string, at: string) =>
    service.applyCreditMark({ kind: 'creditMark', ref: { source: '/civicflow/approval', id: `mark-${applicationId}`, type: 'civicflow.credit.marked' }, subjectId, mark: { at, applicationId }, markKind: 'falseCommitment' }, ports);

  it('marks a false commitment once per application, keeps the marks through upstream updates, and folds them the same way for every reader', async () => {
    const subject = '110101198001010053';
    const markOnly = '110101198001010061';
    const credit: CreditRecord = { ...dataOf<CreditRecord>('gov.credit.updated/person-good-standing'), subjectId: subject };
    const mark = commitmentMark;
    await apply({ kind: 'credit', credit });
    // Two approvals on commitment of one subject, both revoked: two marks.
    await mark(subject, 'APP-FIRST', '2026-11-21T07:30:00.000Z');
    await mark(subject, 'APP-SECOND', '2026-11-22T07:30:00.000Z');
    // The first application's mark redelivered (another time): still one mark for it, the first.
    await mark(subject, 'APP-FIRST', '2026-11-24T07:30:00.000Z');
    // A newer upstream record says nothing of the marks: the marks are ours and stay.
    await apply({ kind: 'credit', credit: { ...credit, asOf: '2026-11-25', rating: 'B' } });
    await mark(markOnly, 'APP-THIRD', '2026-11-23T07:30:00.000Z');

    const both = [
      { at: '2026-11-21T07:30:00.000Z', applicationId: 'APP-FIRST' },
      { at: '2026-11-22T07:30:00.000Z', applicationId: 'APP-SECOND' },
    ];
    const marked = await store.getCredit(subject);
    expect(marked).toMatchObject({ subjectId: subject, rating: 'B', falseCommitment: true, falseCommitmentMarks: both });
    expect(await store.getCredit(markOnly)).toMatchObject({ subjectId: markOnly, asOf: '2026-11-23T07:30:00.000Z', dishonest: false, falseCommitment: true });
    expect(await store.getCreditRecord(subject)).toMatchObject({ upstream: { rating: 'B' }, falseCommitmentMarks: both });

    const many = await store.batchGetCredits([subject, markOnly, '110101198001010088', subject]);
    expect(Object.fromEntries(many)).toEqual({ [subject]: marked, [markOnly]: await store.getCredit(markOnly) });
    const records = await store.getApplicationRecords('ADAPTER-NO-ITEM', { kind: 'person', id: subject });
    expect(records).toEqual({ credit: marked });

    // A batch's records read ahead together: the same as one at a time, in the order asked, repeated keys
    // read once, more than one request's 100 keys (90 applications × 3 keys, 110 distinct).
    const requests = Array.from({ length: 90 }, (_, i) => ({
      itemCode: i % 2 === 0 ? 'ADAPTER-NO-ITEM' : `ADAPTER-NO-ITEM-${i}`,
      applicant: { kind: 'person' as const, id: [subject, markOnly, `1101011980010${String(1000 + i).slice(1)}`][i % 3]! },
    }));
    const together = await store.getApplicationRecordsMany(requests);
    expect(together).toEqual(await Promise.all(requests.map((r) => store.getApplicationRecords(r.itemCode, r.applicant))));
    expect(together[0]).toEqual({ credit: marked });
  });

  it('still reads the single mark of a credit item written before marks were kept by application, and adds to it', async () => {
    const subject = '110101198001010096';
    const legacy = { at: '2026-10-01T02:00:00.000Z', applicationId: 'APP-OLD' };
    const { ddb } = await import('#platform/aws');
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    // As the store wrote the mark before: one attribute, the subject's first mark only.
    await ddb.send(
      new UpdateCommand({
        TableName: db().tables.registry,
        Key: { pk: `CREDIT#${subject}`, sk: 'CREDIT' },
        UpdateExpression: 'SET falseCommitmentMark = :m, kind = :k',
        ExpressionAttributeValues: { ':m': legacy, ':k': 'credit' },
      }),
    );
    expect(await store.getCredit(subject)).toEqual({ subjectId: subject, asOf: legacy.at, dishonest: false, falseCommitment: true, falseCommitmentMarks: [legacy] });
    expect(await store.getCreditRecord(subject)).toEqual({ falseCommitmentMarks: [legacy] });

    await commitmentMark(subject, 'APP-NEW', '2026-11-21T07:30:00.000Z');
    // The old application's mark redelivered now: it lands in the map, but the stored one stands.
    await commitmentMark(subject, 'APP-OLD', '2026-11-22T07:30:00.000Z');
    const both = [legacy, { at: '2026-11-21T07:30:00.000Z', applicationId: 'APP-NEW' }];
    expect(await store.getCreditRecord(subject)).toEqual({ falseCommitmentMarks: both });
    expect(await store.getCredit(subject)).toMatchObject({ falseCommitment: true, falseCommitmentMarks: both });
    expect((await store.batchGetCredits([subject])).get(subject)).toEqual(await store.getCredit(subject));
    // Nothing stored before is rewritten.
    expect(await db().get('registry', { pk: `CREDIT#${subject}`, sk: 'CREDIT' })).toMatchObject({ falseCommitmentMark: legacy });
  });

  it('keeps one benefit-fraud mark per policy, the first of each, beside the upstream record and the false-commitment mark', async () => {
    const subject = '91440300MA5H7R3N0Y';
    const fraud = (policyId: string, amount: number, at: string) =>
      service.applyCreditMark({ kind: 'creditMark', ref: { source: '/civicflow/policy', id: `fraud-${policyId}`, type: 'civicflow.credit.marked' }, subjectId: subject, markKind: 'benefitFraud', mark: { at, policyId, amount } }, ports);
    await fraud('POL-A', 18650.5, '2026-11-26T08:30:00.000Z');
    await fraud('POL-A', 1, '2026-11-27T08:30:00.000Z');
    await fraud('POL-B', 500, '2026-11-25T08:30:00.000Z');
    await apply({ kind: 'credit', credit: { subjectId: subject, asOf: '2026-11-28', rating: 'A', dishonest: false, falseCommitment: false } });
    const record = await store.getCreditRecord(subject);
    expect(record?.benefitFraudMarks).toEqual([
      { at: '2026-11-25T08:30:00.000Z', policyId: 'POL-B', amount: 500 },
      { at: '2026-11-26T08:30:00.000Z', policyId: 'POL-A', amount: 18650.5 },
    ]);
    expect(record?.upstream).toMatchObject({ rating: 'A' });
    // The mark excludes nobody: what decisions and matching read is the upstream record.
    expect(await store.getCredit(subject)).toMatchObject({ rating: 'A', dishonest: false, falseCommitment: false });
  });
});
