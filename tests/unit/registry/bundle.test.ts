/**
 * 一件事 bundles in the registry: the catalogue checks the edge cannot make (domain/bundle.ts), and the use
 * case that stores bundle versions like item versions, or refuses a bundle with a receipt naming the field.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceBundle, ServiceItem } from '#contract/schemas';
import type { EventRef } from '#platform/receipts';
import { bundleCatalogProblems } from '#registry/domain/bundle';
import { QUIET_POWERTOOLS, useEnv } from '#support/logs';
import { memoryRegistry } from '#support/memory/registry';

// Read when the Powertools logger and metrics are created, on the service's import: quiet for this file.
useEnv(QUIET_POWERTOOLS);
const { applyReferenceData } = await import('#registry/service');

const ROOT = join(import.meta.dirname, '../../..');
const dataOf = <T>(path: string): T => (JSON.parse(readFileSync(join(ROOT, 'events/samples', `${path}.json`), 'utf8')) as { data: T }).data;
const AT = '2026-11-05T06:00:00.000Z';
const startUp = dataOf<ServiceBundle>('gov.catalog.bundle.published/business-start-up');
const base = dataOf<ServiceItem>('gov.catalog.item.published/enterprise-startup-manual');

/** An item of the start-up bundle; every one needs the ID card, as an e-licence. */
const item = (itemCode: string, materials: ServiceItem['materials'] = []): ServiceItem => ({
  ...base,
  itemCode,
  materials: [{ code: 'M-IDCARD', name: '居民身份证', licenceType: '居民身份证' }, ...materials],
});
const catalogue = (...items: ServiceItem[]) => new Map(items.map((i) => [i.itemCode, i]));
const ALL = ['QYKB-SLDJ', 'QYKB-YZKZ', 'QYKB-FPSL', 'QYKB-SBDJ', 'QYKB-YHKH'].map((code) => item(code));

let serial = 0;
const ref = (): EventRef => ({ source: '/systems/catalog', id: `bundle-unit-${++serial}`, type: 'gov.catalog.bundle.published' });

describe('a bundle against the catalogue', () => {
  it('fits when every item is published and each material means one thing', () => {
    expect(bundleCatalogProblems(startUp, catalogue(...ALL))).toEqual([]);
  });

  it('names every item code never published, at its field', () => {
    const problems = bundleCatalogProblems(startUp, catalogue(...ALL.filter((i) => i.itemCode !== 'QYKB-FPSL' && i.itemCode !== 'QYKB-YHKH')));
    expect(problems).toEqual([
      { kind: 'BUNDLE_ITEM_UNKNOWN', path: 'data.items[2].itemCode', message: 'no service item "QYKB-FPSL" has been published' },
      { kind: 'BUNDLE_ITEM_UNKNOWN', path: 'data.items[4].itemCode', message: 'no service item "QYKB-YHKH" has been published' },
    ]);
  });

  it('refuses a material whose licenceType or declared differs between items, naming the later item', () => {
    const items = [...ALL];
    items[1] = item('QYKB-YZKZ', [{ code: 'M-SEAL-FORM', name: '印章刻制申请表', declared: true }]);
    items[3] = item('QYKB-SBDJ', [{ code: 'M-SEAL-FORM', name: '印章刻制申请表' }]);
    items[4] = { ...item('QYKB-YHKH'), materials: [{ code: 'M-IDCARD', name: '居民身份证', licenceType: '护照' }] };
    expect(bundleCatalogProblems(startUp, catalogue(...items))).toEqual([
      { kind: 'BUNDLE_MATERIAL_CONFLICT', path: 'data.items[3].itemCode', message: 'material "M-SEAL-FORM" has declared false in item "QYKB-SBDJ" but true in item "QYKB-YZKZ" (items[1])' },
      { kind: 'BUNDLE_MATERIAL_CONFLICT', path: 'data.items[4].itemCode', message: 'material "M-IDCARD" has licenceType "护照" in item "QYKB-YHKH" but "居民身份证" in item "QYKB-SLDJ" (items[0])' },
    ]);
  });

  it('lets items differ in what the merge settles (trust level, tolerable)', () => {
    const items = [...ALL];
    items[0] = item('QYKB-SLDJ', [{ code: 'M-LEASE', name: '租赁合同', tolerable: true }]);
    items[1] = { ...item('QYKB-YZKZ', [{ code: 'M-LEASE', name: '租赁合同' }]), materials: [{ code: 'M-IDCARD', name: '居民身份证', licenceType: '居民身份证', minTrustLevel: 'A' }, { code: 'M-LEASE', name: '租赁合同' }] };
    expect(bundleCatalogProblems(startUp, catalogue(...items))).toEqual([]);
  });
});

describe('registry service: bundle versions', () => {
  const registryWith = async (items: readonly ServiceItem[]) => {
    const reg = memoryRegistry(AT);
    for (const i of items) await applyReferenceData({ kind: 'reference', ref: { ...ref(), type: 'gov.catalog.item.published' }, change: { kind: 'item', item: i } }, reg.ports);
    return reg;
  };
  const publish = (reg: ReturnType<typeof memoryRegistry>, bundle: ServiceBundle, eventRef = ref()) =>
    applyReferenceData({ kind: 'reference', ref: eventRef, change: { kind: 'bundle', bundle } }, reg.ports);

  it('stores a version and makes it current; a newer one supersedes it, an older one arriving late does not', async () => {
    const reg = await registryWith(ALL);
    const v2 = await publish(reg, { ...startUp, version: 2 });
    expect(v2).toMatchObject({ outcome: 'applied', details: { current: true }, effect: { resource: 'bundle', id: 'YJS-QYKB', version: 2, href: '/bundles/YJS-QYKB?version=2' } });
    expect(await publish(reg, startUp)).toMatchObject({ outcome: 'applied', details: { current: false } });
    expect(reg.currentBundles.get('YJS-QYKB')?.version).toBe(2);
    expect([...reg.bundleVersions.keys()].sort()).toEqual(['YJS-QYKB@1', 'YJS-QYKB@2']);
    await publish(reg, { ...startUp, version: 3, active: false });
    expect(reg.currentBundles.get('YJS-QYKB')).toMatchObject({ version: 3, active: false });
  });

  it('answers a redelivery with its first receipt, a re-publication with REPLAY, other content with VERSION_CONFLICT', async () => {
    const reg = await registryWith(ALL);
    const event = ref();
    const first = await publish(reg, startUp, event);
    expect(await publish(reg, startUp, event)).toEqual(first);
    expect(await publish(reg, startUp)).toMatchObject({ outcome: 'noEffect', kind: 'REPLAY', reason: expect.stringMatching(/^bundle YJS-QYKB version 1/) });
    const other = await publish(reg, { ...startUp, promisedDays: 3 });
    expect(other).toMatchObject({ outcome: 'refused', kind: 'VERSION_CONFLICT' });
    expect(reg.bundleVersions.get('YJS-QYKB@1')?.bundle.promisedDays).toBe(1);
    expect(reg.conflicts).toEqual([expect.objectContaining({ kind: 'bundle', key: 'YJS-QYKB@1' })]);
  });

  it('refuses a bundle naming an unpublished item with a receipt naming the field, and stores nothing', async () => {
    const reg = await registryWith(ALL.filter((i) => i.itemCode !== 'QYKB-SBDJ'));
    const event = ref();
    const receipt = await publish(reg, startUp, event);
    expect(receipt).toMatchObject({
      outcome: 'refused',
      kind: 'BUNDLE_ITEM_UNKNOWN',
      reason: 'bundle YJS-QYKB version 1 was not stored: data.items[3].itemCode no service item "QYKB-SBDJ" has been published',
      details: { errors: [{ path: 'data.items[3].itemCode', message: 'no service item "QYKB-SBDJ" has been published' }] },
    });
    expect(reg.bundleVersions.size + reg.currentBundles.size).toBe(0);
    expect(reg.receipts.get(`${event.source}#${event.id}`)).toEqual(receipt);
  });

  it('refuses a material conflict with its own kind', async () => {
    const items = [...ALL];
    items[2] = { ...item('QYKB-FPSL'), materials: [{ code: 'M-IDCARD', name: '居民身份证', declared: true }] };
    const reg = await registryWith(items);
    expect(await publish(reg, startUp)).toMatchObject({ outcome: 'refused', kind: 'BUNDLE_MATERIAL_CONFLICT', details: { errors: [{ path: 'data.items[2].itemCode' }] } });
    expect(reg.currentBundles.size).toBe(0);
  });
});
