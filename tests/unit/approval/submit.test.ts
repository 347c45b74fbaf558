/**
 * submitApplication over in-memory ports: a new application is decided without reading its case first,
 * written once (no outbox item: what it sends is derived from its version), then sent; a redelivery sends
 * the same messages again (even after a crash between write and send); a redelivery, a resubmission or a
 * conflict decides nothing new.
 */
import { weatherApp } from './fixtures';
import { approvalWorld, portal } from './service-fixtures';

const APP = weatherApp();
const ID = APP.applicationId;

let w: ReturnType<typeof approvalWorld>;
beforeEach(() => {
  w = approvalWorld();
});

const outbound = () => w.messenger.outbound.map((e) => e.id);
const versions = () => w.store.cases.get(ID)?.versions ?? [];
const decisionsCounted = () => w.telemetry.points.filter((p) => p.name === 'Decisions').length;

describe('submitApplication', () => {
  it('decides a new application without reading its case first: the facts, the create-once write, no outbox item', async () => {
    await w.approval.submitApplication(APP, portal('e-1'));

    expect(w.registry.calls).toEqual(['applicationFacts']);
    expect(w.store.calls).toEqual(['createFirstDecision']);
    expect(outbound()).toEqual([`decision:${ID}:1`]);
    expect(w.messenger.internal.map((e) => [e.type, e.id])).toEqual([['civicflow.case.opened', `case-opened:${ID}`]]);
    expect(versions()).toHaveLength(1);
    expect(w.store.pending(ID)).toBeUndefined();
    // The facts reached the decision: the e-licence waived the ID material.
    expect(versions()[0]!.decision.materialsWaived).toEqual(['ID']);
    // Written with its audit line and its event's receipt; counted and logged once.
    expect(w.store.audit.map((a) => [a.action, a.causeId])).toEqual([['decided:APPROVED', '/gov/portal#e-1']]);
    expect(w.store.receipts.get('/gov/portal#e-1')).toMatchObject({ outcome: 'applied', effect: { id: ID, version: 1, state: 'APPROVED' } });
    expect(decisionsCounted()).toBe(1);
    expect(w.telemetry.lines.map((l) => l.message)).toEqual(['decision']);
  });

  it('sends version 1 on a redelivery after a crash between the write and the send, deciding nothing new', async () => {
    w.messenger.failNext('publish', new Error('outbound queue unreachable'));
    await expect(w.approval.submitApplication(APP, portal('e-1'))).rejects.toThrow('outbound queue unreachable');
    expect(outbound()).toEqual([]);
    expect(versions()).toHaveLength(1);

    w.store.calls.length = 0;
    w.registry.calls.length = 0;
    await w.approval.submitApplication(APP, portal('e-1'));

    expect(w.registry.calls).toEqual(['applicationFacts']);
    expect(w.store.calls).toEqual(['createFirstDecision', 'loadCase']); // the create found the application
    expect(outbound()).toEqual([`decision:${ID}:1`]);
    // The review case went out before the publish failed, and again with it: one id, opened once by its receiver.
    expect(w.messenger.internal.map((e) => e.id)).toEqual([`case-opened:${ID}`, `case-opened:${ID}`]);
    expect(versions()).toHaveLength(1);
    expect(decisionsCounted()).toBe(1);
  });

  it('sends the same messages again on a redelivery (receivers de-duplicate on their ids); a resubmission under another id sends nothing and gets a DUPLICATE receipt', async () => {
    await w.approval.submitApplication(APP, portal('e-1'));
    const stored = structuredClone(w.store.cases);
    await w.approval.submitApplication(APP, portal('e-1'));
    await w.approval.submitApplication(APP, portal('e-2')); // the same content resubmitted under another event id

    expect(outbound()).toEqual([`decision:${ID}:1`, `decision:${ID}:1`]);
    expect(w.messenger.outbound[1]).toEqual(w.messenger.outbound[0]);
    expect(w.messenger.internal.map((e) => e.id)).toEqual([`case-opened:${ID}`, `case-opened:${ID}`]);
    expect(w.store.cases).toEqual(stored);
    expect(w.store.receipts.get('/gov/portal#e-1')).toMatchObject({ outcome: 'applied' });
    expect(w.store.receipts.get('/gov/portal#e-2')).toMatchObject({ outcome: 'noEffect', kind: 'DUPLICATE', effect: { id: ID } });
    expect(decisionsCounted()).toBe(1);
  });

  it('sends an outbox item stored before first decisions stopped keeping one while it is pending, marks it, then sends it no more', async () => {
    w.messenger.failNext('publish', new Error('outbound queue unreachable'));
    await expect(w.approval.submitApplication(APP, portal('e-1'))).rejects.toThrow('outbound queue unreachable');
    const decision = versions()[0]!.decision;
    const legacy = { outbound: [{ type: 'gov.application.decided' as const, id: `decision:${ID}:1`, subject: ID, time: decision.updatedAt, data: { stored: 'as written then' } }], effects: decision.effects };
    w.store.legacyOutbox(ID, 1, legacy);

    await w.approval.submitApplication(APP, portal('e-2')); // another event id: sent, as before, since it was pending
    expect(w.messenger.outbound).toEqual(legacy.outbound);
    expect(w.store.pending(ID)).toBe(false);

    await w.approval.submitApplication(APP, portal('e-1')); // the redelivery: its item says sent
    expect(w.messenger.outbound).toEqual(legacy.outbound);
    expect(w.messenger.internal.map((e) => e.id)).toEqual([`case-opened:${ID}`, `case-opened:${ID}`]); // the crashed attempt's, the item's
  });

  it('records other content under the same id as a conflict, once, and leaves the first decision standing', async () => {
    await w.approval.submitApplication(APP, portal('e-1'));
    const decision = structuredClone(versions()[0]!.decision);
    const other = weatherApp({ form: { weatherDate: '2026-11-11', purpose: '司法诉讼' } });
    await w.approval.submitApplication(other, portal('e-9'));
    await w.approval.submitApplication(other, portal('e-9'));

    expect(w.store.cases.get(ID)!.conflicts.map((c) => c.cause.id)).toEqual(['e-9']);
    expect(versions().map((v) => v.decision)).toEqual([decision]);
    expect(outbound()).toEqual([`decision:${ID}:1`]);
    expect(w.store.receipts.get('/gov/portal#e-9')).toMatchObject({ outcome: 'refused', kind: 'APPLICATION_CONFLICT' });
    expect(w.store.audit.filter((a) => a.action === 'conflict')).toHaveLength(1);
    expect(w.telemetry.lines.filter((l) => l.message === 'application conflict')).toHaveLength(1);
    // Each line names the system that posted its event, under the key every capability's lines use.
    expect(w.store.audit.map((a) => [a.action, a.details?.source])).toEqual([
      ['decided:APPROVED', '/gov/portal'],
      ['conflict', '/gov/portal'],
    ]);
  });

  it('throws when the write fails for any other reason than an existing application, and decides on the retry', async () => {
    // (Which cancelled transactions mean "exists" is the store's to say: tests/adapter/approval-store.test.ts.)
    w.store.failNext('createFirstDecision', new Error('TransactionConflict'));
    await expect(w.approval.submitApplication(APP, portal('e-1'))).rejects.toThrow('TransactionConflict');
    expect(w.store.calls).not.toContain('loadCase');
    expect(outbound()).toEqual([]);
    expect(decisionsCounted()).toBe(0);

    await w.approval.submitApplication(APP, portal('e-1'));
    expect(outbound()).toEqual([`decision:${ID}:1`]);
  });
});
