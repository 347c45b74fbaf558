/**
 * The deadlines schedule on bundle applications over in-memory ports: a child still
 * pending materials after its supplement deadline is TERMINATED, its follower is not started and the
 * roll-up recomputed, in one version sent once; a rerun changes nothing; a supplement after the deadline
 * is refused SUPPLEMENT_TOO_LATE; the outbox of the schedule's own version that a crash left unsent is
 * sent by the sweep, once; an event's is left to that event's redelivery.
 */
import { createApprovalService, createDeadlinesService } from '#approval/service';
import { memoryApproval } from '#support/memory/approval';
import { MemoryBundleStore, MemoryCatalogue } from '#support/memory/bundle';
import { calendar } from '../fixtures';
import { ARTICLES, SEAL_FORM, cause, item, startUp, startUpApplication, startUpItems } from './fixtures';

const NOW = '2026-11-18T02:00:00.000Z';
const LATER = '2026-11-30T02:00:00.000Z';
// The seal item waits for its form, which the application does not give.
const items = startUpItems(item('QYKB-YZKZ', '印章备案', [ARTICLES, SEAL_FORM]));
const app = startUpApplication('YJS-D-1', NOW, { answers: { needsInvoice: false, hiresStaff: false } });

function world(receiptGraceMs = 0) {
  const w = memoryApproval({ now: NOW, calendar });
  const bundles = new MemoryBundleStore();
  const extras = { bundles, catalogue: new MemoryCatalogue([startUp], items) };
  const approval = createApprovalService(w.ports, extras);
  const deadlines = createDeadlinesService({ ...w.ports, receiptGraceMs }, { ...extras, registry: w.ports.registry, calendar: w.ports.calendar });
  return { ...w, bundles, approval, deadlines };
}

const childState = (w: ReturnType<typeof world>, code: string) => w.bundles.cases.get('YJS-D-1')?.state?.children.find((c) => c.itemCode === code)?.state;

describe('the deadlines schedule on bundle applications', () => {
  it('terminates a child past its supplement deadline, once, and recomputes the roll-up', async () => {
    const w = world();
    await w.approval.submitBundle(app, cause('s-1'));
    const first = (await w.bundles.loadBundle('YJS-D-1')).state;
    expect(first?.status).toBe('ACCEPTED_PENDING_MATERIALS');
    expect(childState(w, 'QYKB-YZKZ')).toMatchObject({ kind: 'decided', outcome: 'ACCEPTED_PENDING_MATERIALS' });
    expect(childState(w, 'QYKB-YHKH')).toEqual({ kind: 'waiting', for: ['QYKB-YZKZ'] });

    // Before the deadline the schedule leaves it alone.
    expect(await w.deadlines.runDeadlines()).toMatchObject({ bundlesTerminated: 0 });
    const sent = w.messenger.outbound.length;

    w.clock.set(LATER);
    expect(await w.deadlines.runDeadlines()).toMatchObject({ bundlesTerminated: 1, terminated: 0 });
    const known = await w.bundles.loadBundle('YJS-D-1');
    expect(known.state).toMatchObject({ status: 'TERMINATED', sequence: 2, changedChildren: ['QYKB-YZKZ'] });
    expect(known.state?.reasons[0]).toMatchObject({ code: 'REQUIRED_CHILD_TERMINATED' });
    expect(childState(w, 'QYKB-YZKZ')).toMatchObject({ kind: 'decided', outcome: 'TERMINATED' });
    expect(childState(w, 'QYKB-YHKH')).toMatchObject({ kind: 'notStarted', predecessor: 'QYKB-YZKZ', predecessorState: 'TERMINATED' });
    const child = known.state?.children.find((c) => c.itemCode === 'QYKB-YZKZ')?.decision;
    expect(child?.reasons.map((r) => r.code)).toEqual(['SUPPLEMENT_DEADLINE_MISSED']);
    expect(known.versions[1]).toMatchObject({ causeKind: 'supplementDeadline', pending: false });
    // One event for the terminated child, one for the bundle; an audit line for the version.
    expect(w.messenger.outbound.slice(sent).map((e) => e.id)).toEqual(['terminated:YJS-D-1:QYKB-YZKZ:2', 'bundle-decision:YJS-D-1:2']);
    expect(w.messenger.outbound[sent]?.data).toMatchObject({ outcome: 'TERMINATED', bundleApplicationId: 'YJS-D-1' });
    expect(w.bundles.audit.at(-1)).toMatchObject({ action: 'supplementDeadline:TERMINATED', subject: 'application:YJS-D-1' });
    // 办不成事 hears of the terminated child (it offers a case on it), by the child's own id.
    expect(w.messenger.internal.filter((e) => e.type === 'civicflow.application.decided').map((e) => e.data)).toEqual([
      expect.objectContaining({ applicationId: 'YJS-D-1:QYKB-YZKZ', itemCode: 'QYKB-YZKZ', outcome: 'TERMINATED', sequence: 2 }),
    ]);

    // A rerun (or an overlapping run) changes nothing and sends nothing.
    expect(await w.deadlines.runDeadlines()).toMatchObject({ bundlesTerminated: 0, resent: 0 });
    expect(w.messenger.outbound).toHaveLength(sent + 2);
  });

  it('refuses a supplement after a child\'s deadline SUPPLEMENT_TOO_LATE, once', async () => {
    const w = world();
    await w.approval.submitBundle(app, cause('s-1'));
    w.clock.set(LATER);
    const late = cause('l-1', 'gov.application.materials.supplemented');
    await w.approval.supplementMaterials('YJS-D-1', [{ code: 'M-SEAL-FORM', provided: true }], late, 1);
    await w.approval.supplementMaterials('YJS-D-1', [{ code: 'M-SEAL-FORM', provided: true }], late, 1);
    const known = await w.bundles.loadBundle('YJS-D-1');
    expect(known.refusals).toEqual([expect.objectContaining({ code: 'SUPPLEMENT_TOO_LATE' })]);
    expect(known.refusals[0]?.message).toContain('QYKB-YZKZ');
    expect(known.state).toMatchObject({ status: 'ACCEPTED_PENDING_MATERIALS', sequence: 1 });
  });

  it('waits its grace after a child\'s deadline: a supplement received in time and processed after it serves the child', async () => {
    const GRACE = 75 * 60_000;
    const w = world(GRACE);
    await w.approval.submitBundle(app, cause('s-1'));
    await w.approval.submitBundle({ ...app, applicationId: 'YJS-D-2' }, cause('s-2'));
    const dueAt = (await w.bundles.loadBundle('YJS-D-1')).state!.children.find((c) => c.itemCode === 'QYKB-YZKZ')!.decision!.supplementDue!.dueAt;
    const at = (ms: number) => new Date(Date.parse(dueAt) + ms).toISOString();
    // Both supplements received at ingest a minute before the deadline, still queued when it passes.
    const receivedAt = at(-60_000);
    w.clock.set(at(GRACE));
    expect(await w.deadlines.runDeadlines()).toMatchObject({ bundlesTerminated: 0 });

    const supplied = cause('g-1', 'gov.application.materials.supplemented');
    await w.approval.supplementMaterials('YJS-D-1', [{ code: 'M-SEAL-FORM', provided: true }], supplied, 1, {}, receivedAt);
    const served = await w.bundles.loadBundle('YJS-D-1');
    expect(served.refusals).toEqual([]);
    expect(served.state).toMatchObject({ status: 'APPROVED', sequence: 2 });
    expect(childState(w, 'QYKB-YZKZ')).toMatchObject({ kind: 'decided', outcome: 'APPROVED' });

    // The other one's is held up past the grace: the schedule terminates the child (the bundle with it), and
    // the supplement is refused with its own code.
    w.clock.set(at(GRACE + 1));
    expect(await w.deadlines.runDeadlines()).toMatchObject({ bundlesTerminated: 1 });
    await w.approval.supplementMaterials('YJS-D-2', [{ code: 'M-SEAL-FORM', provided: true }], cause('g-2', 'gov.application.materials.supplemented'), 1, {}, receivedAt);
    const held = await w.bundles.loadBundle('YJS-D-2');
    expect(held.state).toMatchObject({ status: 'TERMINATED', sequence: 2 });
    expect(held.refusals).toEqual([expect.objectContaining({ code: 'SUPPLEMENT_IN_TIME_AFTER_TERMINATION', message: expect.stringContaining('QYKB-YZKZ') })]);
  });

  it('neither lists nor rewrites a bundle due only on a supplement deadline while its grace runs, then terminates it once', async () => {
    const GRACE = 75 * 60_000;
    const w = world(GRACE);
    await w.approval.submitBundle(app, cause('s-1'));
    const dueAt = (await w.bundles.loadBundle('YJS-D-1')).state!.children.find((c) => c.itemCode === 'QYKB-YZKZ')!.decision!.supplementDue!.dueAt;
    const at = (ms: number) => new Date(Date.parse(dueAt) + ms).toISOString();
    // A supplement received after the deadline and refused: the bundle is as it was, due on that deadline only.
    w.clock.set(at(60_000));
    await w.approval.supplementMaterials('YJS-D-1', [{ code: 'M-SEAL-FORM', provided: true }], cause('l-1', 'gov.application.materials.supplemented'), 1);
    expect((await w.bundles.loadBundle('YJS-D-1')).refusals).toEqual([expect.objectContaining({ code: 'SUPPLEMENT_TOO_LATE' })]);
    const listed: string[][] = [];
    const writes: string[] = [];
    const list = w.bundles.overdueBundles.bind(w.bundles);
    w.bundles.overdueBundles = async (before) => {
      const ids = await list(before);
      listed.push(ids);
      return ids;
    };
    const store = w.bundles.storeBundleVersion.bind(w.bundles);
    w.bundles.storeBundleVersion = async (r) => {
      writes.push(`version ${r.state.sequence}`);
      return store(r);
    };
    w.bundles.reindexBundleDue = async (...args: unknown[]) => void writes.push(`reindex ${args.join(' ')}`);
    const mark = w.bundles.markBundleSent.bind(w.bundles);
    w.bundles.markBundleSent = async (id: string, sequence: number) => {
      writes.push(`sent ${sequence}`);
      return mark(id, sequence);
    };
    // A run every quarter of an hour through the grace: nothing listed, nothing written.
    for (let ms = 2 * 60_000; ms <= GRACE; ms += 15 * 60_000) {
      w.clock.set(at(ms));
      expect(await w.deadlines.runDeadlines()).toMatchObject({ bundlesTerminated: 0, failed: 0 });
    }
    w.clock.set(at(GRACE));
    expect(await w.deadlines.runDeadlines()).toMatchObject({ bundlesTerminated: 0 });
    expect(listed.every((ids) => ids.length === 0)).toBe(true);
    expect(writes).toEqual([]);
    // Past it: one version, marked sent; later runs write nothing more.
    w.clock.set(at(GRACE + 1));
    expect(await w.deadlines.runDeadlines()).toMatchObject({ bundlesTerminated: 1 });
    w.clock.set(at(GRACE + 15 * 60_000));
    expect(await w.deadlines.runDeadlines()).toMatchObject({ bundlesTerminated: 0, resent: 0 });
    expect(writes).toEqual(['version 2', 'sent 2']);
  });

  /** The optional invoice item tolerates its form for 1 working day, the seal item for 5: their deadlines differ. */
  async function twoDeadlines(receiptGraceMs = 0) {
    const INVOICE_FORM = { code: 'M-INV-FORM', name: '发票申领表', declared: true, tolerable: true };
    const w = memoryApproval({ now: NOW, calendar });
    const bundles = new MemoryBundleStore();
    const catalogue = new MemoryCatalogue(
      [startUp],
      startUpItems(item('QYKB-YZKZ', '印章备案', [ARTICLES, SEAL_FORM], { promisedDays: 5 }), item('QYKB-FPSL', '发票领用', [ARTICLES, INVOICE_FORM], { promisedDays: 1 })),
    );
    const approval = createApprovalService(w.ports, { bundles, catalogue });
    const deadlines = createDeadlinesService({ ...w.ports, receiptGraceMs }, { bundles, catalogue, registry: w.ports.registry, calendar: w.ports.calendar });
    await approval.submitBundle({ ...app, answers: { needsInvoice: true, hiresStaff: false } }, cause('s-1'));
    return { w, bundles, approval, deadlines };
  }

  it('takes a supplement in time for one child though another\'s deadline has passed: that one waits, as it is, for the schedule', async () => {
    const { w, bundles, approval, deadlines } = await twoDeadlines();
    const first = (await bundles.loadBundle('YJS-D-1')).state!;
    const dueOf = (code: string) => first.children.find((c) => c.itemCode === code)?.decision?.supplementDue?.date;
    // Submitted on Wednesday 18 November 2026: the invoice form is due on Thursday, the seal form next Wednesday.
    expect([first.status, dueOf('QYKB-FPSL'), dueOf('QYKB-YZKZ')]).toEqual(['ACCEPTED_PENDING_MATERIALS', '2026-11-19', '2026-11-25']);

    // Friday, before the schedule has run: the seal form comes in time for its item.
    w.clock.set('2026-11-20T02:00:00.000Z');
    await approval.supplementMaterials('YJS-D-1', [{ code: 'M-SEAL-FORM', provided: true }], cause('p-1', 'gov.application.materials.supplemented'), 1);
    const known = await bundles.loadBundle('YJS-D-1');
    expect(known.refusals).toEqual([]);
    const state = known.state!;
    const outcome = (code: string) => state.children.find((c) => c.itemCode === code)?.decision?.outcome;
    // The invoice item is not decided again on materials too late for it, nor terminated: only the schedule does that.
    expect([outcome('QYKB-YZKZ'), outcome('QYKB-YHKH'), outcome('QYKB-FPSL')]).toEqual(['APPROVED', 'APPROVED', 'ACCEPTED_PENDING_MATERIALS']);
    expect(state.children.find((c) => c.itemCode === 'QYKB-FPSL')?.decision?.sequence).toBe(1);
    expect(state).toMatchObject({ status: 'ACCEPTED_PENDING_MATERIALS', sequence: 2, changedChildren: ['QYKB-YZKZ', 'QYKB-YHKH'] });
    expect(w.messenger.outbound.map((e) => e.type)).not.toContain('gov.application.terminated');

    // Its run terminates the invoice item: every required child approved, the optional one terminated.
    expect(await deadlines.runDeadlines()).toMatchObject({ bundlesTerminated: 1 });
    const swept = (await bundles.loadBundle('YJS-D-1')).state!;
    expect(swept).toMatchObject({ status: 'PARTIALLY_APPROVED', sequence: 3, changedChildren: ['QYKB-FPSL'] });
    expect(swept.children.find((c) => c.itemCode === 'QYKB-FPSL')?.decision?.reasons.map((r) => r.code)).toEqual(['SUPPLEMENT_DEADLINE_MISSED']);
    expect(w.messenger.outbound.filter((e) => e.type === 'gov.application.terminated').map((e) => e.id)).toEqual(['terminated:YJS-D-1:QYKB-FPSL:2']);
  });

  it('serves an optional child with its supplement received in time though a sibling\'s, received after its deadline, was processed first', async () => {
    const GRACE = 75 * 60_000;
    const { w, bundles, approval, deadlines } = await twoDeadlines(GRACE);
    const dueAt = (await bundles.loadBundle('YJS-D-1')).state!.children.find((c) => c.itemCode === 'QYKB-FPSL')!.decision!.supplementDue!.dueAt;
    const at = (ms: number) => new Date(Date.parse(dueAt) + ms).toISOString();
    const supplemented = (id: string) => cause(id, 'gov.application.materials.supplemented');
    // The invoice form is received at ingest a minute before the invoice item's deadline and held up in the
    // queue; a sibling's supplement (the articles again: the seal item stays pending) is received after it
    // and processed first, inside the schedule's grace.
    w.clock.set(at(10 * 60_000));
    await approval.supplementMaterials('YJS-D-1', [{ code: 'M-ARTICLES', provided: true }], supplemented('p-2'), 1, {}, at(5 * 60_000));
    expect((await bundles.loadBundle('YJS-D-1')).state).toMatchObject({ status: 'ACCEPTED_PENDING_MATERIALS', sequence: 2 });
    expect(await deadlines.runDeadlines()).toMatchObject({ bundlesTerminated: 0 });

    w.clock.set(at(30 * 60_000));
    await approval.supplementMaterials('YJS-D-1', [{ code: 'M-INV-FORM', provided: true }], supplemented('p-1'), 1, {}, at(-60_000));
    const known = await bundles.loadBundle('YJS-D-1');
    expect(known.refusals).toEqual([]);
    const invoice = known.state!.children.find((c) => c.itemCode === 'QYKB-FPSL')?.decision;
    // Decided on its materials, as a single item's supplement received in time is.
    expect(invoice?.outcome).toBe('APPROVED');
    expect(known.state).toMatchObject({ status: 'ACCEPTED_PENDING_MATERIALS', sequence: 3 });
    expect(w.messenger.outbound.map((e) => e.type)).not.toContain('gov.application.terminated');
    w.clock.set(at(GRACE + 60_000));
    expect(await deadlines.runDeadlines()).toMatchObject({ bundlesTerminated: 0 });
  });

  it('takes a supplement held up past the grace for the children left, saying it was in time for the one the schedule terminated', async () => {
    const GRACE = 75 * 60_000;
    const { w, bundles, approval, deadlines } = await twoDeadlines(GRACE);
    const dueAt = (await bundles.loadBundle('YJS-D-1')).state!.children.find((c) => c.itemCode === 'QYKB-FPSL')!.decision!.supplementDue!.dueAt;
    const at = (ms: number) => new Date(Date.parse(dueAt) + ms).toISOString();
    // Received an hour before the invoice item's deadline, for both items; held up past the grace (an outage).
    w.clock.set(at(GRACE + 1));
    expect(await deadlines.runDeadlines()).toMatchObject({ bundlesTerminated: 1 });
    expect((await bundles.loadBundle('YJS-D-1')).state).toMatchObject({ status: 'ACCEPTED_PENDING_MATERIALS', sequence: 2 });
    w.clock.set(at(3 * 60 * 60_000));
    const both = [{ code: 'M-INV-FORM', provided: true }, { code: 'M-SEAL-FORM', provided: true }];
    await approval.supplementMaterials('YJS-D-1', both, cause('p-1', 'gov.application.materials.supplemented'), 1, {}, at(-60 * 60_000));
    const known = await bundles.loadBundle('YJS-D-1');
    // The seal item is served; the invoice item stays terminated, and the version says the supplement was in time for it.
    expect(known.refusals).toEqual([]);
    const outcome = (code: string) => known.state!.children.find((c) => c.itemCode === code)?.decision?.outcome;
    expect([outcome('QYKB-YZKZ'), outcome('QYKB-FPSL')]).toEqual(['APPROVED', 'TERMINATED']);
    expect(known.state).toMatchObject({ status: 'PARTIALLY_APPROVED', sequence: 3 });
    expect(known.state!.reasons.at(-1)).toMatchObject({ code: 'SUPPLEMENT_IN_TIME_AFTER_TERMINATION', message: expect.stringContaining('QYKB-FPSL'), details: { itemCode: 'QYKB-FPSL' } });
    expect(w.messenger.outbound.at(-1)).toMatchObject({ type: 'gov.application.bundle.decided', data: { reasons: expect.arrayContaining([expect.objectContaining({ code: 'SUPPLEMENT_IN_TIME_AFTER_TERMINATION' })]) } });
    expect(bundles.audit.at(-1)).toMatchObject({ action: 'supplemented:PARTIALLY_APPROVED', why: expect.stringContaining('SUPPLEMENT_IN_TIME_AFTER_TERMINATION') });
  });

  it('refuses a supplement SUPPLEMENT_TOO_LATE when only a child past its deadline was left to serve', async () => {
    const { w, bundles, approval } = await twoDeadlines();
    // The seal form comes on the day of submission; the invoice form only on Friday, a day late.
    await approval.supplementMaterials('YJS-D-1', [{ code: 'M-SEAL-FORM', provided: true }], cause('p-1', 'gov.application.materials.supplemented'), 1);
    expect((await bundles.loadBundle('YJS-D-1')).state).toMatchObject({ status: 'ACCEPTED_PENDING_MATERIALS', sequence: 2 });
    w.clock.set('2026-11-20T02:00:00.000Z');
    await approval.supplementMaterials('YJS-D-1', [{ code: 'M-INV-FORM', provided: true }], cause('p-2', 'gov.application.materials.supplemented'), 1);
    const known = await bundles.loadBundle('YJS-D-1');
    expect(known.refusals).toEqual([expect.objectContaining({ code: 'SUPPLEMENT_TOO_LATE', message: expect.stringContaining('QYKB-FPSL') })]);
    expect(known.state).toMatchObject({ status: 'ACCEPTED_PENDING_MATERIALS', sequence: 2 });
  });

  it('judges each child\'s deadline by the supplement\'s receipt: received before the invoice form\'s, processed after it, it serves that child too', async () => {
    const { w, bundles, approval } = await twoDeadlines();
    // Received on Thursday, the invoice form's last day; processed on Friday (a backlog).
    w.clock.set('2026-11-20T02:00:00.000Z');
    const both = [{ code: 'M-INV-FORM', provided: true }, { code: 'M-SEAL-FORM', provided: true }];
    await approval.supplementMaterials('YJS-D-1', both, cause('p-3', 'gov.application.materials.supplemented'), 1, {}, '2026-11-19T09:00:00.000Z');
    const known = await bundles.loadBundle('YJS-D-1');
    expect(known.refusals).toEqual([]);
    const outcome = (code: string) => known.state!.children.find((c) => c.itemCode === code)?.decision?.outcome;
    expect([outcome('QYKB-FPSL'), outcome('QYKB-YZKZ')]).toEqual(['APPROVED', 'APPROVED']);
    expect(known.state).toMatchObject({ status: 'APPROVED', sequence: 2 });
    expect(w.messenger.outbound.map((e) => e.type)).not.toContain('gov.application.terminated');
  });

  it('takes a supplement in time: the pending child is decided again and the follower starts', async () => {
    const w = world();
    await w.approval.submitBundle(app, cause('s-1'));
    await w.approval.supplementMaterials('YJS-D-1', [{ code: 'M-SEAL-FORM', provided: true }], cause('p-1', 'gov.application.materials.supplemented'), 1);
    expect((await w.bundles.loadBundle('YJS-D-1')).state?.status).toBe('APPROVED');
    expect(childState(w, 'QYKB-YHKH')).toMatchObject({ kind: 'decided', outcome: 'APPROVED' });
    w.clock.set(LATER);
    expect(await w.deadlines.runDeadlines()).toMatchObject({ bundlesTerminated: 0 });
  });

  /** A messenger whose publish fails while `down.fail` is true. */
  function failingPublish(w: ReturnType<typeof world>) {
    const publish = w.messenger.publish.bind(w.messenger);
    const down = { fail: true };
    w.messenger.publish = async (events) => {
      if (down.fail) throw new Error('queue down');
      return publish(events);
    };
    return down;
  }

  /** A world whose first submission stored version 1 and crashed sending it; the queue is back up. */
  async function crashedSubmission() {
    const w = world();
    const down = failingPublish(w);
    await expect(w.approval.submitBundle(app, cause('s-1'))).rejects.toThrow('queue down');
    down.fail = false;
    return w;
  }

  it('sends the outbox of its own version that a crash left unsent, once it is older than the grace period', async () => {
    const w = world();
    await w.approval.submitBundle(app, cause('s-1'));
    w.clock.set(LATER);
    const down = failingPublish(w);
    // The send fails: the run logs and counts it, and goes on; the change stays pending for a later run.
    expect(await w.deadlines.runDeadlines()).toMatchObject({ failed: 1 });
    expect(w.telemetry.lines.filter((l) => l.level === 'error').map((l) => (l.fields.error as Error).message)).toEqual(['queue down']);
    expect((await w.bundles.loadBundle('YJS-D-1')).versions[1]).toMatchObject({ causeKind: 'supplementDeadline', pending: true });
    down.fail = false;
    // Within the grace period the run that wrote it may still be sending it.
    w.clock.set('2026-11-30T02:01:00.000Z');
    expect(await w.deadlines.runDeadlines()).toMatchObject({ resent: 0, bundlesTerminated: 0 });
    w.clock.set('2026-11-30T02:10:00.000Z');
    expect(await w.deadlines.runDeadlines()).toMatchObject({ resent: 1, bundlesTerminated: 0 });
    expect(w.messenger.outbound.map((e) => e.id)).toContain('bundle-decision:YJS-D-1:2');
    expect((await w.bundles.loadBundle('YJS-D-1')).versions[1]?.pending).toBe(false);
    expect(await w.deadlines.runDeadlines()).toMatchObject({ resent: 0 });
    expect(w.messenger.outbound.filter((e) => e.id === 'bundle-decision:YJS-D-1:2')).toHaveLength(1);
  });

  it('leaves what an event\'s version owes to that event\'s redelivery, which sends it again each time it comes', async () => {
    const w = await crashedSubmission();
    w.clock.set('2026-11-18T02:10:00.000Z');
    // The schedule does not list it (no outbox item): SQS brings the failed record back instead.
    expect(await w.deadlines.runDeadlines()).toMatchObject({ resent: 0 });
    expect(w.messenger.outbound.map((e) => e.id)).not.toContain('bundle-decision:YJS-D-1:1');
    await w.approval.submitBundle(app, cause('s-1'));
    expect(w.messenger.outbound.filter((e) => e.id === 'bundle-decision:YJS-D-1:1')).toHaveLength(1);
    // Nothing records that it went out: a further redelivery sends it again, with the same id.
    await w.approval.submitBundle(app, cause('s-1'));
    expect(await w.deadlines.runDeadlines()).toMatchObject({ resent: 0 });
    expect(w.messenger.outbound.filter((e) => e.id === 'bundle-decision:YJS-D-1:1')).toHaveLength(2);
    // Another event id with the same content is a duplicate: it sends nothing.
    await w.approval.submitBundle(app, cause('s-2'));
    expect(w.messenger.outbound.filter((e) => e.id === 'bundle-decision:YJS-D-1:1')).toHaveLength(2);
  });

  it('sends a pending outbox marker an event\'s version was written with before, once', async () => {
    const w = await crashedSubmission();
    const version = w.bundles.cases.get('YJS-D-1')!.versions[0]!;
    w.bundles.cases.get('YJS-D-1')!.versions[0] = { ...version, marked: true, pending: true };
    await w.approval.submitBundle(app, cause('s-1'));
    expect(w.messenger.outbound.filter((e) => e.id === 'bundle-decision:YJS-D-1:1')).toHaveLength(1);
    expect((await w.bundles.loadBundle('YJS-D-1')).versions[0]).toMatchObject({ marked: true, pending: false });
    await w.approval.submitBundle(app, cause('s-1'));
    expect(w.messenger.outbound.filter((e) => e.id === 'bundle-decision:YJS-D-1:1')).toHaveLength(1);
  });

  it('sends an outbox written before outboxes were derived from their version as it was stored', async () => {
    const w = await crashedSubmission();
    const version = w.bundles.cases.get('YJS-D-1')!.versions[0]!;
    const stored = { outbound: [{ type: 'gov.application.bundle.decided' as const, id: 'stored-form', subject: 'YJS-D-1', time: NOW, data: {} }], effects: [] };
    w.bundles.cases.get('YJS-D-1')!.versions[0] = { ...version, outbox: stored, marked: true, pending: true };
    await w.approval.submitBundle(app, cause('s-1'));
    expect(w.messenger.outbound.map((e) => e.id)).toEqual(['stored-form']);
    expect((await w.bundles.loadBundle('YJS-D-1')).versions[0]?.pending).toBe(false);
  });
});
