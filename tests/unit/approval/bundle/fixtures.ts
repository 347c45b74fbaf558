// The 企业开办 and 出生一件事 bundles of the samples, and small items to decide their children on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle } from '#approval/domain/bundle/types';
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
