/**
 * The order of a bundle's children (`after`). A predecessor that does not apply is dropped from `after`.
 * A child starts when every predecessor left is approved; a child whose predecessor was rejected,
 * terminated or revoked (or was itself not started) is not started, naming that predecessor. When a child
 * starts, the certificate of every approved item it follows, directly or through others in the bundle's
 * declared order, is held by the applicant and counts as a valid e-licence of trust level A of that
 * item's `certificateType`, so the applicant never brings what the bureau just issued. It is issued at its
 * item's decision, or at the follower's if that is earlier (a person's time can run ahead of ours).
 *
 * A child decided before and decided again now (a supplement to one pending materials) follows the items
 * it followed then: those decided before too. Any other predecessor did not apply when it was first
 * decided (it would have waited for it), and one that applies now does not make it wait after the fact.
 */
import type { Licence, ServiceItem } from '../types';
import { isApproved, isFailed, type Bundle, type BundleItem, type ChildState } from './types';

/** An issued certificate never expires within a bundle; the e-licence system's own copy says otherwise later. */
export const CERTIFICATE_VALID_UNTIL = '9999-12-31';

/** What a child can do now: its state, or `ready` to be decided with the certificates that serve it. */
export type Progress = ChildState | { readonly kind: 'ready'; readonly certificates: readonly Licence[] };

export interface OrderInput {
  readonly bundle: Bundle;
  /** Whether each item applies (the applicability must be known). */
  readonly applies: ReadonlyMap<string, boolean>;
  /** The children decided so far. */
  readonly decided: ReadonlyMap<string, Extract<ChildState, { kind: 'decided' }>>;
  /** The current version of each item, for the certificates' type and issuer. */
  readonly items: ReadonlyMap<string, Pick<ServiceItem, 'certificateType' | 'departmentCode'>>;
  readonly applicantId: string;
  /** The moment the ready children are decided: no certificate serving them is issued after it. */
  readonly now: string;
  /** The children decided before (their applicability settled), whether kept or decided again now. */
  readonly settled?: ReadonlySet<string>;
}

/** `after` without the predecessors that do not apply to this applicant. */
export function effectivePredecessors(item: Pick<BundleItem, 'after'>, applies: ReadonlyMap<string, boolean>): string[] {
  return (item.after ?? []).filter((code) => applies.get(code) === true);
}

/** Every item's progress, in bundle order. The declared order has no cycle (refused at publication). */
export function progress(input: OrderInput): Map<string, Progress> {
  const byCode = new Map(input.bundle.items.map((i) => [i.itemCode, i] as const));
  const memo = new Map<string, Progress>();
  const stateOf = (code: string): Progress => {
    const known = memo.get(code);
    if (known !== undefined) return known;
    const computed = compute(code);
    memo.set(code, computed);
    return computed;
  };
  const compute = (code: string): Progress => {
    if (input.applies.get(code) !== true) return { kind: 'notApplicable' };
    const decided = input.decided.get(code);
    if (decided !== undefined) return decided;
    const item = byCode.get(code) ?? { after: [] };
    const settled = input.settled ?? new Set<string>();
    const predecessors = settled.has(code) ? (item.after ?? []).filter((p) => settled.has(p)) : effectivePredecessors(item, input.applies);
    const waitingFor: string[] = [];
    for (const p of predecessors) {
      const s = stateOf(p);
      if (s.kind === 'decided' && isFailed(s.outcome)) return { kind: 'notStarted', predecessor: p, predecessorState: s.outcome };
      if (s.kind === 'notStarted') return { kind: 'notStarted', predecessor: p, predecessorState: 'NOT_STARTED' };
      if (!(s.kind === 'decided' && isApproved(s.outcome))) waitingFor.push(p);
    }
    if (waitingFor.length > 0) return { kind: 'waiting', for: waitingFor };
    return { kind: 'ready', certificates: certificatesFor(code, input, byCode) };
  };
  return new Map(input.bundle.items.map((i) => [i.itemCode, stateOf(i.itemCode)]));
}

/** Every item a child follows, directly or through others, in the bundle's declared order. */
export function ancestors(code: string, byCode: ReadonlyMap<string, Pick<BundleItem, 'after'>>): string[] {
  const seen = new Set<string>();
  const visit = (c: string) => {
    for (const p of byCode.get(c)?.after ?? []) {
      if (seen.has(p)) continue;
      seen.add(p);
      visit(p);
    }
  };
  visit(code);
  return [...seen];
}

/** The certificates of the approved items a child follows, as the applicant's e-licences (trust A). */
function certificatesFor(code: string, input: OrderInput, byCode: ReadonlyMap<string, BundleItem>): Licence[] {
  const out: Licence[] = [];
  for (const ancestor of ancestors(code, byCode)) {
    const decided = input.decided.get(ancestor);
    const item = input.items.get(ancestor);
    if (decided === undefined || !isApproved(decided.outcome) || decided.certificateNo === undefined || item === undefined) continue;
    out.push({
      licenceNo: decided.certificateNo,
      licenceType: item.certificateType,
      holderId: input.applicantId,
      issuer: item.departmentCode,
      // Issued when its item was decided, but never after the follower is: a person's approval carries
      // the department's own time, which may run ahead of ours, and a licence is not valid before it is issued.
      issuedAt: Date.parse(decided.decidedAt) > Date.parse(input.now) ? input.now : decided.decidedAt,
      validUntil: CERTIFICATE_VALID_UNTIL,
      trustLevel: 'A',
      attributes: { bundleCode: input.bundle.bundleCode, itemCode: ancestor },
    });
  }
  return out;
}
