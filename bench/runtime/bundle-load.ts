/**
 * 企业开办 (一件事) bundle applications for the steady-load latency (issue 16): the five items of
 * the sample bundle as instant items of their own departments, the bundle itself, and applications of the
 * sample resident. The seal and the bank account follow the business licence (trust-A e-licence issued in
 * the same decision), so one bundle application decides five children, in order, in one handler run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Ev = { specversion: '1.0'; id: string; source: string; type: string; time: string; datacontenttype: string; data: any };

const ROOT = join(import.meta.dirname, '..', '..');
const sample = (type: string, name: string): Ev => JSON.parse(readFileSync(join(ROOT, 'events/samples', type, `${name}.json`), 'utf8')) as Ev;

/** The resident of the samples (gov.person.profile.updated/resident, with the ID card licence). */
const PERSON = { kind: 'person', id: '440305199003071236', name: '张伟' };
const ID = { code: 'M-IDCARD', name: '居民身份证', licenceType: '居民身份证' };
const BL = { code: 'M-BL', name: '营业执照', licenceType: '营业执照', minTrustLevel: 'A' };

function itemEvent(itemCode: string, certificateType: string, materials: unknown[], rules?: unknown): Ev {
  const base = sample('gov.catalog.item.published', 'enterprise-startup-manual');
  return {
    ...base,
    id: `bench-bundle-item-${itemCode}`,
    data: {
      ...base.data,
      itemCode,
      name: `事项 ${itemCode}`,
      departmentCode: `DEPT-${itemCode}`,
      mode: 'instant',
      legalDays: 10,
      materials,
      rules: rules ?? { id: `R-${itemCode}`, description: '申请人年满18周岁', fact: 'applicant.birthDate', op: 'ageAtLeast', value: 18 },
      certificateType,
    },
  };
}

/** The cost section's row of a 企业开办 bundle application (outside the day's mix: the peak day has none). */
export const BUNDLE_COST_LABEL = '一件事: gov.application.submitted (企业开办 bundle, five children)';

/** The items and the bundle, to post after the reference data (items before the bundle that names them). */
export function bundleSeed(): Ev[][] {
  const items = [
    itemEvent('QYKB-SLDJ', '营业执照', [ID, { code: 'M-ARTICLES', name: '公司章程', declared: true }]),
    itemEvent('QYKB-YZKZ', '印章备案证明', [BL, ID], { id: 'R-SEAL', description: '刻制印章不超过5枚', fact: 'form.seals', op: 'lte', value: 5 }),
    itemEvent('QYKB-FPSL', '发票领用', [BL]),
    itemEvent('QYKB-SBDJ', '社保登记证', [BL, ID]),
    itemEvent('QYKB-YHKH', '开户许可', [BL, { code: 'M-SEAL', name: '印章', licenceType: '印章备案证明' }]),
  ];
  const bundle = sample('gov.catalog.bundle.published', 'business-start-up');
  return [items, [{ ...bundle, id: `bench-bundle-${bundle.id}` }]];
}

/** A 企业开办 application: every item applies (invoice and staff), all five children approved. */
export function bundleApplication(id: string, applicationId: string): Ev {
  const s = sample('gov.application.submitted', 'instant-outdoor-advertising');
  const { itemCode: _itemCode, ...data } = s.data;
  return {
    ...s,
    id,
    data: {
      ...data,
      applicationId,
      bundleCode: 'YJS-QYKB',
      answers: { needsInvoice: true, hiresStaff: true },
      applicant: PERSON,
      form: { enterpriseName: '深圳市某某科技有限公司', seals: 3 },
      materials: [{ code: 'M-ARTICLES', provided: true }],
    },
  };
}
