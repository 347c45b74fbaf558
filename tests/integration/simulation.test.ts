/**
 * 沙盘推演 through the local runtime: a history of 2,000 applications of one item decided by the
 * approval consumer, then two drafts simulated over POST /simulations and read back from
 * GET /simulations/{id}: (a) a fact no system supplies for most enterprises becomes a declared form field,
 * (b) a threshold is tightened. Transitions, regressions, 秒批率 and blocking facts are checked against a
 * replay computed here, with the test's own three-valued evaluation of the three rules (not the product's).
 * A simulation changes nothing applicants, figures or outbound consumers see.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devKey, signedHeaders } from '#auth/signature';
import { makeCreditCode } from '#contract/identifiers';
import { ROOT, useLocal } from '#support/runtime';
import { batches, pool, postUntilAccepted } from './mixed-events';

const N = 2000;
const OUTSIDE = 40;
const ENTERPRISES = 40;
const ITEM = 'SIM-0001';
const CLOCK = '2026-11-06T02:00:00.000Z';
const FROM = '2026-11-01T00:00:00+08:00';
const TO = '2026-11-06T00:00:00+08:00';
const AUDITOR = '/auditors/district';

const rt = useLocal(CLOCK);

// ---- the history ---------------------------------------------------------------------------------

const creditCode = (e: number) => makeCreditCode(`9144030000000${String(e).padStart(4, '0')}`);
/** Enterprise e's safety inspection on record: true, false, or not shared at all (unknown). */
const safetyOf = (e: number): boolean | undefined => (e % 3 === 0 ? true : e % 3 === 1 ? false : undefined);

interface Case {
  readonly applicationId: string;
  readonly enterprise: number;
  readonly areaSqm?: number;
  readonly durationDays: number;
  readonly safetyCommitment?: boolean;
  readonly submittedAt: string;
}

function caseOf(i: number, inWindow: boolean): Case {
  const day = inWindow ? 1 + (i % 5) : 20;
  const month = inWindow ? '11' : '10';
  return {
    applicationId: `SIM-${inWindow ? 'W' : 'O'}-${String(i).padStart(5, '0')}`,
    enterprise: i % ENTERPRISES,
    ...(i % 7 === 0 ? {} : { areaSqm: ((i * 13) % 25) + 1 }),
    durationDays: (i * 7) % 35,
    ...(i % 4 === 0 ? {} : { safetyCommitment: i % 4 !== 3 }),
    submittedAt: `2026-${month}-${String(day).padStart(2, '0')}T${String(9 + (i % 8)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00+08:00`,
  };
}

const cases = Array.from({ length: N }, (_, i) => caseOf(i, true));
const outside = Array.from({ length: OUTSIDE }, (_, i) => caseOf(N + i, false));

const rule = (id: string, description: string, fact: string, op: string, value: unknown) => ({ id, description, fact, op, value });
const AREA = (max: number) => rule('R-AREA', `宣传品面积不超过${max}平方米`, 'form.areaSqm', 'lte', max);
const DAYS = rule('R-DAYS', '悬挂期限为1至30日', 'form.durationDays', 'between', [1, 30]);
const SAFETY = rule('R-SAFETY', '设施通过安全检查', 'applicant.safetyChecked', 'eq', true);
const COMMITMENT = rule('R-SAFETY-FORM', '申请人承诺设施安全', 'form.safetyCommitment', 'eq', true);

const published = {
  itemCode: ITEM,
  name: '临时宣传品设置审批（推演）',
  departmentCode: '440305-CGJ',
  applicantKind: 'enterprise',
  mode: 'instant',
  promisedDays: 3,
  legalDays: 20,
  materials: [{ code: 'M-FORM', name: '设置申请表', declared: true }],
  rules: { all: [AREA(20), DAYS, SAFETY] },
  certificateType: '临时宣传品设置许可',
  version: 4,
  active: true,
};
// (a) the unknown fact may also be declared on the form; (b) the area threshold tightened. Both carry
// the published version's number: a draft must not share its compiled rules.
const draftA = { ...published, rules: { all: [AREA(20), DAYS, { any: [SAFETY, COMMITMENT] }] } };
const draftB = { ...published, rules: { all: [AREA(10), DAYS, SAFETY] } };

function event(id: string, source: string, type: string, data: unknown) {
  return { specversion: '1.0', id, source, type, time: '2026-11-01T08:00:00+08:00', datacontenttype: 'application/json', data };
}

function applicationEvent(c: Case) {
  return event(`sim-${c.applicationId}`, '/systems/window-acceptance', 'gov.application.submitted', {
    applicationId: c.applicationId,
    itemCode: ITEM,
    applicant: { kind: 'enterprise', id: creditCode(c.enterprise), name: `推演企业${c.enterprise}有限公司` },
    form: {
      durationDays: c.durationDays,
      ...(c.areaSqm === undefined ? {} : { areaSqm: c.areaSqm }),
      ...(c.safetyCommitment === undefined ? {} : { safetyCommitment: c.safetyCommitment }),
    },
    materials: [{ code: 'M-FORM', provided: true }],
    channel: 'web',
    submittedAt: c.submittedAt,
  });
}

// ---- the test's own replay: three-valued, for exactly these rules -------------------------------------

type Truth = boolean | null;
type Leaf = { id: string; value: Truth };
const all = (xs: Truth[]): Truth => (xs.includes(false) ? false : xs.includes(null) ? null : true);
const any = (xs: Truth[]): Truth => (xs.includes(true) ? true : xs.includes(null) ? null : false);

interface Expected {
  readonly outcome: 'APPROVED' | 'REJECTED' | 'MANUAL_REVIEW';
  /** The leaves that decided a false (or unknown) result. */
  readonly blame: string[];
}

function expectedOf(c: Case, draft: 'published' | 'a' | 'b'): Expected {
  const max = draft === 'b' ? 10 : 20;
  const safety = safetyOf(c.enterprise);
  const area: Leaf = { id: 'R-AREA', value: c.areaSqm === undefined ? null : c.areaSqm <= max };
  const days: Leaf = { id: 'R-DAYS', value: c.durationDays >= 1 && c.durationDays <= 30 };
  const checked: Leaf = { id: 'R-SAFETY', value: safety === undefined ? null : safety === true };
  const declared: Leaf = { id: 'R-SAFETY-FORM', value: c.safetyCommitment === undefined ? null : c.safetyCommitment === true };
  const safetyPart: Leaf[] = draft === 'a' ? [checked, declared] : [checked];
  const safetyValue = draft === 'a' ? any([checked.value, declared.value]) : checked.value;
  const result = all([area.value, days.value, safetyValue]);
  if (result === true) return { outcome: 'APPROVED', blame: [] };
  const wanted: Truth = result;
  // The leaves responsible: in the all, children with the all's value; inside the any, its children with its value.
  const blame = [area, days].filter((l) => l.value === wanted).map((l) => l.id);
  if (safetyValue === wanted) blame.push(...safetyPart.filter((l) => l.value === wanted).map((l) => l.id));
  return { outcome: result === false ? 'REJECTED' : 'MANUAL_REVIEW', blame };
}

function expectedResult(draft: 'a' | 'b') {
  const transitions = new Map<string, number>();
  const regressions: { applicationId: string; to: string; rules: string[] }[] = [];
  const blocking = new Map<string, number>();
  let before = 0;
  let after = 0;
  for (const c of cases) {
    const was = expectedOf(c, 'published');
    const now = expectedOf(c, draft);
    const key = `${was.outcome} → ${now.outcome}`;
    transitions.set(key, (transitions.get(key) ?? 0) + 1);
    if (was.outcome === 'APPROVED' && now.outcome !== 'APPROVED') regressions.push({ applicationId: c.applicationId, to: now.outcome, rules: now.blame });
    if (now.outcome === 'MANUAL_REVIEW') {
      const facts = new Set(now.blame.map((id) => ({ 'R-AREA': 'form.areaSqm', 'R-SAFETY': 'applicant.safetyChecked', 'R-SAFETY-FORM': 'form.safetyCommitment' })[id]!));
      for (const f of facts) blocking.set(f, (blocking.get(f) ?? 0) + 1);
    }
    if (was.outcome === 'APPROVED') before++;
    if (now.outcome === 'APPROVED') after++;
  }
  return { transitions, regressions: regressions.sort((x, y) => (x.applicationId < y.applicationId ? -1 : 1)), blocking, before: before / N, after: after / N };
}

// ---- through the runtime -----------------------------------------------------------------------------

async function postSimulation(body: unknown, as = AUDITOR): Promise<{ status: number; body: any }> {
  const raw = JSON.stringify(body);
  const res = await fetch(`${rt.url}/simulations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signedHeaders(as, devKey(as), 'POST', '/simulations', raw) },
    body: raw,
  });
  return { status: res.status, body: await res.json() };
}

async function finished(simulationId: string): Promise<any> {
  const deadline = Date.now() + 240_000;
  for (;;) {
    const out = await rt.get(`/simulations/${encodeURIComponent(simulationId)}`);
    expect(out.status).toBe(200);
    if (out.body.status === 'done') return out.body;
    if (Date.now() > deadline) throw new Error(`simulation not done: ${JSON.stringify(out.body.progress)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** What applicants, figures and outbound consumers see of the item. */
async function visible() {
  const figures = (await rt.get(`/approval/figures?itemCode=${ITEM}`)).body;
  const outbound = (await rt.dev('GET', '/_dev/outbound')).body.count;
  const sampleDecisions = await Promise.all(cases.slice(0, 20).map(async (c) => (await rt.get(`/applications/${c.applicationId}`)).body));
  return { figures, outbound, sampleDecisions };
}

describe(`沙盘推演 over ${N} stored applications`, () => {
  it('decides the history through the runtime', async () => {
    const profiles = Array.from({ length: ENTERPRISES }, (_, e) =>
      event(`sim-profile-${e}`, '/systems/data-sharing', 'gov.enterprise.profile.updated', {
        creditCode: creditCode(e),
        name: `推演企业${e}有限公司`,
        asOf: '2026-11-01T00:00:00+08:00',
        employees: e,
        ...(safetyOf(e) === undefined ? {} : { safetyChecked: safetyOf(e) }),
      }),
    );
    expect((await rt.post(event('sim-item', '/systems/catalog', 'gov.catalog.item.published', published))).status).toBe(202);
    for (const b of batches(profiles, 100)) expect((await rt.post(b)).body.rejected).toEqual([]);
    await rt.drain();
    const results = await pool(batches([...cases, ...outside].map(applicationEvent), 100), 4, (b) => postUntilAccepted((x) => rt.post(x), b));
    for (const r of results) expect({ status: r.status, rejected: r.body.rejected }).toEqual({ status: 202, rejected: [] });
    await rt.drain(240_000);
    const figures = (await rt.get(`/approval/figures?itemCode=${ITEM}`)).body;
    expect(figures.decisions).toBe(N + OUTSIDE);
    // The runtime decided as the test's own evaluation says (the baseline the replays are checked from).
    const byOutcome: Record<string, number> = {};
    for (const c of [...cases, ...outside]) byOutcome[expectedOf(c, 'published').outcome] = (byOutcome[expectedOf(c, 'published').outcome] ?? 0) + 1;
    expect(figures.byOutcome).toEqual(expect.objectContaining(byOutcome));
  }, 600_000);

  it('refuses a bad request, naming the field, and a reader limited to named routes', async () => {
    const bad = await postSimulation({ draft: { ...published, rules: { all: [{ ...DAYS, op: 'around' }] } }, from: TO, to: FROM });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.path)).toEqual(expect.arrayContaining(['to', 'draft.rules.all[0].op']));
    expect((await postSimulation({ draft: published, from: FROM, to: TO }, '/systems/catalog')).status).toBe(403);
  });

  it('simulates (a) an unknown fact made a form field and (b) a tightened threshold, as the independent replay says, changing nothing visible', async () => {
    const before = await visible();
    const [a, b] = await Promise.all([postSimulation({ draft: draftA, from: FROM, to: TO }), postSimulation({ draft: draftB, from: FROM, to: TO })]);
    expect([a.status, b.status]).toEqual([202, 202]);
    const [simA, simB] = await Promise.all([finished(a.body.simulationId), finished(b.body.simulationId)]);

    for (const [sim, draft] of [[simA, 'a'], [simB, 'b']] as const) {
      const want = expectedResult(draft);
      const r = sim.result;
      expect(sim.progress).toEqual({ slices: 16, slicesDone: 16, applicationsReplayed: N });
      expect({ replayed: r.replayed, notReplayable: r.notReplayable }).toEqual({ replayed: N, notReplayable: 0 });
      expect(new Map(r.transitions.map((t: any) => [`${t.from} → ${t.to}`, t.count]))).toEqual(want.transitions);
      expect(r.regressions.map((g: any) => ({ applicationId: g.applicationId, to: g.to, rules: g.rules.map((x: any) => x.id) }))).toEqual(want.regressions);
      expect(r.instantApprovalRate.baseline).toBeCloseTo(want.before, 10);
      expect(r.instantApprovalRate.projected).toBeCloseTo(want.after, 10);
      expect(new Map(r.blockingFacts.map((f: any) => [f.fact, f.applications]))).toEqual(want.blocking);
    }
    // (a) converts manual reviews to approvals and regresses nothing; (b) regresses approvals on the area rule.
    expect(simA.result.transitions.find((t: any) => t.from === 'MANUAL_REVIEW' && t.to === 'APPROVED')?.count).toBeGreaterThan(100);
    expect(simA.result.regressions).toEqual([]);
    expect(simB.result.regressions.length).toBeGreaterThan(50);
    expect(simB.result.regressions[0]).toMatchObject({ from: 'APPROVED', to: 'REJECTED', reasons: ['RULE_FALSE'], rules: [{ id: 'R-AREA', fact: 'form.areaSqm' }] });

    await rt.drain();
    expect(await visible()).toEqual(before);
  }, 600_000);

  it('npm run simulate runs one against the runtime, with progress, and prints the tables', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'civicflow-simulate-'));
    try {
      const file = join(dir, 'draft.json');
      writeFileSync(file, JSON.stringify(event('draft-b', '/systems/catalog', 'gov.catalog.item.published', draftB)));
      const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          'npm',
          ['run', 'simulate', '--', file, '--from', FROM, '--to', TO, '--html', join(dir, 'simulation.html')],
          { cwd: ROOT, env: { ...process.env, CIVICFLOW_URL: rt.url }, timeout: 240_000 },
          (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
      expect([out.code, out.stderr.split('\n').filter((l) => l.includes('Error'))]).toEqual([0, []]);
      expect(out.stderr).toMatch(/\[#{30}\] 16\/16 slices, 2000 applications replayed/);
      const want = expectedResult('b');
      expect(out.stdout).toContain(`regressions (approvals that would become anything else): ${want.regressions.length}`);
      expect(out.stdout).toMatch(new RegExp(`APPROVED\\s+REJECTED\\s+${want.transitions.get('APPROVED → REJECTED')}\\n`));
      expect(out.stdout).toMatch(/秒批率\s+\d+\.\d%\s+\d+\.\d%/);
      const html = readFileSync(join(dir, 'simulation.html'), 'utf8');
      expect(html.match(/<figure class="chart"/g)).toHaveLength(4);
      expect(html.match(/<tr><td>SIM-W-/g)).toHaveLength(Math.min(200, want.regressions.length));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  // ---- a policy draft, over the current profiles ----

  const policy = {
    policyId: 'POL-SIM-SAFETY',
    name: '安全设施补贴（推演）',
    departmentCode: '440305-CGJ',
    kind: 'confirm',
    criteria: rule('C-SAFETY', '设施通过安全检查', 'enterprise.safetyChecked', 'eq', true),
    benefit: { type: 'subsidy', amount: 5000, description: '补贴5000元' },
    validFrom: '2026-01-01',
    validTo: '2027-12-31',
    budget: 100000,
    channels: ['sms'],
    version: 1,
  };
  // The draft adds a threshold on employees: the enterprises pushed under version 1 with more are no longer covered.
  const policyDraft = { ...policy, version: 2, criteria: { all: [policy.criteria, rule('C-EMPLOYEES', '职工不超过20人', 'enterprise.employees', 'lte', 20)] } };

  /** The test's own matching: true, false or unknown (null) for enterprise e under the current version or the draft. */
  function policyTruth(e: number, draft: boolean): Truth {
    const safety = safetyOf(e) === undefined ? null : safetyOf(e) === true;
    return draft ? all([safety, e <= 20]) : safety;
  }
  const classOf = (t: Truth) => (t === true ? 'eligible' : t === null ? 'needsInfo' : 'notEligible');

  it('simulates a policy draft over the current profiles: classes, budget, pushed no longer covered; nothing visible changes', async () => {
    expect((await rt.post(event('sim-policy', '/systems/policy', 'gov.policy.published', policy))).status).toBe(202);
    await rt.drain(240_000);
    const pushedBefore = (await rt.get(`/policies/${policy.policyId}/entitlements?reached=NOTIFIED&limit=100`)).body;
    const enterprises = Array.from({ length: ENTERPRISES }, (_, e) => e);
    const pushed = enterprises.filter((e) => policyTruth(e, false) === true);
    expect(pushedBefore.items.map((x: any) => x.creditCode).sort()).toEqual(pushed.map(creditCode).sort());
    const before = { policy: (await rt.get(`/policies/${policy.policyId}`)).body, outbound: (await rt.dev('GET', '/_dev/outbound')).body.count, pushed: pushedBefore };

    const started = await postSimulation({ policy: policyDraft });
    expect(started.status).toBe(202);
    const sim = await finished(started.body.simulationId);
    const r = sim.result;
    const count = (draft: boolean, c: string) => enterprises.filter((e) => classOf(policyTruth(e, draft)) === c).length;
    expect(sim).toMatchObject({ kind: 'policy', policyId: policy.policyId, draftVersion: 2 });
    expect(r.profiles).toBe(ENTERPRISES);
    expect([r.current.eligible, r.current.needsInfo, r.current.ineligible + r.current.excluded]).toEqual([count(false, 'eligible'), count(false, 'needsInfo'), count(false, 'notEligible')]);
    expect([r.draft.eligible, r.draft.needsInfo, r.draft.ineligible + r.draft.excluded]).toEqual([count(true, 'eligible'), count(true, 'needsInfo'), count(true, 'notEligible')]);
    const transitions = new Map<string, number>();
    for (const e of enterprises) {
      const key = `${classOf(policyTruth(e, false))} → ${classOf(policyTruth(e, true))}`;
      transitions.set(key, (transitions.get(key) ?? 0) + 1);
    }
    expect(new Map(r.transitions.map((t: any) => [`${t.from} → ${t.to}`, t.count]))).toEqual(transitions);
    expect(r.budget).toEqual({ needed: count(true, 'eligible') * 5000, budget: 100000, enough: count(true, 'eligible') * 5000 <= 100000 });
    expect(r.noLongerCovered).toEqual(pushed.filter((e) => policyTruth(e, true) !== true).map(creditCode).sort());
    expect(r.noLongerCovered.length).toBeGreaterThan(0);

    await rt.drain();
    const after = { policy: (await rt.get(`/policies/${policy.policyId}`)).body, outbound: (await rt.dev('GET', '/_dev/outbound')).body.count, pushed: (await rt.get(`/policies/${policy.policyId}/entitlements?reached=NOTIFIED&limit=100`)).body };
    expect(after).toEqual(before);
  }, 600_000);
});
