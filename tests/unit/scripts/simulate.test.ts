// npm run simulate: the request a command line asks for, and the tables it prints.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '#local/cli';
import { pollSimulation, postSimulation, renderResult, SIMULATE, simulationRequest } from '#scripts/simulate';
import { simulationHtml } from '#scripts/simulate-html';
import type { ItemSimulationView } from '#simulation';

const NOW = new Date('2026-12-03T00:00:00.000Z');
const item = { itemCode: 'CG-0107', version: 4 };
const files: Record<string, string> = {
  'bare.json': JSON.stringify(item),
  'event.json': JSON.stringify({ specversion: '1.0', type: 'gov.catalog.item.published', data: item }),
  'broken.json': '{',
  'policy.json': JSON.stringify({ specversion: '1.0', type: 'gov.policy.published', data: { policyId: 'P-1', criteria: {} } }),
};
const read = (f: string) => {
  if (!(f in files)) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
  return files[f]!;
};
const cli = (positionals: string[], values: Record<string, string> = {}) => ({ positionals, values });
const ROOT = join(import.meta.dirname, '../../..');

describe('npm run simulate', () => {
  it('takes a bare draft or a published-item event, over the last 90 days by default', () => {
    expect(simulationRequest(cli(['bare.json']), NOW, read)).toEqual({ draft: item, from: '2026-09-04T00:00:00.000Z', to: '2026-12-03T00:00:00.000Z' });
    expect(simulationRequest(cli(['event.json'], { days: '7' }), NOW, read)).toEqual({ draft: item, from: '2026-11-26T00:00:00.000Z', to: '2026-12-03T00:00:00.000Z' });
    const given = { from: '2026-11-01T00:00:00+08:00', to: '2026-11-06T00:00:00+08:00' };
    expect(simulationRequest(cli(['bare.json'], given), NOW, read)).toEqual({ draft: item, ...given });
  });

  it('shows in --help an example a newcomer can run as it stands: its draft is a file of the repository', () => {
    // It once named draft-CG-0107.json, which nobody had: the example failed with "no such file".
    const example = SIMULATE.notes!.map((line) => line.match(/^\s+npm run simulate -- (\S+)(.*)$/)).find((m) => m !== null);
    expect(example).toBeDefined();
    const [, file, rest] = example!;
    expect([file, existsSync(join(ROOT, file!))]).toEqual([file, true]);
    const from = rest!.match(/--from (\S+)/)?.[1];
    const request = simulationRequest(cli([file!], from === undefined ? {} : { from }), NOW, (f) => readFileSync(join(ROOT, f), 'utf8'));
    expect(request).toMatchObject({ draft: { itemCode: 'CG-0107' } });
  });

  it('takes a policy draft without a window', () => {
    expect(simulationRequest(cli(['policy.json']), NOW, read)).toEqual({ policy: { policyId: 'P-1', criteria: {} } });
    expect(() => simulationRequest(cli(['policy.json'], { days: '7' }), NOW, read)).toThrow(/^a policy draft is matched over the current profiles/);
  });

  it('prints the classes of a policy draft, the budget and the pushed entitlements no longer covered', () => {
    const text = renderResult({
      kind: 'policy',
      simulationId: 'sim-p',
      policyId: 'P-1',
      draftVersion: 2,
      requestedBy: '/auditors/district',
      createdAt: '2026-12-03T00:00:00.000Z',
      status: 'done',
      progress: { slices: 64, slicesDone: 64, profilesMatched: 12 },
      result: {
        profiles: 12,
        current: { eligible: 8, needsInfo: 3, ineligible: 0, excluded: 1 },
        draft: { eligible: 5, needsInfo: 2, ineligible: 5, excluded: 0 },
        transitions: [{ from: 'eligible', to: 'notEligible', count: 3 }],
        budget: { needed: 150000, budget: 100000, enough: false },
        noLongerCovered: ['91440106000000007X'],
        draftInactive: null,
      },
    });
    expect(text).toMatch(/draft\s+5\s+2\s+5\s+0/);
    expect(text).toContain('budget needed by the draft: 150,000; budget: 100,000 — NOT ENOUGH');
    expect(text).toContain('pushed entitlements the draft would no longer cover (never withdrawn): 1\n  91440106000000007X');
  });

  it('says in one line what is wrong with the command line', () => {
    expect(() => simulationRequest(cli([]), NOW, read)).toThrow(new UsageError('name the draft: npm run simulate -- <draft.json> (see --help)'));
    expect(() => simulationRequest(cli(['none.json']), NOW, read)).toThrow('none.json: no such file');
    expect(() => simulationRequest(cli(['broken.json']), NOW, read)).toThrow(/^broken.json: not JSON/);
    expect(() => simulationRequest(cli(['bare.json'], { from: 'last week' }), NOW, read)).toThrow(/^--from: expected an ISO 8601 date-time/);
    expect(() => simulationRequest(cli(['bare.json'], { days: '0' }), NOW, read)).toThrow(/^--days: expected a whole number/);
  });

  it('prints transitions, rates, regressions with the rule that flipped them, and blocking facts', () => {
    const text = renderResult(view, 1);
    expect(text).toContain('APPROVED       REJECTED       2');
    expect(text).toMatch(/秒批率\s+66\.7%\s+0\.0%/);
    expect(text).toContain('regressions (approvals that would become anything else): 2');
    expect(text).toContain('A-1          REJECTED  R-AREA 面积不超过10平方米');
    expect(text).toContain('… and 1 more (GET /simulations/sim-1)');
    expect(text).toMatch(/applicant\.safetyChecked\s+1/);
    expect(text).not.toContain('bundle');
  });

  it('says how many 一件事 bundle applications of the item were not replayed, in text and on the page', () => {
    const withChildren = { ...view, result: { ...view.result!, bundleChildrenNotReplayed: 2 } };
    expect(renderResult(withChildren, 1)).toContain('not replayed: 2 一件事 bundle applications with a child decided on this item');
    expect(simulationHtml(withChildren)).toContain('<b>2</b><span>一件事子项（未重放）</span>');
    expect(simulationHtml(view)).not.toContain('一件事子项（未重放）');
  });

  it('writes a page in the report\'s style: key figures, charts, every regression', () => {
    const html = simulationHtml(view);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toContain('<script');
    expect(html.match(/<figure class="chart" data-chart="(regressions|changes|unchanged|blocking-facts)">/g)).toHaveLength(4);
    expect(html).toContain('<b>66.7%</b><span>秒批率（现行）</span>');
    expect(html).toContain('<td>A-2</td><td>不予批准 REJECTED</td><td>RULE_FALSE</td><td>R-AREA 面积不超过10平方米</td>');
    expect(html).toContain('<tr><td>applicant.safetyChecked</td><td class="num">1</td></tr>');
    expect(html).toContain('批准 → 不予批准');
    expect(() => simulationHtml({ ...view, status: 'running', result: undefined } as ItemSimulationView)).toThrow('sim-1 is not done');
  });
});

const view: ItemSimulationView = {
  kind: 'item',
  simulationId: 'sim-1',
  itemCode: 'CG-0107',
  draftVersion: 4,
  window: { from: '2026-11-01T00:00:00+08:00', to: '2026-11-06T00:00:00+08:00' },
  requestedBy: '/auditors/district',
  createdAt: '2026-12-03T00:00:00.000Z',
  status: 'done',
  progress: { slices: 16, slicesDone: 16, applicationsReplayed: 3 },
  result: {
    replayed: 3,
    notReplayable: 0,
    notReplayableBy: { storedBeforeFacts: 0, factsOverBudget: 0 },
    bundleChildrenNotReplayed: 0,
    transitions: [
      { from: 'APPROVED', to: 'REJECTED', count: 2 },
      { from: 'MANUAL_REVIEW', to: 'MANUAL_REVIEW', count: 1 },
    ],
    regressions: [
      { applicationId: 'A-1', from: 'APPROVED', to: 'REJECTED', reasons: ['RULE_FALSE'], rules: [{ id: 'R-AREA', description: '面积不超过10平方米', fact: 'form.areaSqm' }] },
      { applicationId: 'A-2', from: 'APPROVED', to: 'REJECTED', reasons: ['RULE_FALSE'], rules: [{ id: 'R-AREA', description: '面积不超过10平方米', fact: 'form.areaSqm' }] },
    ],
    instantApprovalRate: { baseline: 2 / 3, projected: 0 },
    materialsWaived: { baseline: 3, projected: 3 },
    blockingFacts: [{ fact: 'applicant.safetyChecked', applications: 1 }],
  },
};

describe('npm run simulate posting the request', () => {
  /** A runtime that answers the first `failures` posts with a 503, then 202; it records each post's headers. */
  function runtime(failures: number) {
    const posts: Record<string, string>[] = [];
    const fake = (async (_url: string, init: RequestInit) => {
      posts.push({ ...(init.headers as Record<string, string>) });
      const ok = posts.length > failures;
      return new Response(JSON.stringify(ok ? { simulationId: 'sim-1', href: '/simulations/sim-1' } : { error: 'storage unavailable' }), {
        status: ok ? 202 : 503,
        headers: ok ? {} : { 'retry-after': '2' },
      });
    }) as typeof fetch;
    return { posts, fake };
  }
  const signed = () => ({ 'x-signed': 'yes' });

  it('sends one Idempotency-Key with every try of a post answered 5xx, and a new one on the next run', async () => {
    const slept: number[] = [];
    const first = runtime(2);
    const out = await postSimulation('http://rt', '{}', signed, { fetch: first.fake, sleep: async (ms) => void slept.push(ms), now: () => 0 });
    expect(out).toEqual({ status: 202, answer: { simulationId: 'sim-1', href: '/simulations/sim-1' } });
    expect(slept).toEqual([2000, 2000]);
    const keys = first.posts.map((h) => h['idempotency-key']);
    expect(keys).toHaveLength(3);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys).size).toBe(1);
    const second = runtime(0);
    await postSimulation('http://rt', '{}', signed, { fetch: second.fake, sleep: async () => undefined, now: () => 0 });
    expect(second.posts[0]!['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.posts[0]!['idempotency-key']).not.toBe(keys[0]);
  });

  it('gives up after a minute of 5xx and answers the last one', async () => {
    let clock = 0;
    const { posts, fake } = runtime(1000);
    const out = await postSimulation('http://rt', '{}', signed, { fetch: fake, sleep: async (ms) => void (clock += ms), now: () => clock });
    expect(out.status).toBe(503);
    expect(posts.length).toBe(30);
  });
});

describe('npm run simulate waiting for the result', () => {
  /** A runtime answering GET /simulations/sim-1 with each of `views` in turn (the last one from then on). */
  function runtime(views: Array<{ status: string; slicesDone: number }>) {
    let reads = 0;
    const fake = (async () => {
      const v = views[Math.min(reads++, views.length - 1)]!;
      return new Response(JSON.stringify({ simulationId: 'sim-1', kind: 'item', status: v.status, progress: { slices: 16, slicesDone: v.slicesDone, applicationsReplayed: 0 } }), { status: 200 });
    }) as typeof fetch;
    return { fake, reads: () => reads };
  }
  const signed = () => ({});

  it('answers the simulation once it is done, telling each change of progress', async () => {
    const seen: number[] = [];
    const { fake } = runtime([
      { status: 'running', slicesDone: 0 },
      { status: 'running', slicesDone: 0 },
      { status: 'running', slicesDone: 9 },
      { status: 'done', slicesDone: 16 },
    ]);
    const view = await pollSimulation('http://rt', 'sim-1', signed, { fetch: fake, sleep: async () => undefined, onProgress: (p) => void seen.push(p.slicesDone) });
    expect(view.status).toBe('done');
    expect(seen).toEqual([0, 9, 16]);
  });

  it('stops at a stalled simulation, saying where its slices are and how to redrive them, instead of waiting for ever', async () => {
    const { fake, reads } = runtime([
      { status: 'running', slicesDone: 3 },
      { status: 'stalled', slicesDone: 3 },
    ]);
    await expect(pollSimulation('http://rt', 'sim-1', signed, { fetch: fake, sleep: async () => undefined })).rejects.toThrow(
      /simulation sim-1 is stalled at 3\/16 slices.*simulation DLQ.*npm run redrive -- simulation/,
    );
    expect(reads()).toBe(2);
  });
});
