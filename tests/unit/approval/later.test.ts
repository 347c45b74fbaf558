/**
 * Later events over in-memory ports: a supplement re-decides a 容缺 case under the item version it was
 * accepted under; a verification report closes or revokes an approval on commitment; an event the state
 * does not allow is refused and recorded once; a supplement that overtook its submission is retried.
 */
import { jest } from '@jest/globals';
import { createApprovalService } from '#approval/service';
import { MemoryBundleStore, MemoryCatalogue } from '#support/memory/bundle';
import { criminalApp, posterApp } from './fixtures';
import { approvalWorld, portal } from './service-fixtures';

let w: ReturnType<typeof approvalWorld>;
beforeEach(() => {
  w = approvalWorld();
});
afterEach(() => jest.restoreAllMocks());

const SUPPLEMENTED = 'gov.application.materials.supplemented';
const VERIFIED = 'gov.application.verification.reported';
const pendingPoster = posterApp({ materials: [{ code: 'APPLY', provided: true }] });
const ID = pendingPoster.applicationId;
const current = (id = ID) => w.store.cases.get(id)?.versions.at(-1)?.decision;

async function accepted(): Promise<void> {
  await w.approval.submitApplication(pendingPoster, portal('s-1'));
  expect(current()?.outcome).toBe('ACCEPTED_PENDING_MATERIALS');
  w.store.calls.length = 0;
  w.registry.calls.length = 0;
}

describe('supplementMaterials', () => {
  it('re-decides a pending case on the accepted item version and today\'s facts, and sends the new version', async () => {
    await accepted();
    w.clock.set('2026-11-19T02:00:00.000Z');
    await w.approval.supplementMaterials(ID, [{ code: 'SAMPLE', provided: true }], portal('m-1', SUPPLEMENTED), 1);

    expect(current()).toMatchObject({ outcome: 'APPROVED', sequence: 2, decidedAt: '2026-11-19T02:00:00.000Z' });
    expect(w.registry.calls).toEqual(['itemVersion', 'applicantFacts']);
    expect(w.store.calls).toEqual(['loadCase', 'storeTransition']);
    expect(w.messenger.outbound.map((e) => e.id)).toEqual([`decision:${ID}:1`, `decision:${ID}:2`]);
    expect(w.messenger.internal.map((e) => e.id)).toEqual([`case-opened:${ID}`]);
    expect(w.store.receipts.get('/gov/portal#m-1')).toMatchObject({ outcome: 'applied', effect: { version: 2, state: 'APPROVED' } });
    expect(w.telemetry.points.filter((p) => p.name === 'InstantApprovals')).toHaveLength(1);
  });

  it('reads no bundle application for a single item\'s supplement, and looks for one only when no single item has the id', async () => {
    const bundles = new MemoryBundleStore();
    const approval = createApprovalService(w.ports, { bundles, catalogue: new MemoryCatalogue([], []) });
    await approval.submitApplication(pendingPoster, portal('s-1'));
    await approval.supplementMaterials(ID, [{ code: 'SAMPLE', provided: true }], portal('m-1', SUPPLEMENTED), 1);
    expect(current()).toMatchObject({ outcome: 'APPROVED', sequence: 2 });
    expect(bundles.loads).toBe(0);
    // Neither a single item nor a bundle: refused as unknown once retried enough, the bundle looked for.
    await approval.supplementMaterials('NO-SUCH', [{ code: 'SAMPLE', provided: true }], portal('m-2', SUPPLEMENTED), 3);
    expect(bundles.loads).toBe(1);
    expect(w.store.receipts.get('/gov/portal#m-2')).toMatchObject({ outcome: 'refused', kind: 'APPLICATION_UNKNOWN' });
  });

  it('decides nothing new on a redelivery, and sends what a crash left unsent (again on each redelivery, same id)', async () => {
    await accepted();
    w.messenger.failNext('publish', new Error('outbound queue unreachable'));
    await expect(w.approval.supplementMaterials(ID, [{ code: 'SAMPLE', provided: true }], portal('m-1', SUPPLEMENTED), 1)).rejects.toThrow();
    expect(w.messenger.outbound.map((e) => e.id)).toEqual([`decision:${ID}:1`]);

    await w.approval.supplementMaterials(ID, [{ code: 'SAMPLE', provided: true }], portal('m-1', SUPPLEMENTED), 2);
    await w.approval.supplementMaterials(ID, [{ code: 'SAMPLE', provided: true }], portal('m-1', SUPPLEMENTED), 3);
    expect(w.store.cases.get(ID)!.versions).toHaveLength(2);
    expect(w.store.pending(ID, 2)).toBeUndefined();
    expect(w.messenger.outbound.map((e) => e.id)).toEqual([`decision:${ID}:1`, `decision:${ID}:2`, `decision:${ID}:2`]);
    expect(w.store.calls.filter((c) => c === 'storeTransition')).toHaveLength(1);
  });

  it('refuses a supplement for a case that is not pending, once, with its receipt', async () => {
    await w.approval.submitApplication(posterApp({ applicationId: 'APP-OK' }), portal('s-2'));
    expect(current('APP-OK')?.outcome).toBe('APPROVED');
    for (const receives of [1, 2]) await w.approval.supplementMaterials('APP-OK', [{ code: 'SAMPLE', provided: true }], portal('m-2', SUPPLEMENTED), receives);

    expect(w.store.cases.get('APP-OK')!.refusals.map((r) => r.code)).toEqual(['NOT_PENDING_MATERIALS']);
    expect(w.store.receipts.get('/gov/portal#m-2')).toMatchObject({ outcome: 'refused', kind: 'NOT_PENDING_MATERIALS' });
    expect(w.store.audit.filter((a) => a.action === 'refused:NOT_PENDING_MATERIALS').map((a) => a.details?.source)).toEqual(['/gov/portal']);
    expect(w.telemetry.lines.filter((l) => l.message === 'event refused')).toHaveLength(1);
    // A refused supplement reads no facts: nothing it could find would change the answer.
    expect(w.registry.calls).not.toContain('applicantFacts');
  });

  it('retries a supplement that overtook its submission, then records the application as unknown', async () => {
    const cause = portal('m-3', SUPPLEMENTED);
    await expect(w.approval.supplementMaterials('APP-LATER', [{ code: 'SAMPLE', provided: true }], cause, 1)).rejects.toThrow(/not known yet/);
    await expect(w.approval.supplementMaterials('APP-LATER', [{ code: 'SAMPLE', provided: true }], cause, 2)).rejects.toThrow(/not known yet/);
    await w.approval.supplementMaterials('APP-LATER', [{ code: 'SAMPLE', provided: true }], cause, 3);
    expect(w.store.cases.get('APP-LATER')!.refusals.map((r) => r.code)).toEqual(['APPLICATION_UNKNOWN']);
  });

  it('reloads and decides again when another writer changed the case first', async () => {
    await accepted();
    jest.spyOn(w.store, 'storeTransition').mockResolvedValueOnce('raced');
    await w.approval.supplementMaterials(ID, [{ code: 'SAMPLE', provided: true }], portal('m-1', SUPPLEMENTED), 1);
    expect(w.store.calls.filter((c) => c === 'loadCase')).toHaveLength(2);
    expect(current()).toMatchObject({ outcome: 'APPROVED', sequence: 2 });
    expect(w.telemetry.points.filter((p) => p.name === 'InstantApprovals')).toHaveLength(1);
  });
});

describe('reportVerification', () => {
  it('an untruthful report revokes the approval and sends the credit mark to the registry', async () => {
    await w.approval.submitApplication(criminalApp(), portal('s-4'));
    expect(current('APP-GA-1')?.outcome).toBe('APPROVED_ON_COMMITMENT');
    await w.approval.reportVerification('APP-GA-1', { truthful: false, note: '用途说明与事实不符' }, portal('v-1', VERIFIED), 1);

    expect(current('APP-GA-1')).toMatchObject({ outcome: 'REVOKED', sequence: 2 });
    expect(w.messenger.internal.map((e) => e.type)).toEqual(['civicflow.case.opened', 'civicflow.credit.marked']);
    expect(w.messenger.outbound.map((e) => e.type)).toEqual(['gov.application.decided', 'gov.application.revoked']);
    // The mark names the report that found the commitment untruthful: the re-match it asks for names its system.
    expect(w.messenger.internal[1]!.data).toMatchObject({ kind: 'falseCommitment', applicationId: 'APP-GA-1', cause: { source: '/gov/portal', id: 'v-1', type: VERIFIED } });
  });

  it('a second report is refused and the first stands', async () => {
    await w.approval.submitApplication(criminalApp(), portal('s-4'));
    await w.approval.reportVerification('APP-GA-1', { truthful: true, note: '属实' }, portal('v-1', VERIFIED), 1);
    await w.approval.reportVerification('APP-GA-1', { truthful: false, note: '不实' }, portal('v-2', VERIFIED), 1);
    expect(current('APP-GA-1')).toMatchObject({ outcome: 'APPROVED_ON_COMMITMENT', verification: { truthful: true } });
    expect(w.store.cases.get('APP-GA-1')!.refusals.map((r) => [r.cause.id, r.code])).toEqual([['v-2', 'ALREADY_VERIFIED']]);
  });
});
