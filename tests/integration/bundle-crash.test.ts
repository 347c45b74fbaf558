/**
 * 一件事 through a crash: a burst of 企业开办 bundle applications is posted, the runtime is killed (SIGKILL)
 * while the approval queue has messages in flight — children of a chain waiting on the certificate the
 * previous one just issued among them — and restarted on its data folder. Then every bundle has one
 * roll-up and each child one decision, every outbound event id is in the sink once, each approved bundle
 * has one review case of the lead department, and the bundle figures equal the counts computed here.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queues } from '#topology';
import { killStandIns, sample, startLocal, type Running } from '#support/runtime';
import { application, DEPARTMENT, ITEMS } from './bundle-fixtures';
import { batches, pool, postUntilAccepted } from './mixed-events';

const CLOCK = '2026-11-05T06:30:00.000Z';
const BUNDLES = 160;
let rt: Running;
let dataDir: string;

async function start(): Promise<Running> {
  const started = await startLocal({ dataDir, retryDelaySeconds: 1 });
  expect((await started.dev('POST', '/_dev/clock', { set: CLOCK })).status).toBe(200);
  return started;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'civicflow-bundle-crash-'));
  rt = await start();
}, 120_000);
afterAll(async () => {
  if (rt && rt.child.exitCode === null && rt.child.signalCode === null) await rt.stop();
  killStandIns(dataDir);
  rmSync(dataDir, { recursive: true, force: true });
});

async function postAll(events: readonly unknown[]): Promise<void> {
  const results = await pool(batches(events), 2, (b) => postUntilAccepted((x) => rt.post(x), b));
  for (const r of results) expect({ status: r.status, rejected: r.body.rejected }).toEqual({ status: 202, rejected: [] });
}

/** Outbound events of the data folder's sink (every run of the runtime), in the order written. */
function sink(): Array<{ id: string; type: string; subject?: string; data: any }> {
  const file = join(dataDir, 'outbound.ndjson');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l).event);
}

/**
 * Every fourth applies for 9 seals (the seal item's rule allows 5): the seal child is REJECTED, the bank
 * account that follows it never starts, so the bundle is REJECTED; the others are APPROVED. Every other one
 * asks for invoices. Nobody hires staff, so social insurance (the one manual item) never applies.
 */
const plan = Array.from({ length: BUNDLES }, (_, i) => ({
  applicationId: `YJS-20261105-${String(100 + i).padStart(6, '0')}`,
  rejected: i % 4 === 3,
  invoice: i % 2 === 0 || i % 4 === 3,
}));

describe('一件事 applications when the runtime is killed mid-bundle', () => {
  it('decides every child once, rolls each bundle up once, and counts each once after the restart', async () => {
    // In order, each stored before the next: a bundle is refused until its items are published.
    for (const step of [[sample('gov.person.profile.updated', 'resident')], [sample('gov.licence.issued', 'resident-id-card')], ITEMS, [sample('gov.catalog.bundle.published', 'business-start-up')]]) {
      await postAll(step);
      await rt.drain();
    }

    const apps = plan.map((p) =>
      application(p.applicationId, 'YJS-QYKB', { needsInvoice: p.invoice, hiresStaff: false }, { enterpriseName: '深圳市某某科技有限公司', seals: p.rejected ? 9 : 3, employees: 0 }),
    );
    await postAll(apps);
    // Crash while the approval consumer is busy: some children decided, some in flight, some not received.
    const decidedSoFar = () => sink().filter((e) => e.type === 'gov.application.decided').length;
    let busy = false;
    for (let i = 0; i < 800 && !busy; i++) {
      busy = (await rt.dev('GET', '/_dev/queues')).body.approval.inFlight > 0 && decidedSoFar() > 0;
      if (!busy) await new Promise((r) => setTimeout(r, 25));
    }
    expect(busy).toBe(true);
    const decidedBeforeKill = decidedSoFar();
    const exited = new Promise((r) => rt.child.once('exit', r));
    rt.child.kill('SIGKILL');
    await exited;
    killStandIns(dataDir);

    rt = await start();
    expect(readFileSync(rt.logFile, 'utf8')).toMatch(/\[restart\] released \d+ message\(s\) left in flight/);
    await rt.drain(240_000);

    // The crash came before the burst was done, so the restart had work left.
    const events = sink();
    const decided = events.filter((e) => e.type === 'gov.application.decided');
    expect(decidedBeforeKill).toBeLessThan(decided.length);
    // Each outbound event once (an outbox sent before the kill and not marked sent goes again, same id: the
    // sink keeps it once).
    const ids = events.map((e) => e.id);
    expect(ids.length - new Set(ids).size).toBe(0);

    const children = (p: (typeof plan)[number]) => ['QYKB-SLDJ', 'QYKB-YZKZ', ...(p.invoice ? ['QYKB-FPSL'] : []), ...(p.rejected ? [] : ['QYKB-YHKH'])];
    const expectedDecided = plan.flatMap((p) => children(p).map((c) => `${p.applicationId}:${c}`)).sort();
    expect(decided.map((e) => e.data.applicationId).sort()).toEqual(expectedDecided);

    const rollUps = events.filter((e) => e.type === 'gov.application.bundle.decided');
    for (const p of plan) {
      const own = rollUps.filter((e) => e.subject === p.applicationId).sort((a, b) => a.data.sequence - b.data.sequence);
      // One roll-up per sequence, and the last one says the outcome computed here.
      expect([p.applicationId, own.map((e) => e.data.sequence)]).toEqual([p.applicationId, own.map((_, k) => k + 1)]);
      expect([p.applicationId, own.at(-1)?.data.status]).toEqual([p.applicationId, p.rejected ? 'REJECTED' : 'APPROVED']);
    }

    // What a user reads: the bundle view, one review case per approved bundle (lead department), none else.
    await pool(plan, 4, async (p) => {
      const view = await rt.get(`/applications/${encodeURIComponent(p.applicationId)}`);
      expect([p.applicationId, view.status, view.body.status]).toEqual([p.applicationId, 200, p.rejected ? 'REJECTED' : 'APPROVED']);
      const decidedChildren = view.body.children.filter((c: any) => c.state === 'decided');
      expect([p.applicationId, decidedChildren.map((c: any) => c.itemCode).sort()]).toEqual([p.applicationId, children(p).sort()]);
      // Decided once: a child decided again would be at its second version.
      expect([p.applicationId, decidedChildren.map((c: any) => c.decision.sequence)]).toEqual([p.applicationId, decidedChildren.map(() => 1)]);
      // The bundle's version is its last roll-up's.
      expect([p.applicationId, view.body.sequence]).toEqual([p.applicationId, rollUps.filter((e) => e.subject === p.applicationId).length]);
      const reviewCase = await rt.get(`/cases/${encodeURIComponent(p.applicationId)}`, { as: DEPARTMENT });
      expect([p.applicationId, reviewCase.status]).toEqual([p.applicationId, p.rejected ? 404 : 200]);
      if (!p.rejected) expect(reviewCase.body.case).toMatchObject({ itemCode: 'YJS-QYKB', departmentCode: '440305-SJJ' });
    });

    const figures = (await rt.get('/approval/bundle-figures?bundleCode=YJS-QYKB')).body;
    const rejected = plan.filter((p) => p.rejected).length;
    // Materials saved: with invoices 7 listed, 4 distinct (M-IDCARD, M-ARTICLES, M-BL, M-SEAL); without, 6 and 4.
    const saved = plan.reduce((n, p) => n + (p.invoice ? 3 : 2), 0);
    const legalDays = plan.reduce((n, p) => n + 10 * (p.invoice ? 4 : 3), 0);
    expect(figures).toMatchObject({
      bundleCode: 'YJS-QYKB',
      bundles: BUNDLES,
      final: BUNDLES,
      byStatus: { APPROVED: BUNDLES - rejected, REJECTED: rejected },
      noPersonShare: 1,
      materialsSaved: saved,
      legalDays,
    });
    const depths = (await rt.dev('GET', '/_dev/queues')).body;
    for (const q of Object.keys(queues)) expect([q, depths[q].dlq]).toEqual([q, 0]);
  }, 420_000);
});
