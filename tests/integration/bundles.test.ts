/**
 * 一件事 bundles in the catalogue, end to end through the local runtime: the two sample bundles
 * (企业开办 and 出生一件事) posted by /systems/catalog after their items, read back by GET /bundles; a newer
 * version superseding; a bundle naming an unpublished item or describing a material two ways refused with a
 * receipt naming the field and nothing stored; a bundle with an `after` cycle refused at the front door.
 */
import { callsOn, variants } from '#support/calls';
import { startLocal, sample, type Running } from '#support/runtime';

let rt: Running;
beforeAll(async () => {
  rt = await startLocal();
}, 120_000);
afterAll(async () => {
  await rt?.stop();
});

const CATALOG = '/systems/catalog';
const base = sample('gov.catalog.item.published', 'enterprise-startup-manual');

/** A published item of a bundle, built on a sample item, needing the ID card as an e-licence. */
function itemEvent(itemCode: string, materials: unknown[] = []): any {
  return {
    ...base,
    id: `catalog-bundle-item-${itemCode}`,
    data: { ...base.data, itemCode, name: `事项 ${itemCode}`, materials: [{ code: 'M-IDCARD', name: '居民身份证', licenceType: '居民身份证' }, ...materials] },
  };
}

const variant = variants('v');
/** A bundle sample with a fresh event id and its data changed. */
const bundleVariant = (name: string, data: Record<string, unknown> = {}) => variant('gov.catalog.bundle.published', name, data);
const { postAll: postAccepted } = callsOn(() => rt);

async function get(path: string, as?: string): Promise<{ status: number; body: any }> {
  const out = await rt.get(path, as ? { as } : {});
  return { status: out.status, body: out.body };
}

describe('一件事 bundles in the catalogue, through the running runtime', () => {
  it('stores both sample bundles once their items are published, and reads them back', async () => {
    const startUp = sample('gov.catalog.bundle.published', 'business-start-up');
    const newborn = sample('gov.catalog.bundle.published', 'newborn');
    const codes = [...startUp.data.items, ...newborn.data.items].map((i: { itemCode: string }) => i.itemCode);
    await postAccepted(codes.map((code) => itemEvent(code)));
    await rt.drain();
    await postAccepted([startUp, newborn]);
    await rt.drain();

    const read = await get('/bundles/YJS-QYKB', CATALOG);
    expect(read).toEqual({ status: 200, body: startUp.data });
    expect((await get('/bundles/YJS-CSYJS?version=1')).body).toEqual(newborn.data);
    expect(await get(`/events/${encodeURIComponent(startUp.id)}/receipt`, CATALOG)).toMatchObject({
      status: 200,
      body: { outcome: 'applied', effect: { resource: 'bundle', id: 'YJS-QYKB', version: 1, href: '/bundles/YJS-QYKB?version=1' } },
    });
    expect((await get('/bundles/YJS-NONE')).status).toBe(404);
  });

  it('lets a newer version supersede, and an inactive one deactivate', async () => {
    await postAccepted([bundleVariant('newborn', { version: 2, promisedDays: 3 })]);
    await rt.drain();
    expect((await get('/bundles/YJS-CSYJS')).body).toMatchObject({ version: 2, promisedDays: 3, active: true });
    await postAccepted([bundleVariant('newborn', { version: 3, active: false })]);
    await rt.drain();
    expect((await get('/bundles/YJS-CSYJS')).body).toMatchObject({ version: 3, active: false });
    expect((await get('/bundles/YJS-CSYJS?version=2')).body).toMatchObject({ version: 2, active: true });
  });

  it('refuses a bundle naming an unpublished item with a receipt naming the field, and stores nothing', async () => {
    const startUp = sample('gov.catalog.bundle.published', 'business-start-up');
    const items = [...startUp.data.items, { itemCode: 'QYKB-GJJ', required: false }];
    const event = bundleVariant('business-start-up', { bundleCode: 'YJS-QYKB-GJJ', items });
    await postAccepted([event]);
    await rt.drain();
    const receipt = await get(`/events/${encodeURIComponent(event.id)}/receipt`, CATALOG);
    expect(receipt).toMatchObject({
      status: 200,
      body: { outcome: 'refused', kind: 'BUNDLE_ITEM_UNKNOWN', details: { errors: [{ path: 'data.items[5].itemCode', message: 'no service item "QYKB-GJJ" has been published' }] } },
    });
    expect((await get('/bundles/YJS-QYKB-GJJ')).status).toBe(404);
  });

  it('refuses a bundle whose items describe one material two ways', async () => {
    await postAccepted([
      itemEvent('QYKB-ZJ-A', [{ code: 'M-CONSENT', name: '股东同意书', declared: true }]),
      itemEvent('QYKB-ZJ-B', [{ code: 'M-CONSENT', name: '股东同意书' }]),
    ]);
    await rt.drain();
    const event = bundleVariant('business-start-up', {
      bundleCode: 'YJS-QYKB-ZJ',
      items: [{ itemCode: 'QYKB-ZJ-A', required: true }, { itemCode: 'QYKB-ZJ-B', required: true }],
      questions: [],
    });
    await postAccepted([event]);
    await rt.drain();
    const receipt = await get(`/events/${encodeURIComponent(event.id)}/receipt`, CATALOG);
    expect(receipt.body).toMatchObject({ outcome: 'refused', kind: 'BUNDLE_MATERIAL_CONFLICT', details: { errors: [{ path: 'data.items[1].itemCode' }] } });
    expect(receipt.body.details.errors[0].message).toMatch(/material "M-CONSENT" has declared false in item "QYKB-ZJ-B" but true in item "QYKB-ZJ-A"/);
    expect((await get('/bundles/YJS-QYKB-ZJ')).status).toBe(404);
  });

  it('refuses an after cycle and an answer no question asks at the front door, naming the fields', async () => {
    const startUp = sample('gov.catalog.bundle.published', 'business-start-up');
    const items = structuredClone(startUp.data.items);
    items[0].after = ['QYKB-YZKZ'];
    items[2].appliesWhen.fact = 'answers.invoiceKind';
    const event = bundleVariant('business-start-up', { items });
    const out = await rt.post([event], { retries: 0 });
    expect(out.status).toBe(400);
    expect(out.body.rejected).toEqual([
      {
        id: event.id,
        errors: [
          { path: 'data.items[1].after[0]', message: 'closes a cycle of after: QYKB-SLDJ → QYKB-YZKZ → QYKB-SLDJ' },
          { path: 'data.items[2].appliesWhen.fact', message: 'asks answers.invoiceKind, but the bundle has no question with id "invoiceKind"' },
        ],
      },
    ]);
  });

  it('refuses a bundle from a source not allowed to post it', async () => {
    const event = { ...bundleVariant('newborn'), source: '/systems/window-acceptance' };
    expect((await rt.post([event], { retries: 0 })).status).toBe(403);
  });
});
