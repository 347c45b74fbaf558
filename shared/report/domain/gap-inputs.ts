/**
 * What the data-gap ledger (./gaps.ts) takes from a stored case and from a NEEDS_INFO entitlement, and
 * which of them belong to a period. Pure: the sources (../gap-sources.ts) read, this module picks.
 */
import type { CurrentDecision, Decision, MaterialRequirement, StoredBundleVersion, VersionCause } from '#approval';
import type { Entitlement, Policy } from '#entitlement';
import type { Condition, Leaf } from '#rules/types';
import { localDay } from './build';
import type { GapApplication, GapEntitlement } from './gaps';

/** A period of local dates, inclusive. */
export interface GapPeriod {
  readonly from: string;
  readonly to: string;
}

/** The versions that decided an application on its merits; later ones record what a person or a deadline did. */
const MERIT_CAUSES: ReadonlySet<VersionCause> = new Set(['submitted', 'supplemented']);

/**
 * Whether a current decision may carry a gap, so its stored versions are worth reading. An instant item
 * approved by the machine itself had every fact and no material by hand; an unknown item decided nothing.
 */
export function mayHaveGap(d: CurrentDecision): boolean {
  if (d.itemMode === null) return false;
  return !(d.itemMode === 'instant' && d.outcome === 'APPROVED' && d.review === undefined);
}

/** Submitted on a local date of the period. */
export function submittedIn(d: Pick<CurrentDecision, 'submittedAt'>, period: GapPeriod, timeZone: string): boolean {
  const day = localDay(d.submittedAt, timeZone);
  return day >= period.from && day <= period.to;
}

type CaseVersions = readonly { readonly decision: Decision; readonly causeKind: VersionCause }[];

/** An application's latest version decided on its merits (the one its gaps are read from), if any. */
export function meritDecisionOf(versions: CaseVersions): Decision | undefined {
  return [...versions].reverse().find((v) => MERIT_CAUSES.has(v.causeKind))?.decision;
}

/**
 * The gaps of an application: those of its latest version decided on its merits. `materials` are the
 * requirements of the item version that decision was made under (`meritDecisionOf(versions).itemVersion`,
 * not the current decision's: the licence type that would have waived a material is the one the item
 * named when the material was found missing); undefined when there is no gap.
 */
export function gapApplicationOf(versions: CaseVersions, materials: readonly MaterialRequirement[]): GapApplication | undefined {
  const merit = meritDecisionOf(versions);
  if (merit === undefined) return undefined;
  const codes = new Set(merit.reasons.map((r) => r.code));
  const unknownFacts = codes.has('RULE_UNKNOWN') ? merit.unknownFacts : [];
  const licenceTypes = new Map(materials.map((m) => [m.code, m.licenceType]));
  const materialsByHand = merit.materialsUnverifiable.map((m) => {
    const licenceType = licenceTypes.get(m.code);
    return { code: m.code, name: m.name, ...(licenceType === undefined ? {} : { licenceType }) };
  });
  if (unknownFacts.length === 0 && materialsByHand.length === 0) return undefined;
  return {
    applicationId: merit.applicationId,
    itemCode: merit.itemCode,
    departmentCode: merit.departmentCode,
    unknownFacts,
    materialsByHand,
    materialsBlocked: codes.has('MATERIAL_UNVERIFIABLE'),
  };
}

/**
 * The children of a 一件事 bundle application as `gapApplicationOf` reads a single item: for each child,
 * the bundle versions that made or changed its decision (each child is decided as a single item is, under
 * its own application id `<bundle application>:<item>`), with the cause of that version.
 */
export function bundleChildVersions(
  versions: readonly Pick<StoredBundleVersion, 'causeKind' | 'state'>[],
): { readonly decision: Decision; readonly versions: { readonly decision: Decision; readonly causeKind: VersionCause }[] }[] {
  const byChild = new Map<string, { decision: Decision; causeKind: VersionCause }[]>();
  for (const v of versions) {
    // The schedule's overdue flag changes no child's decision (and lists none as changed).
    const causeKind = v.causeKind;
    if (causeKind === 'overdueFlag') continue;
    for (const child of v.state.children) {
      if (child.decision === undefined || !v.state.changedChildren.includes(child.itemCode)) continue;
      const list = byChild.get(child.itemCode) ?? [];
      list.push({ decision: child.decision, causeKind });
      byChild.set(child.itemCode, list);
    }
  }
  return [...byChild.values()].map((list) => ({ decision: list[list.length - 1]!.decision, versions: list }));
}

function leavesOf(c: Condition, out: Map<string, Leaf>): Map<string, Leaf> {
  if ('all' in c) for (const x of c.all) leavesOf(x, out);
  else if ('any' in c) for (const x of c.any) leavesOf(x, out);
  else if ('not' in c) leavesOf(c.not, out);
  else out.set(c.id, c);
  return out;
}

/** The fact a leaf id names in the current criteria; a leaf the current version no longer has keeps its id. */
export const UNRESOLVED_LEAF_PREFIX = 'criterion:';

/** A NEEDS_INFO entitlement with the facts of its unknown criteria (through the policy's current criteria). */
export function gapEntitlementOf(e: Entitlement, policy: Policy): GapEntitlement | undefined {
  if (e.state !== 'NEEDS_INFO') return undefined;
  const leaves = leavesOf(policy.criteria, new Map());
  const unknownFacts = [...new Set((e.explanation?.unknown ?? []).map((id) => leaves.get(id)?.fact ?? `${UNRESOLVED_LEAF_PREFIX}${id}`))];
  if (unknownFacts.length === 0) return undefined;
  return { policyId: e.policyId, departmentCode: policy.departmentCode, creditCode: e.creditCode, amount: policy.benefit.amount ?? 0, unknownFacts };
}

/**
 * A policy counts in a period as in the monthly report: its validity overlaps the period, it was published
 * by the period's end and not withdrawn before it began.
 */
export function policyInPeriod(p: Policy, period: GapPeriod, timeZone: string): boolean {
  if (localDay(p.validFrom, timeZone) > period.to || localDay(p.validTo, timeZone) < period.from) return false;
  if (p.publishedAt !== undefined && localDay(p.publishedAt, timeZone) > period.to) return false;
  if (p.withdrawnAt !== undefined && localDay(p.withdrawnAt, timeZone) < period.from) return false;
  return true;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
/** The longest from/to period the ledger reads at once (a year and a day, for a leap year). */
export const MAX_PERIOD_DAYS = 366;

function isDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;
}

/** The period of `?period=YYYY-MM` or `?from=YYYY-MM-DD&to=YYYY-MM-DD` (inclusive), or what is wrong with it. */
export function gapPeriodOf(query: { readonly period?: string; readonly from?: string; readonly to?: string }): GapPeriod | string {
  const { period, from, to } = query;
  if (period !== undefined) {
    if (from !== undefined || to !== undefined) return 'give either period (YYYY-MM) or from and to (YYYY-MM-DD), not both';
    const m = MONTH.exec(period);
    if (!m) return `period must be a month, YYYY-MM; got "${period}"`;
    const last = new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate();
    return { from: `${period}-01`, to: `${period}-${String(last).padStart(2, '0')}` };
  }
  if (from === undefined && to === undefined) return 'period is required: period=YYYY-MM, or from=YYYY-MM-DD&to=YYYY-MM-DD';
  if (from === undefined || to === undefined) return `from and to go together; ${from === undefined ? 'from' : 'to'} is missing`;
  if (!isDate(from)) return `from must be a date, YYYY-MM-DD; got "${from}"`;
  if (!isDate(to)) return `to must be a date, YYYY-MM-DD; got "${to}"`;
  if (from > to) return `from (${from}) is after to (${to})`;
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
  if (days > MAX_PERIOD_DAYS) return `from..to spans ${days} days; at most ${MAX_PERIOD_DAYS}`;
  return { from, to };
}
