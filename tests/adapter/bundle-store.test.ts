/**
 * Bundle applications in the approvals table (shared/approval/store/bundle.ts) against DynamoDB Local:
 * the first version created once with the application, its outbox, audit line and receipt in one
 * transaction; a later version only over the one it follows; refusals and conflicts once; the outbox marked sent; the
 * summaries the figures read, by bundle; what the deadlines schedule finds (a child's supplement
 * deadline past, the outboxes of its own versions not yet sent) through the byDue index.
 */
import { decideBundle, type BundleApplication, type BundleState } from '#approval/domain/bundle/application';
import { reviewBundleChild, terminateMissedSupplements } from '#approval/domain/bundle/later';
import { conflictAudit, refusalAudit } from '#approval/domain/audit';
import type { Cause } from '#approval/domain/decision';
import type { ServiceItem } from '#approval/domain/types';
import type { BundleFirstRecord } from '#approval/bundle-ports';
import { conflictReceipt, refusalReceipt } from '#approval/messages';
import { bundleAudit, bundleReceipt } from '#approval/service/bundle-messages';
import { receiptKey } from '#platform/receipts';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { useTestDynamo } from '#support/dynamo';
import { calendar, weatherApp } from '../unit/approval/fixtures';
import { FOUNDER, item, startUp } from '../unit/approval/bundle/fixtures';

const db = useTestDynamo();
let store: typeof import('#approval/store/bundle');
let deadlines: typeof import('#approval/store/deadlines');
beforeAll(async () => {
  store = await import('#approval/store/bundle');
  deadlines = await import('#approval/store/deadlines');
});

const NOW = '2026-11-18T02:00:00.000Z';
const LATER = '2026-12-31T00:00:00.000Z';
const ARTICLES = { code: 'M-ARTICLES', name: '公司章程', declared: true };
const items = new Map<string, ServiceItem>(
  ['QYKB-SLDJ', 'QYKB-YZKZ', 'QYKB-FPSL', 'QYKB-YHKH'].map((code) => [code, item(code, `证照-${code}`, [ARTICLES])] as const),
);
items.set('QYKB-SBDJ', item('QYKB-SBDJ', '社保登记证', [ARTICLES], { mode: 'manual' }));
const cause = (id: string, type = 'gov.application.submitted'): Cause => ({ source: '/systems/window-acceptance', id, type });

function application(applicationId: string): BundleApplication {
  return { applicationId, bundleCode: startUp.bundleCode, applicant: FOUNDER, form: { enterpriseName: '某某公司', employees: 0 }, answers: { needsInvoice: false, hiresStaff: true }, materials: [{ code: 'M-ARTICLES', provided: true }], channel: 'online', submittedAt: NOW };
}

function first(app: BundleApplication, event = `e-${app.applicationId}`): BundleFirstRecord {
  const state = decideBundle(app, { bundle: startUp, items, licences: [], now: NOW, calendar });
  const c = cause(event);
  const receipt = bundleReceipt(state, c);
  return { application: app, applicationHash: 'h', receivedAt: NOW, state, cause: c, causeKind: 'submitted', audit: bundleAudit(state, c, `decided:${state.status}`, NOW), ...(receipt ? { receipt } : {}) };
}

function reviewed(previous: BundleState, event: string) {
  const t = reviewBundleChild(previous, { outcome: 'APPROVED', reasons: [], staffId: 'S-1', at: NOW, itemCode: 'QYKB-SBDJ' }, { bundle: startUp, items, licences: [], now: NOW, calendar });
  if (!t.ok) throw new Error('refused');
  const c = cause(event, 'gov.application.reviewed');
  return { state: t.state, cause: c, causeKind: 'reviewed' as const, audit: bundleAudit(t.state, c, `reviewed:${t.state.status}`, NOW) };
}

describe('bundle store', () => {
  it('creates the application once, with its version, audit line and receipt in one transaction, and no outbox item', async () => {
    const record = first(application('YJS-S-1'));
    expect(record.state.status).toBe('IN_PROGRESS');
    expect(await store.bundleStore.createBundle(record)).toBe('stored');
    expect(await store.bundleStore.createBundle(record)).toBe('exists');
    const known = await store.bundleStore.loadBundle('YJS-S-1');
    expect(known.application?.application).toEqual(record.application);
    expect(known.state).toEqual(record.state);
    expect(known.versions).toEqual([{ sequence: 1, cause: record.cause, causeKind: 'submitted', state: record.state, marked: false, pending: false }]);
    // An event made it: what it sends is derived from the version, and that event's redelivery sends it again.
    expect((await db().partition('approvals', 'BUNDLE#YJS-S-1')).map((i) => i.sk)).toEqual(['APPLICATION', 'STATE', 'V#000001']);
    expect(await db().get('receipts', receiptKey(record.cause.source, record.cause.id))).toMatchObject({ outcome: 'applied', effect: { id: 'YJS-S-1', version: 1, state: 'IN_PROGRESS' } });
    const audit = (await db().partition('audit', 'AUDIT#application:YJS-S-1'))[0];
    expect(audit?.details).toMatchObject({ version: 'BUNDLE#YJS-S-1/V#000001', status: 'IN_PROGRESS' });

    // Marking a version without an item writes nothing (its condition fails, quietly).
    await store.bundleStore.markBundleSent('YJS-S-1', 1, NOW);
    expect((await db().partition('approvals', 'BUNDLE#YJS-S-1')).map((i) => i.sk)).toEqual(['APPLICATION', 'STATE', 'V#000001']);
  });

  it('stores a later version only over the one it follows', async () => {
    const record = first(application('YJS-S-2'));
    await store.bundleStore.createBundle(record);
    const next = reviewed(record.state, 'r-1');
    expect(await store.bundleStore.storeBundleVersion(next)).toBe('stored');
    // Computed from version 1 again (a concurrent writer): raced.
    expect(await store.bundleStore.storeBundleVersion(reviewed(record.state, 'r-2'))).toBe('raced');
    const known = await store.bundleStore.loadBundle('YJS-S-2');
    expect(known.state).toMatchObject({ status: 'APPROVED', sequence: 2 });
    expect(known.versions.map((v) => [v.sequence, v.cause.id])).toEqual([[1, 'e-YJS-S-2'], [2, 'r-1']]);
  });

  it('records a refusal once', async () => {
    const c = cause('late-1', 'gov.application.materials.supplemented');
    const refusal = { applicationId: 'YJS-S-1', cause: c, at: NOW, code: 'NOT_PENDING_MATERIALS' as const, message: '已办结', audit: refusalAudit('YJS-S-1', c, NOW, 'NOT_PENDING_MATERIALS', '已办结'), receipt: refusalReceipt('YJS-S-1', c, NOW, 'NOT_PENDING_MATERIALS', '已办结')! };
    expect(await store.bundleStore.recordBundleRefusal(refusal)).toBe(true);
    expect(await store.bundleStore.recordBundleRefusal(refusal)).toBe(false);
    expect((await store.bundleStore.loadBundle('YJS-S-1')).refusals).toEqual([expect.objectContaining({ code: 'NOT_PENDING_MATERIALS', cause: c })]);
  });

  it('records a conflicting resubmission once, with its audit line and receipt in the same transaction', async () => {
    const c = cause('again-1');
    const known = await store.bundleStore.loadBundle('YJS-S-1');
    const other = { ...application('YJS-S-1'), form: { enterpriseName: '另一家公司', employees: 0 } };
    const conflict = {
      application: other,
      applicationHash: 'sha256:other',
      storedHash: known.application!.applicationHash,
      cause: c,
      receivedAt: NOW,
      audit: conflictAudit('YJS-S-1', 'sha256:other', known.application!.applicationHash, c, NOW),
      receipt: conflictReceipt('YJS-S-1', 'sha256:other', known.application!.applicationHash, c, NOW),
    };
    expect(await store.bundleStore.recordBundleConflict(conflict)).toBe(true);
    expect(await store.bundleStore.recordBundleConflict(conflict)).toBe(false);
    const after = await store.bundleStore.loadBundle('YJS-S-1');
    expect(after.conflicts).toEqual([{ cause: c, receivedAt: NOW, applicationHash: 'sha256:other', storedHash: known.application!.applicationHash }]);
    // The first submission stands.
    expect(after.application).toEqual(known.application);
    expect(after.state).toEqual(known.state);
    expect(await db().get('receipts', receiptKey(c.source, c.id))).toMatchObject({ outcome: 'refused', kind: 'APPLICATION_CONFLICT' });
    expect((await db().partition('audit', 'AUDIT#application:YJS-S-1')).filter((a) => a.action === 'conflict')).toHaveLength(1);
  });

  it('lists the current versions for the figures, of every bundle or of one', async () => {
    const all = await store.bundleReader.bundleSummaries();
    expect(all.map((s) => [s.applicationId, s.status]).sort()).toEqual([['YJS-S-1', 'IN_PROGRESS'], ['YJS-S-2', 'APPROVED']]);
    expect(await store.bundleReader.bundleSummaries('YJS-CSYJS')).toEqual([]);
    expect((await store.bundleReader.bundleSummaries('YJS-QYKB')).length).toBe(2);
  });

  it('finds bundles past a child\'s supplement deadline and the outboxes of its own versions not yet sent, until they are', async () => {
    const pendingItems = new Map(items);
    pendingItems.set('QYKB-YZKZ', item('QYKB-YZKZ', '印章备案', [ARTICLES, { code: 'M-SEAL-FORM', name: '刻章备案表', declared: true, tolerable: true }]));
    const app = application('YJS-S-3');
    const state = decideBundle(app, { bundle: startUp, items: pendingItems, licences: [], now: NOW, calendar });
    expect(state.status).toBe('ACCEPTED_PENDING_MATERIALS');
    const due = state.children.find((c) => c.itemCode === 'QYKB-YZKZ')?.decision?.supplementDue?.dueAt;
    expect(due).toBeDefined();
    const c = cause('e-YJS-S-3');
    expect(await store.bundleStore.createBundle({ ...first(app), state, audit: bundleAudit(state, c, 'decided', NOW), cause: c })).toBe('stored');

    expect(await deadlines.bundleDeadlinesStore.overdueBundles(due!)).toEqual([]);
    expect(await deadlines.bundleDeadlinesStore.overdueBundles(LATER)).toEqual(['YJS-S-3']);
    // Events' versions (YJS-S-1's, YJS-S-2's two, YJS-S-3's first) have no outbox item: none is listed.
    const unsent = async () => (await deadlines.bundleDeadlinesStore.unsentBundleOutboxes('2027-01-01T00:00:00.000Z')).map((r) => `${r.applicationId}#${r.sequence}`).sort();
    expect(await unsent()).toEqual([]);
    expect((await store.bundleStore.loadBundle('YJS-S-2')).versions.map((v) => [v.marked, v.pending])).toEqual([[false, false], [false, false]]);
    expect(await db().get('approvals', { pk: 'BUNDLE#YJS-S-3', sk: 'OUTBOX#V#000001' })).toBeUndefined();

    // The schedule's own version (a child terminated at its deadline) is listed until it is sent.
    const terminated = terminateMissedSupplements(state, { bundle: startUp, items: pendingItems, licences: [], now: LATER, calendar }, 0);
    expect(terminated?.status).toBe('TERMINATED');
    const s = { source: '/civicflow/approval-deadlines', id: 'bundle-supplement-deadline:YJS-S-3:1', type: 'civicflow.schedule.approval-deadlines' };
    expect(await store.bundleStore.storeBundleVersion({ state: terminated!, cause: s, causeKind: 'supplementDeadline', audit: bundleAudit(terminated!, s, 'supplementDeadline:TERMINATED', LATER) })).toBe('stored');
    expect(await deadlines.bundleDeadlinesStore.overdueBundles(LATER)).toEqual([]);
    expect(await deadlines.bundleDeadlinesStore.unsentBundleOutboxes(terminated!.updatedAt)).toEqual([]);
    expect(await unsent()).toEqual(['YJS-S-3#2']);
    expect((await store.bundleStore.loadBundle('YJS-S-3')).versions.map((v) => [v.marked, v.pending])).toEqual([[false, false], [true, true]]);
    await store.bundleStore.markBundleSent('YJS-S-3', 2, LATER);
    expect(await unsent()).toEqual([]);
    expect((await store.bundleStore.loadBundle('YJS-S-3')).versions.map((v) => [v.marked, v.pending])).toEqual([[false, false], [true, false]]);
    const sent = await db().get('approvals', { pk: 'BUNDLE#YJS-S-3', sk: 'OUTBOX#V#000002' });
    expect(sent).toMatchObject({ sentAt: LATER });
    expect(sent).not.toHaveProperty('duePk');
    expect(sent).not.toHaveProperty('pending');
  });

  it('indexes a child\'s verification due date, and no supplement deadline of a final bundle', async () => {
    // The licence on commitment (5 working days to verify); the seal (required) rejected; the invoice pending a tolerable material.
    const mixed = new Map(items);
    mixed.set('QYKB-SLDJ', item('QYKB-SLDJ', '营业执照', [ARTICLES], { mode: 'commitment', verificationDays: 5, version: 61 }));
    mixed.set('QYKB-YZKZ', item('QYKB-YZKZ', '印章备案', [ARTICLES], { version: 61, rules: { id: 'R-S-SEAL', description: '刻制印章不超过5枚', fact: 'form.seals', op: 'lte', value: 5 } }));
    mixed.set('QYKB-FPSL', item('QYKB-FPSL', '发票领用', [ARTICLES, { code: 'M-TAX', name: '税务登记表', declared: true, tolerable: true }], { version: 61 }));
    const app = { ...application('YJS-S-4'), form: { enterpriseName: '某某公司', employees: 0, seals: 9 }, answers: { needsInvoice: true, hiresStaff: false }, commitment: { signedAt: NOW } };
    const state = decideBundle(app, { bundle: startUp, items: mixed, licences: [], now: NOW, calendar });
    expect(state.status).toBe('REJECTED');
    const outcome = (code: string) => state.children.find((c) => c.itemCode === code)?.decision;
    expect(outcome('QYKB-FPSL')?.outcome).toBe('ACCEPTED_PENDING_MATERIALS');
    const verificationDue = outcome('QYKB-SLDJ')?.verificationDue?.dueAt;
    expect(outcome('QYKB-SLDJ')?.outcome).toBe('APPROVED_ON_COMMITMENT');
    const c = cause('e-YJS-S-4');
    expect(await store.bundleStore.createBundle({ ...first(app), state, audit: bundleAudit(state, c, 'decided', NOW), cause: c })).toBe('stored');
    // Indexed under the verification due date; the invoice's supplement deadline (earlier) no longer counts.
    expect(await db().get('approvals', { pk: 'BUNDLE#YJS-S-4', sk: 'STATE' })).toMatchObject({ duePk: 'DUE#BUNDLE', dueAt: verificationDue });
    expect(await deadlines.bundleDeadlinesStore.overdueBundles(outcome('QYKB-FPSL')!.supplementDue!.dueAt.replace(/Z$/, '1Z'))).not.toContain('YJS-S-4');
    expect(await deadlines.bundleDeadlinesStore.overdueBundles(LATER)).toContain('YJS-S-4');
  });

  it('moves or removes an entry that no longer says what is due, only over the version it was read from', async () => {
    const record = first(application('YJS-S-5'));
    expect(await store.bundleStore.createBundle(record)).toBe('stored');
    // As a version written before left it: a final bundle's pending child kept it under the old partition.
    const key = { pk: 'BUNDLE#YJS-S-5', sk: 'STATE' };
    await db().doc.send(new PutCommand({ TableName: db().tables.approvals, Item: { ...(await db().get('approvals', key)), duePk: 'DUE#BUNDLE_SUPPLEMENT', dueAt: NOW } }));
    expect(await deadlines.bundleDeadlinesStore.overdueBundles(LATER)).toContain('YJS-S-5');
    // Another version was stored meanwhile: nothing changes.
    await deadlines.bundleDeadlinesStore.reindexBundleDue('YJS-S-5', 7, undefined);
    expect(await db().get('approvals', key)).toMatchObject({ duePk: 'DUE#BUNDLE_SUPPLEMENT' });
    await deadlines.bundleDeadlinesStore.reindexBundleDue('YJS-S-5', 1, LATER);
    expect(await db().get('approvals', key)).toMatchObject({ duePk: 'DUE#BUNDLE', dueAt: LATER });
    expect(await deadlines.bundleDeadlinesStore.overdueBundles(LATER)).not.toContain('YJS-S-5');
    await deadlines.bundleDeadlinesStore.reindexBundleDue('YJS-S-5', 1, undefined);
    const cleared = await db().get('approvals', key);
    expect(cleared).not.toHaveProperty('duePk');
    expect(cleared).not.toHaveProperty('dueAt');
    expect(cleared).toMatchObject({ sequence: 1, kind: 'bundleState' });
  });

  it('reads an outbox item an event\'s version was written with before, a marker or one holding what it sent', async () => {
    expect(await store.bundleStore.createBundle(first(application('YJS-S-00')))).toBe('stored');
    await db().doc.send(new PutCommand({ TableName: db().tables.approvals, Item: { pk: 'BUNDLE#YJS-S-00', sk: 'OUTBOX#V#000001', kind: 'outbox', pending: true } }));
    expect((await store.bundleStore.loadBundle('YJS-S-00')).versions).toEqual([expect.objectContaining({ sequence: 1, marked: true, pending: true })]);
    expect((await store.bundleStore.loadBundle('YJS-S-00')).versions[0]).not.toHaveProperty('outbox');
    await store.bundleStore.markBundleSent('YJS-S-00', 1, NOW);
    expect((await store.bundleStore.loadBundle('YJS-S-00')).versions[0]).toMatchObject({ marked: true, pending: false });

    const record = first(application('YJS-S-0'));
    expect(await store.bundleStore.createBundle(record)).toBe('stored');
    const stored = { outbound: [{ type: 'gov.application.bundle.decided', id: 'old-form', subject: 'YJS-S-0', time: NOW, data: {} }], effects: [] };
    await db().doc.send(new PutCommand({ TableName: db().tables.approvals, Item: { pk: 'BUNDLE#YJS-S-0', sk: 'OUTBOX#V#000001', kind: 'outbox', outbox: JSON.stringify(stored), pending: true } }));
    expect((await store.bundleStore.loadBundle('YJS-S-0')).versions).toEqual([expect.objectContaining({ sequence: 1, outbox: stored, marked: true, pending: true })]);
    await store.bundleStore.markBundleSent('YJS-S-0', 1, NOW);
    expect((await store.bundleStore.loadBundle('YJS-S-0')).versions[0]?.pending).toBe(false);
  });

  it('says which ids a bundle application holds (its STATE, read strongly consistent), and records a single item under one as its conflict', async () => {
    await store.bundleStore.createBundle(first(application('YJS-HELD-1')));
    expect(await store.bundleStore.heldBundleIds([])).toEqual(new Set());
    expect(await store.bundleStore.heldBundleIds(['YJS-HELD-1', 'YJS-HELD-NONE', 'YJS-HELD-1'])).toEqual(new Set(['YJS-HELD-1']));
    // A single-item application's DECISION is no bundle's.
    await db().doc.send(new PutCommand({ TableName: db().tables.approvals, Item: { pk: 'APP#YJS-HELD-2', sk: 'DECISION', sequence: 1 } }));
    expect(await store.bundleStore.heldBundleIds(['YJS-HELD-2'])).toEqual(new Set());

    const c = cause('single-under-bundle-1');
    const single = weatherApp({ applicationId: 'YJS-HELD-1' });
    const kinds = { submittedAs: 'item', heldAs: 'bundle' } as const;
    const conflict = {
      application: single,
      applicationHash: 'sha256:single',
      storedHash: 'h',
      cause: c,
      receivedAt: NOW,
      audit: conflictAudit('YJS-HELD-1', 'sha256:single', 'h', c, NOW, kinds),
      receipt: conflictReceipt('YJS-HELD-1', 'sha256:single', 'h', c, NOW, kinds),
    };
    expect(await store.bundleStore.recordBundleConflict(conflict)).toBe(true);
    expect(await store.bundleStore.recordBundleConflict(conflict)).toBe(false);
    expect((await store.bundleStore.loadBundle('YJS-HELD-1')).conflicts).toEqual([{ cause: c, receivedAt: NOW, applicationHash: 'sha256:single', storedHash: 'h' }]);
    expect(await db().get('receipts', receiptKey(c.source, c.id))).toMatchObject({ outcome: 'refused', kind: 'APPLICATION_CONFLICT', details: { submittedAs: 'item', heldAs: 'bundle' } });
  });
});
