/**
 * The registry's use cases (shared/registry/service.ts) with in-memory ports (tests/support/memory/registry.ts):
 * what each reference-data event becomes (its receipt), what it leaves stored, the re-match it asks for,
 * and CivicFlow's credit mark. The DynamoDB store is held to the same conditions in tests/adapter/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreditRecord, EnterpriseProfile, Licence, PersonProfile, ServiceItem } from '#contract/schemas';
import type { InternalEvent } from '#contract/internal';
import type { EventRef } from '#platform/receipts';
import type { ReferenceChange } from '#registry/inbound';
import { registryInput } from '#registry/inbound';
import { QUIET_POWERTOOLS, useEnv } from '#support/logs';
import { memoryRegistry } from '#support/memory/registry';

// Read when the Powertools logger and metrics are created, on the service's import: quiet for this file.
useEnv(QUIET_POWERTOOLS);
const { applyCreditMark, applyReferenceData, profileBatch } = await import('#registry/service');

const ROOT = join(import.meta.dirname, '../../..');
const sample = <T>(path: string) => JSON.parse(readFileSync(join(ROOT, 'events/samples', `${path}.json`), 'utf8')) as { source: string; id: string; type: string; data: T };
const dataOf = <T>(path: string): T => sample<T>(path).data;
const AT = '2026-11-05T06:00:00.000Z';

let serial = 0;
const ref = (type: string, source = '/systems/unit-test'): EventRef => ({ source, id: `unit-${++serial}`, type });
const apply = (reg: ReturnType<typeof memoryRegistry>, change: ReferenceChange, eventRef: EventRef) =>
  applyReferenceData({ kind: 'reference', ref: eventRef, change }, reg.ports);

describe('registry service: service items', () => {
  const weather = dataOf<ServiceItem>('gov.catalog.item.published/weather-certificate');

  it('stores a version and makes it current; an older one arriving late is stored but not current', async () => {
    const reg = memoryRegistry(AT);
    const v2 = { ...weather, version: 2 };
    const first = await apply(reg, { kind: 'item', item: v2 }, ref('gov.catalog.item.published'));
    expect(first).toMatchObject({
      outcome: 'applied',
      at: AT,
      details: { current: true },
      effect: { resource: 'item', id: weather.itemCode, version: 2, href: `/items/${weather.itemCode}?version=2` },
    });
    const late = await apply(reg, { kind: 'item', item: { ...weather, version: 1 } }, ref('gov.catalog.item.published'));
    expect(late).toMatchObject({ outcome: 'applied', details: { current: false } });
    expect(reg.current.get(weather.itemCode)?.version).toBe(2);
    expect(reg.versions.has(`${weather.itemCode}@1`)).toBe(true);
  });

  it('answers a redelivery with its first receipt, a re-publication with REPLAY, other content with VERSION_CONFLICT', async () => {
    const reg = memoryRegistry(AT);
    const event = ref('gov.catalog.item.published');
    const first = await apply(reg, { kind: 'item', item: weather }, event);
    reg.setNow('2026-11-05T07:00:00.000Z');
    expect(await apply(reg, { kind: 'item', item: weather }, event)).toEqual(first);

    const replay = await apply(reg, { kind: 'item', item: weather }, ref('gov.catalog.item.published'));
    expect(replay).toMatchObject({ outcome: 'noEffect', kind: 'REPLAY', effect: { id: weather.itemCode } });

    const other = ref('gov.catalog.item.published');
    const conflict = await apply(reg, { kind: 'item', item: { ...weather, promisedDays: 99 } }, other);
    expect(conflict).toMatchObject({ outcome: 'refused', kind: 'VERSION_CONFLICT', effect: { id: weather.itemCode, version: weather.version } });
    expect(reg.conflicts).toEqual([{ kind: 'item', key: `${weather.itemCode}@${weather.version}`, eventId: other.id, content: { ...weather, promisedDays: 99 } }]);
    expect(reg.current.get(weather.itemCode)?.promisedDays).toBe(weather.promisedDays);
  });
});

describe('registry service: profiles and credit (newer asOf wins)', () => {
  const person = dataOf<PersonProfile>('gov.person.profile.updated/resident');
  const enterprise = dataOf<EnterpriseProfile>('gov.enterprise.profile.updated/small-exporter');

  it("stores a profile with the instant its asOf stands for (a date: the start of the bureau's day); an older one is STALE", async () => {
    const reg = memoryRegistry(AT);
    const p = { ...person, asOf: '2026-11-01' };
    expect(await apply(reg, { kind: 'personProfile', profile: p }, ref('gov.person.profile.updated'))).toMatchObject({
      outcome: 'applied',
      details: { asOf: '2026-10-31T16:00:00.000Z' },
      effect: { resource: 'personProfile', id: person.idNumber },
    });
    const older = await apply(reg, { kind: 'personProfile', profile: { ...p, name: '旧', asOf: '2026-10-31T23:59:00+08:00' } }, ref('gov.person.profile.updated'));
    expect(older).toMatchObject({
      outcome: 'noEffect',
      kind: 'STALE',
      details: { asOf: '2026-10-31T15:59:00.000Z', storedAsOf: '2026-11-01' },
    });
    expect(reg.profiles.get(`PERSON#${person.idNumber}`)?.profile.name).toBe(person.name);
    // The refusal has its own receipt (create-only), so a redelivery of the stale event answers the same.
    expect([...reg.receipts.values()].filter((r) => r.kind === 'STALE')).toHaveLength(1);
  });

  it('compares asOf at the full precision of its fraction: a microsecond older is STALE, the same instant applies', async () => {
    const reg = memoryRegistry(AT);
    const profile = (asOf: string, name = person.name): ReferenceChange => ({ kind: 'personProfile', profile: { ...person, name, asOf } });
    expect(await apply(reg, profile('2026-11-01T08:00:00.000002+08:00'), ref('gov.person.profile.updated'))).toMatchObject({
      outcome: 'applied',
      details: { asOf: '2026-11-01T00:00:00.000002Z' },
    });
    // The same millisecond, a microsecond older: it must not replace the stored record.
    expect(await apply(reg, profile('2026-11-01T00:00:00.000001Z', '旧'), ref('gov.person.profile.updated'))).toMatchObject({
      outcome: 'noEffect',
      kind: 'STALE',
      details: { asOf: '2026-11-01T00:00:00.000001Z', storedAsOf: '2026-11-01T08:00:00.000002+08:00' },
    });
    expect(await apply(reg, profile('2026-11-01T00:00:00Z', '旧'), ref('gov.person.profile.updated'))).toMatchObject({ kind: 'STALE' });
    expect(reg.profiles.get(`PERSON#${person.idNumber}`)?.profile.name).toBe(person.name);
    // The same instant written otherwise (trailing zeros, another offset) applies, and so does a newer one.
    expect(await apply(reg, profile('2026-11-01T00:00:00.0000020Z', '同'), ref('gov.person.profile.updated'))).toMatchObject({ outcome: 'applied' });
    expect(await apply(reg, profile('2026-11-01T00:00:00.00000201Z', '新'), ref('gov.person.profile.updated'))).toMatchObject({ outcome: 'applied' });
    expect(reg.profiles.get(`PERSON#${person.idNumber}`)?.profile.name).toBe('新');

    const credit = (asOf: string): ReferenceChange => ({ kind: 'credit', credit: { ...dataOf<CreditRecord>('gov.credit.updated/person-good-standing'), asOf } });
    expect(await apply(reg, credit('2026-11-01T00:00:00.123456Z'), ref('gov.credit.updated'))).toMatchObject({ outcome: 'applied' });
    expect(await apply(reg, credit('2026-11-01T00:00:00.1234559Z'), ref('gov.credit.updated'))).toMatchObject({ kind: 'STALE' });
    expect(await apply(reg, credit('2026-11-01T00:00:00.123456Z'), ref('gov.credit.updated'))).toMatchObject({ outcome: 'applied' });
  });

  it('asks the policy side to re-match an enterprise after an applied profile or credit record, and after neither when stale', async () => {
    const reg = memoryRegistry(AT);
    const profileEvent = ref('gov.enterprise.profile.updated', '/systems/data-sharing');
    await apply(reg, { kind: 'enterpriseProfile', profile: enterprise }, profileEvent);
    expect(reg.sent).toEqual([
      expect.objectContaining({
        type: 'civicflow.enterprise.rematch',
        id: `rematch:${enterprise.creditCode}:${profileEvent.source}:${profileEvent.id}`,
        time: AT,
        data: { creditCode: enterprise.creditCode, cause: profileEvent },
      }),
    ]);
    // A redelivery of the applied event sends the re-match again (its consumer is idempotent).
    await apply(reg, { kind: 'enterpriseProfile', profile: enterprise }, profileEvent);
    expect(reg.sent).toHaveLength(2);

    const older = { ...enterprise, asOf: '2000-01-01' };
    expect(await apply(reg, { kind: 'enterpriseProfile', profile: older }, ref('gov.enterprise.profile.updated'))).toMatchObject({ kind: 'STALE' });
    expect(reg.sent).toHaveLength(2);

    const credit: CreditRecord = { ...dataOf<CreditRecord>('gov.credit.updated/good-standing'), subjectId: enterprise.creditCode };
    const creditEvent = ref('gov.credit.updated');
    expect(await apply(reg, { kind: 'credit', credit }, creditEvent)).toMatchObject({
      outcome: 'applied',
      effect: { resource: 'credit', id: enterprise.creditCode, href: `/credit/${enterprise.creditCode}` },
    });
    expect(reg.sent.at(-1)).toMatchObject({ id: `rematch:${enterprise.creditCode}:${creditEvent.source}:${creditEvent.id}` });
    expect(await apply(reg, { kind: 'credit', credit: { ...credit, asOf: '2000-01-01' } }, ref('gov.credit.updated'))).toMatchObject({ kind: 'STALE' });
    expect(reg.sent).toHaveLength(3);
  });

  it('re-matches a person whose profile or credit changed against person policies', async () => {
    const reg = memoryRegistry(AT);
    await apply(reg, { kind: 'personProfile', profile: person }, ref('gov.person.profile.updated'));
    await apply(reg, { kind: 'credit', credit: dataOf<CreditRecord>('gov.credit.updated/person-good-standing') }, ref('gov.credit.updated'));
    const sent = reg.sent.filter((e) => e.subject === person.idNumber);
    expect(sent.map((e) => [e.type, (e.data as { subjectKind?: string }).subjectKind])).toEqual([
      ['civicflow.enterprise.rematch', 'person'],
      ['civicflow.enterprise.rematch', 'person'],
    ]);
  });
});

describe('registry service: profiles in the consumer batch (group write)', () => {
  const person = dataOf<PersonProfile>('gov.person.profile.updated/resident');
  const enterprise = dataOf<EnterpriseProfile>('gov.enterprise.profile.updated/small-exporter');
  const enterpriseNo = (n: number): EnterpriseProfile => ({ ...enterprise, creditCode: `${enterprise.creditCode.slice(0, 14)}${String(n).padStart(4, '0')}` });
  /** Runs the records as the consumer does: each in the unit, then its commit; the message ids that failed. */
  async function batch(reg: ReturnType<typeof memoryRegistry>, records: ReadonlyArray<[ReferenceChange, EventRef]>, beforeCommit?: () => void) {
    const unit = profileBatch(reg.ports);
    const receipts: unknown[] = [];
    for (const [i, [change, eventRef]] of records.entries()) {
      await unit.run(`m${i}`, async () => {
        receipts.push(await apply(reg, change, eventRef));
      });
    }
    beforeCommit?.();
    return { failed: await unit.commit(), receipts, stats: unit.stats };
  }

  it("writes the batch's profiles in one group write and sends their re-matches only once it is made", async () => {
    const reg = memoryRegistry(AT);
    const events = [1, 2, 3].map(() => ref('gov.enterprise.profile.updated'));
    const out = await batch(
      reg,
      [1, 2, 3].map((n, i) => [{ kind: 'enterpriseProfile', profile: enterpriseNo(n) }, events[i]!] as [ReferenceChange, EventRef]),
      () => expect(reg.sent).toHaveLength(0),
    );
    expect(out.failed.size).toBe(0);
    expect(reg.calls.writeProfiles).toEqual([3]);
    expect(reg.sent.map((e) => e.id)).toEqual(events.map((e, i) => `rematch:${enterpriseNo(i + 1).creditCode}:${e.source}:${e.id}`));
    expect([...reg.receipts.values()].map((r) => r.outcome)).toEqual(['applied', 'applied', 'applied']);
  });

  it('leaves a stale profile and a second delivery in the batch to run on their own: the same receipts as one at a time', async () => {
    const reg = memoryRegistry(AT);
    await apply(reg, { kind: 'personProfile', profile: { ...person, asOf: '2026-11-01' } }, ref('gov.person.profile.updated'));
    const sentBefore = reg.sent.length;
    const twice = ref('gov.enterprise.profile.updated');
    const out = await batch(reg, [
      [{ kind: 'personProfile', profile: { ...person, name: '旧', asOf: '2026-10-01' } }, ref('gov.person.profile.updated')],
      [{ kind: 'enterpriseProfile', profile: enterpriseNo(7) }, twice],
      [{ kind: 'enterpriseProfile', profile: enterpriseNo(8) }, ref('gov.enterprise.profile.updated')],
      [{ kind: 'enterpriseProfile', profile: enterpriseNo(7) }, twice],
    ]);
    expect(out.failed.size).toBe(0);
    // The second delivery of one event (same profile) writes what waits first; its own write then
    // conflicts on the receipt and it runs alone, as does the stale one.
    expect(reg.calls.writeProfiles).toEqual([3, 1]);
    expect(out.stats.redone).toBe(2);
    expect(reg.profiles.get(`PERSON#${person.idNumber}`)?.profile.name).toBe(person.name);
    expect([...reg.receipts.values()].filter((r) => r.kind === 'STALE')).toHaveLength(1);
    expect([...reg.receipts.values()].filter((r) => r.outcome === 'applied')).toHaveLength(3);
    // No re-match for the stale one; the event delivered twice asks again (its consumer is idempotent).
    const ids = reg.sent.slice(sentBefore).map((e) => e.subject);
    expect(ids.sort()).toEqual([enterpriseNo(7).creditCode, enterpriseNo(7).creditCode, enterpriseNo(8).creditCode].sort());
  });

  it('fails the records whose group write failed, and sends nothing for them', async () => {
    const reg = memoryRegistry(AT);
    reg.ports.store.writeProfiles = async (writes) => writes.map(() => 'failed');
    const out = await batch(reg, [[{ kind: 'enterpriseProfile', profile: enterpriseNo(9) }, ref('gov.enterprise.profile.updated')]]);
    expect([...out.failed]).toEqual(['m0']);
    expect(reg.sent).toHaveLength(0);
  });
});

describe('registry service: licences', () => {
  const licence = { ...dataOf<Licence>('gov.licence.issued/resident-id-card'), licenceNo: 'UNIT-LIC-1' };

  it('keeps a revocation that arrived before its licence, and the earliest of two revocations', async () => {
    const reg = memoryRegistry(AT);
    expect(await apply(reg, { kind: 'licenceRevoked', licenceNo: 'UNIT-LIC-1', revokedAt: '2026-11-20T10:00:00+08:00' }, ref('gov.licence.revoked'))).toMatchObject({
      outcome: 'applied',
      details: { revokedAt: '2026-11-20T02:00:00.000Z' },
    });
    expect(await apply(reg, { kind: 'licenceIssued', licence }, ref('gov.licence.issued'))).toMatchObject({ outcome: 'applied', effect: { resource: 'licence', id: 'UNIT-LIC-1' } });
    expect(reg.licence('UNIT-LIC-1')?.revokedAt).toBe('2026-11-20T02:00:00.000Z');

    // An earlier revocation replaces the later one; a later one again changes nothing.
    await apply(reg, { kind: 'licenceRevoked', licenceNo: 'UNIT-LIC-1', revokedAt: '2026-11-12T16:00:00+08:00' }, ref('gov.licence.revoked'));
    const later = await apply(reg, { kind: 'licenceRevoked', licenceNo: 'UNIT-LIC-1', revokedAt: '2026-11-25T10:00:00+08:00' }, ref('gov.licence.revoked'));
    expect(later).toMatchObject({ outcome: 'noEffect', kind: 'DUPLICATE', details: { revokedAt: '2026-11-12T08:00:00.000Z' } });
    expect(reg.licence('UNIT-LIC-1')).toEqual({ ...licence, revokedAt: '2026-11-12T08:00:00.000Z' });
    expect(reg.sent).toEqual([]);
  });
});

describe('registry service: the credit mark and the inbound mapping', () => {
  const marked = sample<{ subjectId: string; applicationId: string; at: string; kind: string }>('civicflow.credit.marked/untruthful-commitment');

  it('maps the queue event to the mark, keeps one mark per application (the first of each), and folds them into the effective record', async () => {
    const reg = memoryRegistry(AT);
    const input = registryInput(marked as never);
    expect(input).toEqual({
      kind: 'creditMark',
      ref: { source: marked.source, id: marked.id, type: marked.type },
      subjectId: marked.data.subjectId,
      mark: { at: marked.data.at, applicationId: marked.data.applicationId },
      markKind: marked.data.kind,
    });
    if (input.kind !== 'creditMark' || input.markKind !== 'falseCommitment') throw new Error('expected a false-commitment mark');
    await applyCreditMark(input, reg.ports);
    await applyCreditMark({ ...input, mark: { at: '2026-12-01T00:00:00.000Z', applicationId: 'LATER' } }, reg.ports);
    // A redelivery of the first application's mark, with another time: the first stands.
    await applyCreditMark({ ...input, mark: { ...input.mark, at: '2026-12-02T00:00:00.000Z' } }, reg.ports);
    expect(reg.credit(marked.data.subjectId)).toMatchObject({
      falseCommitment: true,
      falseCommitmentMarks: [
        { at: marked.data.at, applicationId: marked.data.applicationId },
        { at: '2026-12-01T00:00:00.000Z', applicationId: 'LATER' },
      ],
    });
    expect(reg.receipts.size).toBe(0);
  });

  it('re-matches under the verification report a false-commitment mark names, else under the mark itself', async () => {
    const report = { source: '/systems/department', id: 'verify-1', type: 'gov.application.verification.reported' };
    const named = registryInput({ ...marked, data: { ...marked.data, cause: report } } as never);
    expect(named).toMatchObject({ markKind: 'falseCommitment', upstream: report });
    const reg = memoryRegistry(AT);
    if (named.kind !== 'creditMark') throw new Error('expected a credit mark');
    await applyCreditMark(named, reg.ports);
    expect(reg.sent.map((e) => [e.type, e.id, e.data])).toEqual([
      ['civicflow.enterprise.rematch', `rematch:${marked.data.subjectId}:${report.source}:${report.id}`, expect.objectContaining({ cause: report })],
    ]);
    // A mark sent before it named the report: the re-match's cause is the mark, CivicFlow's own (no source).
    const before = registryInput(marked as never);
    if (before.kind !== 'creditMark') throw new Error('expected a credit mark');
    await applyCreditMark(before, reg.ports);
    expect(reg.sent.at(-1)?.data).toMatchObject({ cause: { source: marked.source, id: marked.id, type: marked.type } });
  });

  it('keeps one benefit-fraud mark per policy, the first of each, and excludes nobody by it', async () => {
    const fraud = sample<{ subjectId: string; policyId: string; amount: number; at: string; kind: string }>('civicflow.credit.marked/benefit-fraud');
    const reg = memoryRegistry(AT);
    const input = registryInput(fraud as never);
    expect(input).toEqual({
      kind: 'creditMark',
      ref: { source: fraud.source, id: fraud.id, type: fraud.type },
      subjectId: fraud.data.subjectId,
      markKind: 'benefitFraud',
      mark: { at: fraud.data.at, policyId: fraud.data.policyId, amount: fraud.data.amount },
    });
    if (input.kind !== 'creditMark' || input.markKind !== 'benefitFraud') throw new Error('expected a benefit-fraud mark');
    await applyCreditMark(input, reg.ports);
    await applyCreditMark({ ...input, mark: { ...input.mark, amount: 1 } }, reg.ports);
    await applyCreditMark({ ...input, mark: { ...input.mark, policyId: 'POL-OTHER' } }, reg.ports);
    expect(reg.fraudMarks(fraud.data.subjectId)).toEqual({
      [fraud.data.policyId]: { at: fraud.data.at, policyId: fraud.data.policyId, amount: fraud.data.amount },
      'POL-OTHER': { at: fraud.data.at, policyId: 'POL-OTHER', amount: fraud.data.amount },
    });
    expect(reg.credit(fraud.data.subjectId)).toMatchObject({ dishonest: false, falseCommitment: false });
  });

  it('re-matches the subject of a false-commitment mark once the mark is written, as after a credit update; again on a redelivery', async () => {
    const reg = memoryRegistry(AT);
    const person = registryInput(marked as never);
    if (person.kind !== 'creditMark' || person.markKind !== 'falseCommitment') throw new Error('expected a false-commitment mark');
    // What the re-match will read when it is sent: the mark must be in the effective record by then.
    const seen: unknown[] = [];
    const ports = { ...reg.ports, send: async (events: readonly InternalEvent[]) => { seen.push(reg.credit(marked.data.subjectId)?.falseCommitment); await reg.ports.send(events); } };
    await applyCreditMark(person, ports);
    expect(seen).toEqual([true]);
    expect(reg.sent).toEqual([
      {
        specversion: '1.0',
        id: `rematch:${marked.data.subjectId}:${marked.source}:${marked.id}`,
        source: '/civicflow/registry',
        type: 'civicflow.enterprise.rematch',
        time: AT,
        subject: marked.data.subjectId,
        // An ID number: the person is re-matched against person policies, which read credit.* too.
        data: { creditCode: marked.data.subjectId, subjectKind: 'person', cause: { source: marked.source, id: marked.id, type: 'civicflow.credit.marked' } },
      },
    ]);
    // A redelivered revocation: the mark stays the first, the re-match goes again under the same id.
    await applyCreditMark(person, reg.ports);
    expect(reg.sent.map((e) => e.id)).toEqual([reg.sent[0]!.id, reg.sent[0]!.id]);

    // An enterprise applicant: re-matched against enterprise policies.
    const code = dataOf<EnterpriseProfile>('gov.enterprise.profile.updated/small-exporter').creditCode;
    const enterpriseRef = { ...person.ref, id: 'credit-marked:falseCommitment:SQ-ENTERPRISE' };
    await applyCreditMark({ ...person, ref: enterpriseRef, subjectId: code, mark: { at: AT, applicationId: 'SQ-ENTERPRISE' } }, reg.ports);
    expect(reg.sent.at(-1)).toMatchObject({ id: `rematch:${code}:${marked.source}:${enterpriseRef.id}`, data: { creditCode: code, cause: enterpriseRef } });
    expect(reg.sent.at(-1)!.data).not.toHaveProperty('subjectKind');
    expect(reg.credit(code)).toMatchObject({ falseCommitment: true });
  });

  it('re-matches nobody after a benefit-fraud mark: the effective record that criteria read does not change', async () => {
    const fraud = sample<{ subjectId: string }>('civicflow.credit.marked/benefit-fraud');
    const reg = memoryRegistry(AT);
    const input = registryInput(fraud as never);
    if (input.kind !== 'creditMark') throw new Error('expected a credit mark');
    await applyCreditMark(input, reg.ports);
    expect(reg.fraudMarks(fraud.data.subjectId)).not.toEqual({});
    expect(reg.credit(fraud.data.subjectId)).toEqual({ subjectId: fraud.data.subjectId, asOf: '', dishonest: false, falseCommitment: false });
    expect(reg.sent).toEqual([]);
  });

  it('maps each inbound type to its change, with the event it came by', () => {
    const event = sample<Licence>('gov.licence.revoked/licence-cancelled');
    expect(registryInput(event as never)).toEqual({
      kind: 'reference',
      ref: { source: event.source, id: event.id, type: 'gov.licence.revoked' },
      change: { kind: 'licenceRevoked', licenceNo: (event.data as unknown as { licenceNo: string }).licenceNo, revokedAt: (event.data as unknown as { revokedAt: string }).revokedAt },
    });
    const item = sample<ServiceItem>('gov.catalog.item.published/weather-certificate');
    expect(registryInput(item as never)).toMatchObject({ kind: 'reference', change: { kind: 'item', item: item.data } });
  });
});
