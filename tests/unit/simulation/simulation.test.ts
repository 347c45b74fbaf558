// 沙盘推演: the request's refusals name their field; slices tally and merge; the service stores each slice once.
import { decide, factsOf, type Replayable, type ServiceItem } from '#approval';
import { parseRequest } from '#simulation/domain/request';
import { mergeTallies, resultOf } from '#simulation/domain/item-result';
import { tallySlice } from '#simulation/domain/tally';
import { createSimulationService } from '#simulation/service';
import type { AnyTally, SimulationJob, SimulationStore } from '#simulation/ports';
import { businessLicence, calendar, criminalApp, criminalRecordItem, enterpriseProfile, idCard, NOW, PERSON, posterApp, posterItem, propertyCert } from '../approval/fixtures';
import { credit as creditOf, elderly, person, policy as policyOf, profile as profileOf } from '../entitlement/fixtures';
import { makeIdNumber } from '#contract/identifiers';
import { mergePolicyTallies, policyResultOf } from '#simulation/domain/policy-result';
import { tallyPolicySlice } from '#simulation/domain/policy-tally';
import type { SimulationPorts } from '#simulation/ports';
import type { EnterpriseProfile, Policy } from '#entitlement';

const FROM = '2026-11-01T00:00:00+08:00';
const TO = '2026-12-01T00:00:00+08:00';

describe('a simulation request', () => {
  it('takes a draft valid as a published version and a window', () => {
    const parsed = parseRequest({ draft: posterItem, from: FROM, to: TO });
    expect(parsed).toEqual({ ok: true, request: { draft: posterItem, from: FROM, to: TO } });
  });

  it('takes the window in RFC 3339 as the event contract does: t and z in either case, a leap second', () => {
    const parsed = parseRequest({ draft: posterItem, from: '2026-11-01t00:00:00z', to: '2026-12-31T23:59:60Z' });
    expect(parsed).toEqual({ ok: true, request: { draft: posterItem, from: '2026-11-01T00:00:00Z', to: '2026-12-31T23:59:59.999999999Z' } });
  });

  it('names every bad field, inside the draft too', () => {
    const bad = { ...posterItem, mode: 'fast', rules: { all: [{ id: 'X', description: '错', fact: 'form.a', op: 'near', value: 1 }] } };
    const parsed = parseRequest({ draft: bad, from: 'yesterday', extra: 1 });
    expect(parsed.ok).toBe(false);
    const paths = parsed.ok ? [] : parsed.errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['extra', 'from', 'to', 'draft.mode', 'draft.rules.all[0].op']));
  });

  it('refuses a window that ends before it starts, and a missing draft', () => {
    const parsed = parseRequest({ from: TO, to: FROM });
    expect(parsed).toEqual({ ok: false, errors: [{ path: 'to', message: 'must be after from' }, { path: 'draft', message: 'is required' }] });
    expect(parseRequest([]).ok).toBe(false);
  });
});

function stored(id: string, form: Record<string, unknown>): Replayable {
  const input = { application: posterApp({ applicationId: id, form }), licences: [businessLicence, propertyCert], profile: enterpriseProfile, now: NOW };
  return { applicationId: id, decision: decide({ ...input, item: posterItem, calendar }), facts: factsOf(input) };
}

const base = { days: 15, location: '商业步行街', lit: false };
const history: Replayable[] = [
  stored('A-1', { ...base, areaSqm: 12 }), // approved, stays approved under ≤ 30
  stored('A-2', { ...base, areaSqm: 40 }), // approved, rejected under ≤ 30: a regression
  stored('A-3', { ...base }), // manual review: area unknown
  stored('A-4', { ...base, areaSqm: 60 }), // rejected, stays rejected
];
/** The published version the history was decided under. */
const PUBLISHED = new Map([[posterItem.version, posterItem]]);
const tightened: ServiceItem = {
  ...posterItem,
  version: 3,
  rules: { all: [{ id: 'P-1', description: '宣传品面积不超过30平方米', fact: 'form.areaSqm', op: 'lte', value: 30 }] },
};

describe('tallies', () => {
  it('count transitions, regressions with the flipping rule, 秒批率 and blocking facts', () => {
    const result = resultOf(tallySlice(history, { draftId: 'sim-t', item: tightened }, calendar, PUBLISHED));
    expect(result.transitions).toEqual([
      { from: 'APPROVED', to: 'APPROVED', count: 1 },
      { from: 'APPROVED', to: 'REJECTED', count: 1 },
      { from: 'MANUAL_REVIEW', to: 'MANUAL_REVIEW', count: 1 },
      { from: 'REJECTED', to: 'REJECTED', count: 1 },
    ]);
    expect(result.regressions).toEqual([
      { applicationId: 'A-2', from: 'APPROVED', to: 'REJECTED', reasons: ['RULE_FALSE'], rules: [{ id: 'P-1', description: '宣传品面积不超过30平方米', fact: 'form.areaSqm' }] },
    ]);
    expect(result.instantApprovalRate).toEqual({ baseline: 0.5, projected: 0.25 });
    expect(result.materialsWaived).toEqual({ baseline: 8, projected: 4 + 2 * 2 });
    expect(result.blockingFacts).toEqual([{ fact: 'form.areaSqm', applications: 1 }]);
  });

  it('merge to the same result in any order of slices, and count decisions without facts apart', () => {
    const draft = { draftId: 'sim-m', item: tightened };
    const noFacts: Replayable = { applicationId: 'OLD-1', decision: history[0]!.decision };
    const slices = [tallySlice(history.slice(0, 2), draft, calendar, PUBLISHED), tallySlice([...history.slice(2), noFacts], draft, calendar, PUBLISHED)];
    const whole = resultOf(tallySlice([...history, noFacts], draft, calendar, PUBLISHED));
    expect(resultOf(mergeTallies(slices))).toEqual(whole);
    expect(resultOf(mergeTallies([...slices].reverse()))).toEqual(whole);
    expect(whole.notReplayable).toBe(1);
    expect(whole.replayed).toBe(4);
    // Bundle children are counted by the slice apart; a tally stored before they were counted has none.
    expect(whole.bundleChildrenNotReplayed).toBe(0);
    expect(resultOf(mergeTallies([{ ...slices[0]!, bundleChildren: 2 }, slices[1]!]))).toEqual({ ...whole, bundleChildrenNotReplayed: 2 });
  });

  it('count decisions whose facts were too large to keep apart from those stored before facts were kept', () => {
    const draft = { draftId: 'sim-b', item: tightened };
    const before: Replayable = { applicationId: 'OLD-1', decision: history[0]!.decision };
    const dropped: Replayable = { applicationId: 'BIG-1', decision: history[1]!.decision, factsDropped: 'size' };
    const slices = [tallySlice([...history.slice(0, 2), dropped], draft, calendar, PUBLISHED), tallySlice([...history.slice(2), before, { ...dropped, applicationId: 'BIG-2' }], draft, calendar, PUBLISHED)];
    const result = resultOf(mergeTallies(slices));
    expect(result.replayed).toBe(4);
    expect(result.notReplayable).toBe(3);
    expect(result.notReplayableBy).toEqual({ storedBeforeFacts: 1, factsOverBudget: 2 });
    // A tally stored before the two were told apart counts all as stored before facts were kept.
    const { factsOverBudget: _, ...older } = slices[1]!;
    expect(resultOf(mergeTallies([older])).notReplayableBy).toEqual({ storedBeforeFacts: 2, factsOverBudget: 0 });
  });

  it('compare the draft with its published version decided again by the same engine: a draft that changes nothing shows no change', () => {
    // Decided before the rules read a person's birth date from the ID number: no birthDate in the profile,
    // so the age rule was unknown and the application went to a person.
    const adult = makeIdNumber('440106', '19900101', '123');
    const input = {
      application: criminalApp({ applicationId: 'P-1', applicant: { ...PERSON, id: adult } }),
      profile: { residenceDistrict: '天河区' },
      licences: [{ ...idCard, holderId: adult }],
      now: NOW,
    };
    const today = decide({ ...input, item: criminalRecordItem, calendar });
    expect(today.outcome).toBe('APPROVED_ON_COMMITMENT');
    const storedThen = { ...today, outcome: 'MANUAL_REVIEW' as const, reasons: [{ code: 'RULE_UNKNOWN' as const, message: '以下信息无法确认，转人工审核：申请人年满18周岁' }] };
    const entries: Replayable[] = [{ applicationId: 'P-1', decision: storedThen, facts: factsOf(input) }];
    const unchanged: ServiceItem = { ...criminalRecordItem, version: criminalRecordItem.version + 1 };

    const result = resultOf(tallySlice(entries, { draftId: 'sim-same', item: unchanged }, calendar, new Map([[criminalRecordItem.version, criminalRecordItem]])));
    expect(result.transitions).toEqual([{ from: 'APPROVED_ON_COMMITMENT', to: 'APPROVED_ON_COMMITMENT', count: 1 }]);
    expect(result.regressions).toEqual([]);
    expect(result.instantApprovalRate.baseline).toEqual(result.instantApprovalRate.projected);
    // A version no longer published: compared with the decision as stored.
    const asStored = resultOf(tallySlice(entries, { draftId: 'sim-same-2', item: unchanged }, calendar, new Map()));
    expect(asStored.transitions).toEqual([{ from: 'MANUAL_REVIEW', to: 'APPROVED_ON_COMMITMENT', count: 1 }]);
  });
});

const noPolicies: SimulationPorts['policies'] = {
  slices: 4,
  current: async () => undefined,
  shardProfiles: async () => [],
  credits: async () => undefined,
  pushed: async () => new Set(),
};

class MemoryStore implements SimulationStore {
  jobs = new Map<string, SimulationJob>();
  slices = new Map<string, Map<number, AnyTally>>();
  pending = new Set<string>();
  queuedAt = new Map<string, string>();
  storedAt = new Map<string, string[]>();
  async createJob(job: SimulationJob) {
    this.jobs.set(job.simulationId, job);
    this.pending.add(job.simulationId);
  }
  async markJobQueued(job: Pick<SimulationJob, 'simulationId'>, at: string) {
    this.pending.delete(job.simulationId);
    if (!this.queuedAt.has(job.simulationId)) this.queuedAt.set(job.simulationId, at);
  }
  async pendingJobs(createdUpTo: string) {
    return [...this.pending].map((id) => this.jobs.get(id)!).filter((j) => j.createdAt <= createdUpTo);
  }
  createKeyedJob(): never {
    throw new Error('not used here');
  }
  loadKey(): never {
    throw new Error('not used here');
  }
  markQueued(): never {
    throw new Error('not used here');
  }
  removeOrphanedEntry(): never {
    throw new Error('not used here');
  }
  async hasSlice(id: string, shard: number) {
    return this.slices.get(id)?.has(shard) ?? false;
  }
  async loadJob(id: string) {
    const job = this.jobs.get(id);
    return job === undefined ? undefined : { job, queued: !this.pending.has(id) };
  }
  async putSlice(id: string, shard: number, tally: AnyTally, at: string) {
    const m = this.slices.get(id) ?? new Map<number, AnyTally>();
    this.slices.set(id, m);
    if (m.has(shard)) return false;
    m.set(shard, tally);
    this.storedAt.set(id, [...(this.storedAt.get(id) ?? []), at]);
    return true;
  }
  async load(id: string) {
    const job = this.jobs.get(id);
    if (job === undefined) return undefined;
    const times = [this.queuedAt.get(id) ?? job.createdAt, ...(this.storedAt.get(id) ?? [])];
    const progressedAt = times.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
    return { job, slices: this.slices.get(id) ?? new Map(), queued: !this.pending.has(id), progressedAt };
  }
}

describe('the simulation service', () => {
  it('fans out one slice per shard, shows progress, and counts a redelivered slice once', async () => {
    const store = new MemoryStore();
    const sent: { simulationId: string; shard: number }[] = [];
    const reads: number[] = [];
    const service = createSimulationService({
      store,
      policies: noPolicies,
      decisions: async (itemCode, shard) => (reads.push(shard), itemCode === 'CG-017' && shard === 3 ? history : []),
      // Bundle applications with a decided child of the item: two in shard 3, one in shard 5.
      bundleChildren: async (itemCode, shard, window) => (itemCode === 'CG-017' && window.from === FROM && window.to === TO ? ({ 3: 2, 5: 1 } as Record<number, number>)[shard] ?? 0 : 0),
      itemVersion: async (itemCode, version) => (itemCode === posterItem.itemCode ? PUBLISHED.get(version) : undefined),
      sendSlices: async (events) => void sent.push(...events.map((e) => e.data)),
      calendar: () => calendar,
      now: () => NOW,
      newId: () => 'sim-1',
      info: () => undefined,
      count: () => undefined,
    });
    const job = await service.start({ draft: tightened, from: FROM, to: TO }, '/auditors/district');
    expect(sent.map((s) => s.shard)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    await service.runSlice({ simulationId: 'sim-1', shard: 3 });
    await service.runSlice({ simulationId: 'sim-1', shard: 3 });
    // The redelivery finds the slice's tally stored and reads (and replays) nothing again.
    expect(reads).toEqual([3]);
    const running = await service.read(job.simulationId);
    expect(running).toMatchObject({ status: 'running', progress: { slices: 16, slicesDone: 1, applicationsReplayed: 4 } });
    expect(running?.result).toBeUndefined();
    for (const s of sent) await service.runSlice(s);
    const done = await service.read('sim-1');
    expect(done).toMatchObject({ status: 'done', itemCode: 'CG-017', draftVersion: 3, progress: { slicesDone: 16, applicationsReplayed: 4 } });
    expect(done?.kind === 'item' && done.result?.regressions.map((r) => r.applicationId)).toEqual(['A-2']);
    // The bundle children of the item are applications of it too: not replayed (no facts per child), but
    // counted, once per slice however often it is delivered, and in no other figure.
    expect(done?.kind === 'item' && done.result).toMatchObject({ replayed: 4, notReplayable: 0, bundleChildrenNotReplayed: 3 });
    expect(await service.read('sim-none')).toBeUndefined();
  });
});

describe('a simulation whose slices stop', () => {
  function setUp() {
    const store = new MemoryStore();
    const sent: { simulationId: string; shard: number }[] = [];
    let clock = Date.parse(NOW);
    const service = createSimulationService({
      store,
      policies: noPolicies,
      decisions: async () => [],
      bundleChildren: async () => 0,
      itemVersion: async () => undefined,
      sendSlices: async (events) => void sent.push(...events.map((e) => e.data)),
      calendar: () => calendar,
      now: () => new Date(clock).toISOString(),
      newId: () => 'sim-1',
      info: () => undefined,
      count: () => undefined,
    });
    return { store, sent, service, advance: (ms: number) => void (clock += ms) };
  }

  it('is shown stalled once no slice was stored for longer than the limit, and runs to done once its slices are redriven', async () => {
    const { STALL_MS } = await import('#simulation/domain/stall');
    const t = setUp();
    await t.service.start({ draft: tightened, from: FROM, to: TO }, '/auditors/district');
    await t.service.runSlice(t.sent[0]!);
    // The other 15 failed every delivery and went to the DLQ: no slice is stored again.
    t.advance(STALL_MS);
    expect(await t.service.read('sim-1')).toMatchObject({ status: 'running', progress: { slices: 16, slicesDone: 1 } });
    t.advance(1);
    expect(await t.service.read('sim-1')).toMatchObject({ status: 'stalled', progress: { slices: 16, slicesDone: 1 } });
    // Redriven: a slice stored moves it again.
    await t.service.runSlice(t.sent[1]!);
    expect(await t.service.read('sim-1')).toMatchObject({ status: 'running', progress: { slicesDone: 2 } });
    t.advance(STALL_MS + 1);
    expect((await t.service.read('sim-1'))?.status).toBe('stalled');
    for (const s of t.sent.slice(2)) await t.service.runSlice(s);
    t.advance(10 * STALL_MS);
    expect(await t.service.read('sim-1')).toMatchObject({ status: 'done', progress: { slicesDone: 16 } });
  });

  it('counts from when its slices were queued, not from its creation: a job the sweep queued late is running', async () => {
    const { STALL_MS } = await import('#simulation/domain/stall');
    const t = setUp();
    await t.store.createJob({ simulationId: 'sim-late', request: { draft: tightened, from: FROM, to: TO }, requestedBy: '/auditors/district', createdAt: NOW, slices: 16 });
    // Never queued: pending, however long (the sweep's to queue), never stalled.
    t.advance(3 * STALL_MS);
    expect((await t.service.read('sim-late'))?.status).toBe('pending');
    await t.store.markJobQueued({ simulationId: 'sim-late' }, new Date(Date.parse(NOW) + 3 * STALL_MS).toISOString());
    expect((await t.service.read('sim-late'))?.status).toBe('running');
    t.advance(STALL_MS + 1);
    expect((await t.service.read('sim-late'))?.status).toBe('stalled');
  });
});

// ---- policy drafts ----------------------------------------------------------------------------------

const POLICY_NOW = '2025-06-01T10:00:00+08:00';
const code = (n: number) => `9144010600000${String(n).padStart(4, '0')}X`;
/** Twelve enterprises: employees 0, 5, …, 55; every third without a size (needs info); #11 dishonest. */
const enterprises: EnterpriseProfile[] = Array.from({ length: 12 }, (_, n) =>
  profileOf({ creditCode: code(n), employees: n * 5, ...(n % 3 === 2 ? { size: undefined } : {}) }),
);
const dishonest = new Map([[code(11), creditOf({ subjectId: code(11), dishonest: true })]]);
const currentPolicy = policyOf({ budget: 100_000 });
// The draft adds a threshold on employees (≤ 30), and raises the amount.
const draftPolicy: Policy = {
  ...currentPolicy,
  version: 2,
  benefit: { ...currentPolicy.benefit, amount: 30_000 },
  criteria: { all: [...(currentPolicy.criteria as { all: never[] }).all, { id: 'T-EMP', description: '职工不超过30人', fact: 'enterprise.employees', op: 'lte', value: 30 } as never] },
};

describe('a policy draft', () => {
  it('is taken as {policy}, validated as a published one; the window fields are refused with it', () => {
    expect(parseRequest({ policy: draftPolicy })).toEqual({ ok: true, request: { policy: draftPolicy } });
    const bad = parseRequest({ policy: { ...draftPolicy, kind: 'gift' }, from: '2025-01-01T00:00:00Z' });
    expect(bad.ok ? [] : bad.errors.map((e) => e.path)).toEqual(['from', 'policy.kind']);
  });

  it('counts eligible / needs info / not eligible under both, the budget needed and pushed no longer covered', () => {
    const pushed = new Set([code(0), code(7), code(9)]);
    const input = { credits: dishonest, current: currentPolicy, draft: draftPolicy, pushed, now: POLICY_NOW, timeZone: 'Asia/Shanghai' };
    // Two slices, merged: the same as one.
    const whole = tallyPolicySlice({ ...input, profiles: enterprises });
    const merged = mergePolicyTallies([tallyPolicySlice({ ...input, profiles: enterprises.slice(0, 5) }), tallyPolicySlice({ ...input, profiles: enterprises.slice(5) })]);
    const result = policyResultOf(merged, draftPolicy);
    expect(result).toEqual(policyResultOf(whole, draftPolicy));
    // Current: sizes known for n % 3 != 2 → eligible 0,1,3,4,6,7,9,10 (8); needs info 2,5,8 (3); 11 dishonest.
    expect(result.current).toEqual({ eligible: 8, needsInfo: 3, ineligible: 0, excluded: 1 });
    // Draft: employees ≤ 30 → n ≤ 6: eligible 0,1,3,4,6 (5); needs info 2,5 (8 fails the new rule); 11 is
    // now ruled out by the criteria, so no longer counted as excluded for dishonesty.
    expect(result.draft).toEqual({ eligible: 5, needsInfo: 2, ineligible: 5, excluded: 0 });
    expect(result.transitions).toEqual([
      { from: 'eligible', to: 'eligible', count: 5 },
      { from: 'eligible', to: 'notEligible', count: 3 },
      { from: 'needsInfo', to: 'needsInfo', count: 2 },
      { from: 'needsInfo', to: 'notEligible', count: 1 },
      { from: 'notEligible', to: 'notEligible', count: 1 },
    ]);
    expect(result.budget).toEqual({ needed: 150_000, budget: 100_000, enough: false });
    expect(result.noLongerCovered).toEqual([code(7), code(9)]);
  });

  it('runs in registry-shard slices through the service and shows a policy view', async () => {
    const store = new MemoryStore();
    const sent: { simulationId: string; shard: number }[] = [];
    const service = createSimulationService({
      store,
      policies: {
        slices: 2,
        current: async (id) => (id === currentPolicy.policyId ? currentPolicy : undefined),
        shardProfiles: async (shard) => enterprises.filter((_, n) => n % 2 === shard),
        credits: async () => dishonest,
        pushed: async () => new Set([code(7), code(9), code(0)]),
      },
      decisions: async () => [],
      bundleChildren: async () => 0,
      itemVersion: async () => undefined,
      sendSlices: async (events) => void sent.push(...events.map((e) => e.data)),
      calendar: () => calendar,
      now: () => POLICY_NOW,
      newId: () => 'sim-p',
      info: () => undefined,
      count: () => undefined,
    });
    await service.start({ policy: draftPolicy }, '/auditors/district');
    expect(sent).toEqual([{ simulationId: 'sim-p', shard: 0 }, { simulationId: 'sim-p', shard: 1 }]);
    for (const s of [...sent, sent[0]!]) await service.runSlice(s);
    const view = await service.read('sim-p');
    expect(view).toMatchObject({ kind: 'policy', policyId: 'P-TEST', draftVersion: 2, status: 'done', progress: { slices: 2, slicesDone: 2, profilesMatched: 12 } });
    expect(view?.kind === 'policy' && view.result?.noLongerCovered).toEqual([code(7), code(9)]);
  });

  // A person policy is matched over the persons' shards, and its moves and pushes are named by ID number.
  it('simulates a person policy over person profiles', async () => {
    const store = new MemoryStore();
    const sent: { simulationId: string; shard: number }[] = [];
    const ids = { eightyTwo: makeIdNumber('440305', '19430301', '123'), ninety: makeIdNumber('440305', '19350301', '234') };
    const current = elderly();
    const stricter = elderly({ version: 2, criteria: { all: [{ id: 'E-AGE', description: '年满85周岁', fact: 'person.birthDate', op: 'ageAtLeast', value: 85 }] } });
    const asked: string[] = [];
    const service = createSimulationService({
      store,
      policies: {
        slices: 1,
        current: async () => current,
        shardProfiles: async (_shard, kind) => {
          asked.push(kind);
          return kind === 'person' ? [person(ids.eightyTwo), person(ids.ninety)] : [profileOf({})];
        },
        credits: async () => undefined,
        pushed: async () => new Set([ids.eightyTwo, ids.ninety]),
      },
      decisions: async () => [],
      bundleChildren: async () => 0,
      itemVersion: async () => undefined,
      sendSlices: async (events) => void sent.push(...events.map((e) => e.data)),
      calendar: () => calendar,
      now: () => '2025-06-01T10:00:00+08:00',
      newId: () => 'sim-person',
      info: () => undefined,
      count: () => undefined,
    });
    await service.start({ policy: stricter }, '/auditors/district');
    for (const s of sent) await service.runSlice(s);
    const view = await service.read('sim-person');
    expect(asked).toEqual(['person']);
    const result = view?.kind === 'policy' ? view.result : undefined;
    expect(result).toMatchObject({ profiles: 2, current: { eligible: 2 }, draft: { eligible: 1, ineligible: 1 } });
    expect(result?.transitions).toEqual(expect.arrayContaining([{ from: 'eligible', to: 'notEligible', count: 1 }, { from: 'eligible', to: 'eligible', count: 1 }]));
    expect(result?.noLongerCovered).toEqual([ids.eightyTwo]);
  });
  // Every slice sees the profiles as of one instant, the job's creation: a slice run after a midnight (its
  // queue was slow) does not count a birthday the others did not, so the result does not depend on timing.
  it('evaluates every slice at the instant the job was created, whenever the slice runs', async () => {
    const store = new MemoryStore();
    const sent: { simulationId: string; shard: number }[] = [];
    // Both turn 85 on 2 June 2025; one per shard.
    const ids = [makeIdNumber('440305', '19400602', '123'), makeIdNumber('440305', '19400602', '234')];
    const current = elderly({ policyId: 'P-ELDER-SIM-CLOCK' });
    const stricter = elderly({ policyId: 'P-ELDER-SIM-CLOCK', version: 2, criteria: { all: [{ id: 'E-AGE', description: '年满85周岁', fact: 'person.birthDate', op: 'ageAtLeast', value: 85 }] } });
    // Created at 23:50 on 1 June; shard 0 runs at 23:55, shard 1 after midnight.
    const clock = ['2025-06-01T23:50:00+08:00', '2025-06-01T23:55:00+08:00', '2025-06-02T00:10:00+08:00'];
    let tick = 0;
    const service = createSimulationService({
      store,
      policies: {
        slices: 2,
        current: async () => current,
        shardProfiles: async (shard) => [person(ids[shard]!)],
        credits: async () => undefined,
        pushed: async () => new Set<string>(),
      },
      decisions: async () => [],
      bundleChildren: async () => 0,
      itemVersion: async () => undefined,
      sendSlices: async (events) => void sent.push(...events.map((e) => e.data)),
      calendar: () => calendar,
      now: () => clock[Math.min(tick, clock.length - 1)]!,
      newId: () => 'sim-clock',
      info: () => undefined,
      count: () => undefined,
    });
    await service.start({ policy: stricter }, '/auditors/district');
    for (const s of sent) {
      tick++;
      await service.runSlice(s);
    }
    const view = await service.read('sim-clock');
    const result = view?.kind === 'policy' ? view.result : undefined;
    expect(result).toMatchObject({ profiles: 2, draft: { eligible: 0, ineligible: 2 } });
  });
});
