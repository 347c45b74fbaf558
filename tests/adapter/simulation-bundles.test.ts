/**
 * What an item simulation reads of 一件事 bundle applications (shared/approval/store/replayable.ts) against
 * DynamoDB Local: their children decided on the item are applications of it too, but a bundle version keeps
 * no facts per child, so they are counted per shard and window (not replayed), and never read as replayable
 * first decisions.
 */
import { decideBundle, type BundleApplication, type BundleState } from '#approval/domain/bundle/application';
import { reviewBundleChild } from '#approval/domain/bundle/later';
import type { Cause } from '#approval/domain/decision';
import type { ServiceItem } from '#approval/domain/types';
import { bundleAudit } from '#approval/service/bundle-messages';
import { useTestDynamo } from '#support/dynamo';
import { calendar } from '../unit/approval/fixtures';
import { FOUNDER, item, startUp } from '../unit/approval/bundle/fixtures';

const db = useTestDynamo();
let bundles: typeof import('#approval/store/bundle');
let replayable: typeof import('#approval/store/replayable');
let packing: typeof import('#approval/store/packing');
let keys: typeof import('#approval/store/keys');
beforeAll(async () => {
  bundles = await import('#approval/store/bundle');
  replayable = await import('#approval/store/replayable');
  packing = await import('#approval/store/packing');
  keys = await import('#approval/store/keys');
});

const NOW = '2026-11-18T02:00:00.000Z';
const WINDOW = { from: '2026-11-01T00:00:00+08:00', to: '2026-12-01T00:00:00+08:00' };
const ARTICLES = { code: 'M-ARTICLES', name: '公司章程', declared: true };
const items = new Map<string, ServiceItem>(['QYKB-SLDJ', 'QYKB-YZKZ', 'QYKB-FPSL', 'QYKB-YHKH'].map((code) => [code, item(code, `证照-${code}`, [ARTICLES])] as const));
items.set('QYKB-SBDJ', item('QYKB-SBDJ', '社保登记证', [ARTICLES], { mode: 'manual' }));
const cause = (id: string, type = 'gov.application.submitted'): Cause => ({ source: '/systems/window-acceptance', id, type });

function application(applicationId: string, submittedAt = NOW): BundleApplication {
  return { applicationId, bundleCode: startUp.bundleCode, applicant: FOUNDER, form: { enterpriseName: '某某公司' }, answers: { needsInvoice: false, hiresStaff: true }, materials: [{ code: 'M-ARTICLES', provided: true }], channel: 'online', submittedAt };
}

async function submitted(app: BundleApplication): Promise<BundleState> {
  const state = decideBundle(app, { bundle: startUp, items, licences: [], now: NOW, calendar });
  const c = cause(`e-${app.applicationId}`);
  expect(await bundles.bundleStore.createBundle({ application: app, applicationHash: 'h', receivedAt: NOW, state, cause: c, causeKind: 'submitted', audit: bundleAudit(state, c, 'decided', NOW) })).toBe('stored');
  return state;
}

const everyShard = <T>(read: (shard: number) => Promise<T>) => Promise.all(Array.from({ length: 16 }, (_, shard) => read(shard)));
const counted = async (itemCode: string, window = WINDOW) => (await everyShard((s) => replayable.bundleChildrenDecided(itemCode, s, window))).reduce((a, b) => a + b, 0);

describe('the bundle children an item simulation counts', () => {
  it('counts each bundle application in the window with a decided child of the item, once, in its own shard', async () => {
    const ids = ['YJS-SIM-1', 'YJS-SIM-2', 'YJS-SIM-3'];
    const states = await Promise.all(ids.map((id) => submitted(application(id))));
    await submitted(application('YJS-SIM-OLD', '2026-10-20T09:00:00+08:00'));
    // Every child but the invoice one (needsInvoice: false) was decided; 社保登记 waits for a person.
    expect(states[0]!.children.map((c) => [c.itemCode, c.decision?.outcome])).toEqual([
      ['QYKB-SLDJ', 'APPROVED'],
      ['QYKB-YZKZ', 'APPROVED'],
      ['QYKB-FPSL', undefined],
      ['QYKB-SBDJ', 'MANUAL_REVIEW'],
      ['QYKB-YHKH', 'APPROVED'],
    ]);
    // A later version (a person's decision on one child) is read, not the first: still one application.
    const t = reviewBundleChild(states[1]!, { outcome: 'APPROVED', reasons: [], staffId: 'S-1', at: NOW, itemCode: 'QYKB-SBDJ' }, { bundle: startUp, items, licences: [], now: NOW, calendar });
    if (!t.ok) throw new Error('refused');
    const rc = cause('e-YJS-SIM-2-review', 'gov.application.reviewed');
    expect(await bundles.bundleStore.storeBundleVersion({ state: t.state, cause: rc, causeKind: 'reviewed', audit: bundleAudit(t.state, rc, 'reviewed', NOW) })).toBe('stored');

    expect(await counted('QYKB-SLDJ')).toBe(3);
    expect(await counted('QYKB-SBDJ')).toBe(3);
    // Not applicable, so never decided: no application of the item.
    expect(await counted('QYKB-FPSL')).toBe(0);
    expect(await counted('QX-001')).toBe(0);
    // The window is the bundle's submission time: from inclusive, to exclusive.
    expect(await counted('QYKB-SLDJ', { from: '2026-10-01T00:00:00+08:00', to: '2026-11-01T00:00:00+08:00' })).toBe(1);
    expect(await counted('QYKB-SLDJ', { from: '2026-10-01T00:00:00+08:00', to: '2026-10-20T09:00:00+08:00' })).toBe(0);
    // Each in the shard of its application id, as the slices are cut.
    const shards = await everyShard((s) => replayable.bundleChildrenDecided('QYKB-SLDJ', s, WINDOW));
    const expected = new Array<number>(16).fill(0);
    for (const id of ids) expected[Number(keys.decisionIndexKeys(id, startUp.bundleCode).itemShard.slice('DECISION#'.length))]!++;
    expect(shards).toEqual(expected);
  });

  it('are not replayable: a bundle version keeps no facts per child, and none is read as a first decision', async () => {
    await submitted(application('YJS-SIM-4'));
    const v1 = await db().get('approvals', { pk: bundles.bundlePkOf('YJS-SIM-4'), sk: 'V#000001' });
    const body = v1!.bodyZ === undefined ? { json: v1!.body as string } : packing.unpack(v1!.bodyZ as Uint8Array);
    expect(body.factsJson).toBeUndefined();
    expect((await everyShard((s) => replayable.replayableDecisions('QYKB-SLDJ', s, WINDOW))).flat()).toEqual([]);
  });
});

