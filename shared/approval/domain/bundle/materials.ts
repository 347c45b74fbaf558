/**
 * One material set for a bundle (一套材料). The requirements of the applicable items are merged by material
 * code: the strictest `minTrustLevel` wins (A over B over none), and a material is tolerable (容缺) only if
 * it is tolerable in every item that needs it. Each material is then judged once, against the merged
 * requirement, and that verdict holds in every child: each child is decided on its item with the merged
 * requirements in place of its own (`childItem`), so approval's decide() judges every child alike, and
 * with `sharedMaterials`, so a child's own outcome does not change it (a tolerable material still to come
 * stays pending in a child its rules reject, as in the others).
 * `declared` and `licenceType` are the same in every item (refused at publication otherwise).
 */
import type { MaterialRef } from '../decision';
import type { MaterialRequirement, ServiceItem, TrustLevel } from '../types';

export interface MergedMaterial extends MaterialRequirement {
  /** The items that need it, in bundle order. */
  readonly servesItems: readonly string[];
}

const TRUST_RANK: Record<TrustLevel, number> = { A: 2, B: 1 };

function stricter(a: TrustLevel | undefined, b: TrustLevel | undefined): TrustLevel | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return TRUST_RANK[a] >= TRUST_RANK[b] ? a : b;
}

/** The merged requirements of the given items (the applicable ones), in order of first appearance. */
export function mergeMaterials(items: readonly Pick<ServiceItem, 'itemCode' | 'materials'>[]): MergedMaterial[] {
  const merged = new Map<string, MergedMaterial>();
  for (const item of items) {
    for (const m of item.materials) {
      const seen = merged.get(m.code);
      if (seen === undefined) {
        const { tolerable, minTrustLevel, ...rest } = m;
        merged.set(m.code, { ...rest, ...(minTrustLevel ? { minTrustLevel } : {}), tolerable: tolerable === true, servesItems: [item.itemCode] });
        continue;
      }
      const minTrustLevel = stricter(seen.minTrustLevel, m.minTrustLevel);
      merged.set(m.code, {
        ...seen,
        ...(minTrustLevel ? { minTrustLevel } : {}),
        tolerable: seen.tolerable === true && m.tolerable === true,
        servesItems: [...seen.servesItems, item.itemCode],
      });
    }
  }
  return [...merged.values()];
}

/** Materials saved: the sum of the applicable items' materials minus the merged set. */
export function materialsSaved(items: readonly Pick<ServiceItem, 'materials'>[], merged: readonly MergedMaterial[]): number {
  return items.reduce((sum, i) => sum + i.materials.length, 0) - merged.length;
}

/** The item a child is decided on: its own, with each material's merged requirement in place of its own. */
export function childItem<T extends Pick<ServiceItem, 'materials'>>(item: T, merged: readonly MergedMaterial[]): T {
  const byCode = new Map(merged.map((m) => [m.code, m] as const));
  return {
    ...item,
    materials: item.materials.map((m): MaterialRequirement => {
      const found = byCode.get(m.code);
      if (found === undefined) return m;
      const { servesItems: _serves, ...requirement } = found;
      return requirement;
    }),
  };
}

export interface NoticeEntry extends MaterialRef {
  /** `missing`: to bring before anything is decided on it; `pending`: accepted without it (容缺), bring later. */
  readonly status: 'missing' | 'pending';
  readonly items: readonly string[];
}

/** What one child found missing or pending: decided, or waiting and judged ahead (application.ts). */
export interface ChildMaterials {
  readonly itemCode: string;
  readonly missing: readonly MaterialRef[];
  readonly pending: readonly MaterialRef[];
}

/**
 * The combined 一次性告知: every material missing or pending in a child (a child waiting for its
 * predecessors too), listed once with the items it serves; missing when any child needs it before deciding. Children not started (their predecessor ended
 * without approval) are left out: the applicant need not bring their materials.
 */
export function combinedNotice(children: readonly ChildMaterials[], notStarted: ReadonlySet<string>): NoticeEntry[] {
  const entries = new Map<string, { code: string; name: string; status: 'missing' | 'pending'; items: string[] }>();
  for (const child of children) {
    if (notStarted.has(child.itemCode)) continue;
    const add = (m: MaterialRef, status: 'missing' | 'pending') => {
      const seen = entries.get(m.code);
      if (seen === undefined) entries.set(m.code, { code: m.code, name: m.name, status, items: [child.itemCode] });
      else {
        if (!seen.items.includes(child.itemCode)) seen.items.push(child.itemCode);
        if (status === 'missing') seen.status = 'missing';
      }
    };
    for (const m of child.missing) add(m, 'missing');
    for (const m of child.pending) add(m, 'pending');
  }
  return [...entries.values()];
}
