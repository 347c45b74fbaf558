// 沙盘推演: the request's refusals name their field; slices tally and merge; the service stores each slice once.
import { decide, factsOf, type Replayable, type ServiceItem } from '#approval';
import { parseRequest } from '#simulation/domain/request';
import { mergeTallies, resultOf, tallySlice, type SliceTally } from '#simulation/domain/tally';
import { createSimulationService } from '#simulation/service';
import type { SimulationJob, SimulationStore } from '#simulation/ports';
import { businessLicence, calendar, enterpriseProfile, NOW, posterApp, posterItem, propertyCert } from '../approval/fixtures';

const FROM = '2026-11-01T00:00:00+08:00';
const TO = '2026-12-01T00:00:00+08:00';

describe('a simulation request', () => {
  it('takes a draft valid as a published version and a window', () => {
    const parsed = parseRequest({ draft: posterItem, from: FROM, to: TO });
    expect(parsed).toEqual({ ok: true, request: { draft: posterItem, from: FROM, to: TO } });
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
const tightened: ServiceItem = {
  ...posterItem,
  version: 3,
  rules: { all: [{ id: 'P-1', description: '宣传品面积不超过30平方米', fact: 'form.areaSqm', op: 'lte', value: 30 }] },
};

describe('tallies', () => {
  it('count transitions, regressions with the flipping rule, 秒批率 and blocking facts', () => {
    const result = resultOf(tallySlice(history, { draftId: 'sim-t', item: tightened }, calendar));
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
    const slices = [tallySlice(history.slice(0, 2), draft, calendar), tallySlice([...history.slice(2), noFacts], draft, calendar)];
    const whole = resultOf(tallySlice([...history, noFacts], draft, calendar));
    expect(resultOf(mergeTallies(slices))).toEqual(whole);
    expect(resultOf(mergeTallies([...slices].reverse()))).toEqual(whole);
    expect(whole.notReplayable).toBe(1);
    expect(whole.replayed).toBe(4);
  });
});

class MemoryStore implements SimulationStore {
  jobs = new Map<string, SimulationJob>();
  slices = new Map<string, Map<number, SliceTally>>();
  async createJob(job: SimulationJob) {
    this.jobs.set(job.simulationId, job);
  }
  async loadJob(id: string) {
    return this.jobs.get(id);
  }
  async putSlice(id: string, shard: number, tally: SliceTally) {
    const m = this.slices.get(id) ?? new Map<number, SliceTally>();
    this.slices.set(id, m);
    if (m.has(shard)) return false;
    m.set(shard, tally);
    return true;
  }
  async load(id: string) {
    const job = this.jobs.get(id);
    return job === undefined ? undefined : { job, slices: this.slices.get(id) ?? new Map() };
  }
}

describe('the simulation service', () => {
  it('fans out one slice per shard, shows progress, and counts a redelivered slice once', async () => {
    const store = new MemoryStore();
    const sent: { simulationId: string; shard: number }[] = [];
    const service = createSimulationService({
      store,
      decisions: async (itemCode, shard) => (itemCode === 'CG-017' && shard === 3 ? history : []),
      sendSlices: async (events) => void sent.push(...events.map((e) => e.data)),
      calendar: () => calendar,
      now: () => NOW,
      newId: () => 'sim-1',
      info: () => undefined,
    });
    const job = await service.start({ draft: tightened, from: FROM, to: TO }, '/auditors/district');
    expect(sent.map((s) => s.shard)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    await service.runSlice({ simulationId: 'sim-1', shard: 3 });
    await service.runSlice({ simulationId: 'sim-1', shard: 3 });
    const running = await service.read(job.simulationId);
    expect(running).toMatchObject({ status: 'running', progress: { slices: 16, slicesDone: 1, applicationsReplayed: 4 } });
    expect(running?.result).toBeUndefined();
    for (const s of sent) await service.runSlice(s);
    const done = await service.read('sim-1');
    expect(done).toMatchObject({ status: 'done', itemCode: 'CG-017', draftVersion: 3, progress: { slicesDone: 16, applicationsReplayed: 4 } });
    expect(done?.result?.regressions.map((r) => r.applicationId)).toEqual(['A-2']);
    expect(await service.read('sim-none')).toBeUndefined();
  });
});
