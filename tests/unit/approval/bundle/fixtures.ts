// The 企业开办 and 出生一件事 bundles of the samples, and small items to decide their children on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleApplication } from '#approval/domain/bundle/application';
import type { Bundle } from '#approval/domain/bundle/types';
import type { Cause } from '#approval/domain/decision';
import type { ServiceItem } from '#approval/domain/types';

const ROOT = join(import.meta.dirname, '../../../..');
const dataOf = <T>(path: string): T => (JSON.parse(readFileSync(join(ROOT, 'events/samples', `${path}.json`), 'utf8')) as { data: T }).data;

export const startUp = dataOf<Bundle>('gov.catalog.bundle.published/business-start-up');
export const newborn = dataOf<Bundle>('gov.catalog.bundle.published/newborn');

export const FOUNDER = { kind: 'person', id: '440106199001011234', name: '张三' } as const;

/** An instant item for a person, deciding on one form field, with the given materials. */
export function item(itemCode: string, certificateType: string, materials: ServiceItem['materials'], extra: Partial<ServiceItem> = {}): ServiceItem {
  return {
    itemCode,
    name: `事项 ${itemCode}`,
    departmentCode: `DEPT-${itemCode}`,
    applicantKind: 'person',
    mode: 'instant',
    promisedDays: 1,
    legalDays: 10,
    materials,
    rules: { id: `R-${itemCode}`, description: '已填写企业名称', fact: 'form.enterpriseName', op: 'exists' },
    certificateType,
    version: 1,
    active: true,
    ...extra,
  };
}

/** The articles of association, declared: every item of startUpItems asks for them, every startUpApplication gives them. */
export const ARTICLES = { code: 'M-ARTICLES', name: '公司章程', declared: true } as const;

/** The seal form, declared and tolerable, which startUpApplication does not give: an item asking for it waits for a supplement. */
export const SEAL_FORM = { code: 'M-SEAL-FORM', name: '刻章备案表', declared: true, tolerable: true } as const;

/**
 * The items of the 企业开办 bundle, in its order: each an instant item on ARTICLES alone, issuing `证照-<code>`,
 * but for those given, each in the place of the item of its code. A test names only the items it is about.
 */
export function startUpItems(...own: ServiceItem[]): ServiceItem[] {
  const codes = startUp.items.map((i) => i.itemCode);
  const stray = own.find((i) => !codes.includes(i.itemCode));
  if (stray !== undefined) throw new Error(`${stray.itemCode} is not an item of the 企业开办 bundle`);
  return codes.map((code) => own.find((i) => i.itemCode === code) ?? item(code, `证照-${code}`, [ARTICLES]));
}

/** The cause of an event the portal sent: a submission unless `type` names another event. */
export const cause = (id: string, type = 'gov.application.submitted'): Cause => ({ source: '/gov/portal', id, type });

/**
 * A 企业开办 application by FOUNDER, online, with the articles provided, no invoice needed and staff hired;
 * `overrides` replace whole fields (answers, form, materials…).
 */
export function startUpApplication(applicationId: string, submittedAt: string, overrides: Partial<BundleApplication> = {}): BundleApplication {
  return {
    applicationId,
    bundleCode: startUp.bundleCode,
    applicant: FOUNDER,
    form: { enterpriseName: '某某公司', employees: 0 },
    answers: { needsInvoice: false, hiresStaff: true },
    materials: [{ code: 'M-ARTICLES', provided: true }],
    channel: 'online',
    submittedAt,
    ...overrides,
  };
}
