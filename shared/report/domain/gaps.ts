/**
 * 缺数清单 — the data-gap ledger. Pure: the ledger's sources (../gap-sources.ts) read the
 * decisions, items and entitlements; this module says what each one lacked, whose data it is, and ranks.
 *
 * A gap is one piece of data a machine did not have:
 * - a fact path left unknown by an item's rules (`RULE_UNKNOWN`) or by a policy's criteria (`NEEDS_INFO`);
 * - a material code provided by hand that no machine could verify: `MATERIAL_UNVERIFIABLE` when it sent an
 *   instant item to a person, `MATERIAL_BY_HAND` on a commitment or manual item (a person or the later
 *   verification checks it anyway, but an e-licence would have spared the applicant the upload).
 *
 * Counting rules (docs/contract.md, "缺数清单"):
 * - An application counts once per gap of its latest decision on its merits (the first decision, or the
 *   re-decision after a supplement), whatever a person decided afterwards. Two gaps: it counts in both rows,
 *   and once in the totals.
 * - A NEEDS_INFO entitlement counts once per criterion fact it was unknown on (two leaves on one fact: once);
 *   `enterprises` counts distinct credit codes, `entitlements` the (policy, enterprise) pairs, and
 *   `benefitAmount` sums the policy's `benefit.amount` over those pairs (a policy without one adds 0), in
 *   exact decimal (100.1 + 200.2 is 300.3), so rows and totals are the same whatever order they are read in.
 * - A row is one gap (kind, key) of one owning department. The owner comes from the stage's `dataOwners`:
 *   for a fact, the longest listed prefix (on path segments); else a `licence.<type>.*` fact is the
 *   licence type's owner; else a `form.*` fact belongs to the department whose item or policy asks for it
 *   (its form should ask); else `unowned`. For a material: its code's owner, else the owner of the licence
 *   type that would have waived it, else `unowned`.
 * - Rows are ranked by what supplying the datum would unlock: by default the cases (applications +
 *   enterprises), then the benefit amount, then applications; rows equal on the three counts share a rank
 *   (1, 1, 3, as the reports write "并列"). Inside a tie rows are listed by the owning department's code,
 *   as the department ranking lists its ties, `unowned` after the departments; then by kind and key, so
 *   the order is total.
 */

import { sumDecimals } from '#util/decimal';

/** The owner of a gap that no entry of the stage's `dataOwners` names. */
export const UNOWNED = 'unowned';

/** The stage map from data to the department that owns it (`dataOwners` in topology/stages.ts). */
export interface DataOwners {
  /** Fact-path prefix (whole segments: `enterprise` or `enterprise.employees`) → department code. */
  readonly facts?: Readonly<Record<string, string>>;
  /** E-licence type → the department that issues it. */
  readonly licences?: Readonly<Record<string, string>>;
  /** Material code → department code, for a material no e-licence type covers. */
  readonly materials?: Readonly<Record<string, string>>;
}

export const GAP_CAUSES = ['RULE_UNKNOWN', 'NEEDS_INFO', 'MATERIAL_UNVERIFIABLE', 'MATERIAL_BY_HAND'] as const;
export type GapCause = (typeof GAP_CAUSES)[number];
export const GAP_CAUSE_LABELS: Readonly<Record<GapCause, string>> = {
  RULE_UNKNOWN: '规则无法判断',
  NEEDS_INFO: '政策待补充信息',
  MATERIAL_UNVERIFIABLE: '材料无法核验',
  MATERIAL_BY_HAND: '手工上传材料',
};
export type GapKind = 'fact' | 'material';

/** What one application's latest decision on its merits lacked. */
export interface GapApplication {
  readonly applicationId: string;
  readonly itemCode: string;
  /** The item's department (null when the item is unknown). */
  readonly departmentCode: string | null;
  /** Facts of a `RULE_UNKNOWN` (empty without one). */
  readonly unknownFacts: readonly string[];
  /** Materials provided by hand; `licenceType` when an e-licence of that type would have waived it. */
  readonly materialsByHand: readonly { readonly code: string; readonly name: string; readonly licenceType?: string }[];
  /** The decision carries `MATERIAL_UNVERIFIABLE` (the materials alone sent an instant item to a person). */
  readonly materialsBlocked: boolean;
}

/** One NEEDS_INFO entitlement: the criteria facts that were unknown. */
export interface GapEntitlement {
  readonly policyId: string;
  readonly departmentCode: string;
  readonly creditCode: string;
  /** The policy's `benefit.amount`, 0 when it has none. */
  readonly amount: number;
  readonly unknownFacts: readonly string[];
}

export const GAP_RANKINGS = ['cases', 'applications', 'enterprises', 'amount'] as const;
export type GapRanking = (typeof GAP_RANKINGS)[number];

export interface GapRow {
  readonly rank: number;
  readonly kind: GapKind;
  /** A fact path or a material code. */
  readonly key: string;
  /** A material's name (as the item names it). */
  readonly name?: string;
  /** The department that owns the data, or `unowned`. */
  readonly owner: string;
  readonly applications: number;
  readonly enterprises: number;
  readonly entitlements: number;
  readonly benefitAmount: number;
  /** Applications or entitlements per cause. */
  readonly byCause: Readonly<Record<GapCause, number>>;
  /** The items and policies it was missing for, sorted. */
  readonly itemCodes: readonly string[];
  readonly policyIds: readonly string[];
}

export interface OwnerTotals {
  readonly owner: string;
  readonly gaps: number;
  /** Distinct applications / enterprises / entitlements with at least one gap of this owner. */
  readonly applications: number;
  readonly enterprises: number;
  readonly entitlements: number;
  /** Sum of the amounts of those distinct entitlements. */
  readonly benefitAmount: number;
}

export interface GapLedger {
  /** Local dates, inclusive. */
  readonly from: string;
  readonly to: string;
  readonly rankedBy: GapRanking;
  readonly rows: readonly GapRow[];
  readonly owners: readonly OwnerTotals[];
  /** Distinct applications, enterprises and entitlements with at least one gap, and those entitlements' amount. */
  readonly totals: Omit<OwnerTotals, 'owner'>;
}

export interface GapInput {
  readonly from: string;
  readonly to: string;
  readonly applications: readonly GapApplication[];
  readonly entitlements: readonly GapEntitlement[];
  readonly owners: DataOwners;
}

const segmentPrefix = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}.`);

/** The department that owns a fact path, given the department whose item or policy asks for it. */
export function factOwner(path: string, asker: string | null, owners: DataOwners): string {
  let best: string | undefined;
  for (const prefix of Object.keys(owners.facts ?? {})) {
    if (segmentPrefix(path, prefix) && (best === undefined || prefix.length > best.length)) best = prefix;
  }
  if (best !== undefined) return owners.facts![best]!;
  const [root, second] = path.split('.');
  if (root === 'licence' && second !== undefined && owners.licences?.[second] !== undefined) return owners.licences[second]!;
  if (root === 'form' && asker !== null) return asker;
  return UNOWNED;
}

/** The department that owns a material's data. */
export function materialOwner(code: string, licenceType: string | undefined, owners: DataOwners): string {
  return owners.materials?.[code] ?? (licenceType === undefined ? undefined : owners.licences?.[licenceType]) ?? UNOWNED;
}

interface Tally {
  kind: GapKind;
  key: string;
  name?: string;
  owner: string;
  applications: Set<string>;
  entitlements: Map<string, GapEntitlement>;
  byCause: Record<GapCause, number>;
  itemCodes: Set<string>;
}

const pairKey = (e: GapEntitlement) => `${e.policyId}\u0000${e.creditCode}`;

function tallies(input: GapInput): Map<string, Tally> {
  const rows = new Map<string, Tally>();
  const tally = (kind: GapKind, key: string, owner: string, name?: string): Tally => {
    const id = `${kind}\u0000${key}\u0000${owner}`;
    let row = rows.get(id);
    if (!row) {
      row = { kind, key, owner, applications: new Set(), entitlements: new Map(), byCause: { RULE_UNKNOWN: 0, NEEDS_INFO: 0, MATERIAL_UNVERIFIABLE: 0, MATERIAL_BY_HAND: 0 }, itemCodes: new Set() };
      rows.set(id, row);
    }
    if (name !== undefined && row.name === undefined) row.name = name;
    return row;
  };
  const seenApplications = new Set<string>();
  for (const a of input.applications) {
    // The sources read each application once; a repeat is ignored rather than counted twice.
    if (seenApplications.has(a.applicationId)) continue;
    seenApplications.add(a.applicationId);
    const count = (row: Tally, cause: GapCause) => {
      if (row.applications.has(a.applicationId)) return;
      row.applications.add(a.applicationId);
      row.byCause[cause] += 1;
      row.itemCodes.add(a.itemCode);
    };
    for (const fact of new Set(a.unknownFacts)) count(tally('fact', fact, factOwner(fact, a.departmentCode, input.owners)), 'RULE_UNKNOWN');
    const cause = a.materialsBlocked ? 'MATERIAL_UNVERIFIABLE' : 'MATERIAL_BY_HAND';
    for (const m of a.materialsByHand) count(tally('material', m.code, materialOwner(m.code, m.licenceType, input.owners), m.name), cause);
  }
  for (const e of input.entitlements) {
    for (const fact of new Set(e.unknownFacts)) {
      const row = tally('fact', fact, factOwner(fact, e.departmentCode, input.owners));
      if (row.entitlements.has(pairKey(e))) continue;
      row.entitlements.set(pairKey(e), e);
      row.byCause.NEEDS_INFO += 1;
    }
  }
  return rows;
}

function totalsOf(rows: readonly Tally[]): Omit<OwnerTotals, 'owner'> {
  const applications = new Set<string>();
  const entitlements = new Map<string, GapEntitlement>();
  for (const r of rows) {
    for (const a of r.applications) applications.add(a);
    for (const [k, e] of r.entitlements) entitlements.set(k, e);
  }
  const values = [...entitlements.values()];
  return {
    gaps: rows.length,
    applications: applications.size,
    enterprises: new Set(values.map((e) => e.creditCode)).size,
    entitlements: values.length,
    benefitAmount: sumDecimals(values.map((e) => e.amount)),
  };
}

const MEASURES: Readonly<Record<GapRanking, (r: Omit<GapRow, 'rank'>) => readonly number[]>> = {
  cases: (r) => [r.applications + r.enterprises, r.benefitAmount, r.applications],
  applications: (r) => [r.applications, r.applications + r.enterprises, r.benefitAmount],
  enterprises: (r) => [r.enterprises, r.benefitAmount, r.applications],
  amount: (r) => [r.benefitAmount, r.enterprises, r.applications],
};

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Department codes in order, `unowned` (no department) after them all. */
const compareOwners = (a: string, b: string) => Number(a === UNOWNED) - Number(b === UNOWNED) || compareText(a, b);

/**
 * Ranks the rows: higher measures first; equal measures share a rank and are listed by owner (department
 * code, `unowned` last), then kind and key.
 */
export function rankGaps(rows: readonly Omit<GapRow, 'rank'>[], by: GapRanking): GapRow[] {
  const measure = MEASURES[by];
  const sorted = [...rows].sort((a, b) => {
    const [ma, mb] = [measure(a), measure(b)];
    for (let i = 0; i < ma.length; i++) if (ma[i] !== mb[i]) return mb[i]! - ma[i]!;
    return compareOwners(a.owner, b.owner) || compareText(a.kind, b.kind) || compareText(a.key, b.key);
  });
  let rank = 0;
  return sorted.map((row, i) => {
    const prev = sorted[i - 1];
    if (prev === undefined || measure(prev).some((v, j) => v !== measure(row)[j])) rank = i + 1;
    return { rank, ...row };
  });
}

/** The ledger of a period: one row per gap and owner, ranked, with each owner's totals and the period's. */
export function buildGapLedger(input: GapInput, by: GapRanking = 'cases'): GapLedger {
  const all = [...tallies(input).values()];
  const rows = rankGaps(
    all.map((t) => {
      const pairs = [...t.entitlements.values()];
      return {
        kind: t.kind,
        key: t.key,
        ...(t.name === undefined ? {} : { name: t.name }),
        owner: t.owner,
        applications: t.applications.size,
        enterprises: new Set(pairs.map((e) => e.creditCode)).size,
        entitlements: pairs.length,
        benefitAmount: sumDecimals(pairs.map((e) => e.amount)),
        byCause: t.byCause,
        itemCodes: [...t.itemCodes].sort(compareText),
        policyIds: [...new Set(pairs.map((e) => e.policyId))].sort(compareText),
      };
    }),
    by,
  );
  const owners = [...new Set(all.map((t) => t.owner))]
    .map((owner) => ({ owner, ...totalsOf(all.filter((t) => t.owner === owner)) }))
    .sort((a, b) => b.applications + b.enterprises - (a.applications + a.enterprises) || b.benefitAmount - a.benefitAmount || compareText(a.owner, b.owner));
  return { from: input.from, to: input.to, rankedBy: by, rows, owners, totals: totalsOf(all) };
}
