/**
 * The 一件事 set-up shared by the bundle integration tests: nine instant (one manual) items of their own
 * departments that the sample bundles 企业开办 (YJS-QYKB) and 出生一件事 (YJS-CSYJS) list, the applicant, and
 * bundle applications of that applicant.
 */
import { sample, type Running } from '#support/runtime';

export const DEPARTMENT = '/systems/department';
export const PERSON = { kind: 'person', id: '440305199003071236', name: '张伟' };
export const ID = { code: 'M-IDCARD', name: '居民身份证', licenceType: '居民身份证' };
const BL = { code: 'M-BL', name: '营业执照', licenceType: '营业执照', minTrustLevel: 'A' };
const base = sample('gov.catalog.item.published', 'enterprise-startup-manual');

/** An instant item for a person aged 18 or more, with its own department and certificate. */
export function itemEvent(itemCode: string, certificateType: string, materials: unknown[], extra: Record<string, unknown> = {}): any {
  return {
    ...base,
    id: `catalog-bundle-app-item-${itemCode}`,
    data: {
      ...base.data,
      itemCode,
      name: `事项 ${itemCode}`,
      departmentCode: `DEPT-${itemCode}`,
      mode: 'instant',
      legalDays: 10,
      materials,
      rules: { id: `R-${itemCode}`, description: '申请人年满18周岁', fact: 'applicant.birthDate', op: 'ageAtLeast', value: 18 },
      certificateType,
      ...extra,
    },
  };
}

export const ITEMS = [
  itemEvent('QYKB-SLDJ', '营业执照', [ID, { code: 'M-ARTICLES', name: '公司章程', declared: true }]),
  itemEvent('QYKB-YZKZ', '印章备案证明', [BL, ID], { rules: { id: 'R-SEAL', description: '刻制印章不超过5枚', fact: 'form.seals', op: 'lte', value: 5 } }),
  itemEvent('QYKB-FPSL', '发票领用', [BL]),
  itemEvent('QYKB-SBDJ', '社保登记证', [BL, ID], { mode: 'manual' }),
  itemEvent('QYKB-YHKH', '开户许可', [BL, { code: 'M-SEAL', name: '印章', licenceType: '印章备案证明' }]),
  itemEvent('CS-CSYXZM', '出生医学证明', [ID]),
  itemEvent('CS-HKDJ', '户口登记', [ID, { code: 'M-BIRTH', name: '出生医学证明', licenceType: '出生医学证明', minTrustLevel: 'A' }]),
  itemEvent('CS-YBCB', '医保参保凭证', [{ code: 'M-HUKOU', name: '户口簿', licenceType: '户口登记' }]),
  itemEvent('CS-SBKSL', '社会保障卡', [ID, { code: 'M-PHOTO', name: '照片', declared: true }]),
];

let seq = 0;
/** The next serial for an event id of this file's events. */
export const nextSerial = () => ++seq;
export function application(applicationId: string, bundleCode: string, answers: Record<string, unknown>, form: Record<string, unknown> = {}): any {
  const s = sample('gov.application.submitted', 'instant-outdoor-advertising');
  const { itemCode: _itemCode, ...data } = s.data;
  return {
    ...s,
    id: `bundle-app-${nextSerial()}`,
    data: { ...data, applicationId, bundleCode, answers, applicant: PERSON, form, materials: [{ code: 'M-ARTICLES', provided: true }], submittedAt: '2026-11-05T14:00:00+08:00' },
  };
}

/** Posts events that must all be accepted, then waits until every queue is empty. */
export async function postAllTo(rt: Running, events: unknown[]): Promise<void> {
  const out = await rt.post(events);
  expect({ status: out.status, rejected: out.body.rejected }).toEqual({ status: 202, rejected: [] });
  await rt.drain();
}

/** A query route that must answer 200 (as the reader `as`, when given): its body. */
export async function getOk(rt: Running, path: string, as?: string): Promise<any> {
  const out = await rt.get(path, as ? { as } : {});
  expect({ path, status: out.status }).toEqual({ path, status: 200 });
  return out.body;
}
