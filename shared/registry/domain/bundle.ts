/**
 * A 一件事 bundle against the catalogue: what the edge cannot check because it needs the service items.
 * Every item code must be a published item, and a material code that several items need must mean one
 * thing in all of them (the same `declared` and `licenceType`), because the bundle's merged material set
 * judges each material once and that verdict holds in every item that needs it.
 */
import type { ServiceBundle, ServiceItem } from '#contract/schemas';
import type { ChangeOutcome } from './types';

export interface CatalogProblem {
  readonly kind: 'BUNDLE_ITEM_UNKNOWN' | 'BUNDLE_MATERIAL_CONFLICT';
  /** The field of the event, as the edge writes it (`data.items[2].itemCode`). */
  readonly path: string;
  readonly message: string;
}

/** How an item describes a material, for comparing it across items. */
const meaning = (m: ServiceItem['materials'][number]) => ({ declared: m.declared === true, licenceType: m.licenceType ?? null });

/** Problems in bundle order; none when the bundle fits the catalogue. `items` holds the current version of each known code. */
export function bundleCatalogProblems(bundle: ServiceBundle, items: ReadonlyMap<string, ServiceItem>): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
  const firstSeen = new Map<string, { index: number; itemCode: string; declared: boolean; licenceType: string | null }>();
  bundle.items.forEach(({ itemCode }, index) => {
    const item = items.get(itemCode);
    if (item === undefined) {
      problems.push({ kind: 'BUNDLE_ITEM_UNKNOWN', path: `data.items[${index}].itemCode`, message: `no service item "${itemCode}" has been published` });
      return;
    }
    for (const material of item.materials) {
      const here = meaning(material);
      const first = firstSeen.get(material.code);
      if (first === undefined) {
        firstSeen.set(material.code, { index, itemCode, ...here });
        continue;
      }
      const field = first.declared !== here.declared ? 'declared' : first.licenceType !== here.licenceType ? 'licenceType' : undefined;
      if (field === undefined) continue;
      problems.push({
        kind: 'BUNDLE_MATERIAL_CONFLICT',
        path: `data.items[${index}].itemCode`,
        message: `material "${material.code}" has ${field} ${JSON.stringify(here[field])} in item "${itemCode}" but ${JSON.stringify(first[field])} in item "${first.itemCode}" (items[${first.index}])`,
      });
    }
  });
  return problems;
}

/** The refusal of a bundle that does not fit the catalogue: the first problem's kind, every problem in `details.errors`. */
export function catalogRefusal(bundle: ServiceBundle, problems: readonly [CatalogProblem, ...CatalogProblem[]]): ChangeOutcome {
  const [first] = problems;
  return {
    outcome: 'kind',
    kind: first.kind,
    reason: `bundle ${bundle.bundleCode} version ${bundle.version} was not stored: ${first.path} ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`,
    details: { errors: problems.map(({ path, message }) => ({ path, message })) },
  };
}
