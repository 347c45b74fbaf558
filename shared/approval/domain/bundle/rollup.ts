/**
 * A bundle application's outcome, rolled up from its children; first match wins:
 *   1. a required child rejected → REJECTED;
 *   2. a required child terminated or revoked → TERMINATED;
 *   3. any applicable child pending materials (容缺) → ACCEPTED_PENDING_MATERIALS;
 *   4. any applicable child waiting for a person, required or optional → IN_PROGRESS;
 *   5. every applicable child approved (on commitment counts) → APPROVED;
 *   6. otherwise → PARTIALLY_APPROVED.
 * An applicability still unknown (of a child not yet decided) makes it NEEDS_ANSWER, unless the children
 * decided already make it REJECTED or TERMINATED, which no answer can change. Recomputed on every
 * change of a child. The bundle is due `promisedDays` working days after submission and overdue while
 * still open (NEEDS_ANSWER, IN_PROGRESS, ACCEPTED_PENDING_MATERIALS) after that.
 */
import type { Due, WorkingCalendar } from '#calendar/types';
import { isApproved, type Bundle, type BundleStatus, type Child } from './types';

const decidedAs = (child: Child, ...outcomes: string[]) => child.state.kind === 'decided' && outcomes.includes(child.state.outcome);
const applicable = (child: Child) => child.state.kind !== 'notApplicable';

export function rollUp(applicability: 'known' | 'NEEDS_ANSWER', children: readonly Child[]): BundleStatus {
  if (applicability === 'NEEDS_ANSWER') {
    const decided = rollUp('known', children);
    return decided === 'REJECTED' || decided === 'TERMINATED' ? decided : 'NEEDS_ANSWER';
  }
  const required = children.filter((c) => c.required && applicable(c));
  const live = children.filter(applicable);
  if (required.some((c) => decidedAs(c, 'REJECTED'))) return 'REJECTED';
  if (required.some((c) => decidedAs(c, 'TERMINATED', 'REVOKED'))) return 'TERMINATED';
  if (live.some((c) => decidedAs(c, 'ACCEPTED_PENDING_MATERIALS'))) return 'ACCEPTED_PENDING_MATERIALS';
  // A child waiting for its predecessor waits, in the end, for a person: the predecessor is in manual review
  // (one pending materials matched above; an approved one would have started it).
  if (live.some((c) => decidedAs(c, 'MANUAL_REVIEW') || c.state.kind === 'waiting')) return 'IN_PROGRESS';
  if (live.every((c) => c.state.kind === 'decided' && isApproved(c.state.outcome))) return 'APPROVED';
  return 'PARTIALLY_APPROVED';
}

const OPEN: readonly BundleStatus[] = ['NEEDS_ANSWER', 'IN_PROGRESS', 'ACCEPTED_PENDING_MATERIALS'];

export interface BundleDeadline {
  readonly due: Due;
  readonly overdue: boolean;
}

/** Due `promisedDays` working days after submission (the submission's day not counted); overdue while open after it. */
export function bundleDeadline(bundle: Pick<Bundle, 'promisedDays'>, submittedAt: string, status: BundleStatus, now: string, calendar: WorkingCalendar): BundleDeadline {
  const due = calendar.addWorkingDays(submittedAt, Math.max(1, bundle.promisedDays));
  return { due, overdue: OPEN.includes(status) && Date.parse(now) > Date.parse(due.dueAt) };
}

export type BundleCheck = { readonly ok: true; readonly bundle: Bundle } | { readonly ok: false; readonly code: 'BUNDLE_UNKNOWN' | 'BUNDLE_INACTIVE'; readonly message: string };

/** An unknown or inactive bundle is REJECTED, as an unknown or inactive item is. */
export function checkBundle(bundleCode: string, bundle: Bundle | undefined): BundleCheck {
  if (bundle === undefined) return { ok: false, code: 'BUNDLE_UNKNOWN', message: `未找到一件事 ${bundleCode}` };
  if (!bundle.active) return { ok: false, code: 'BUNDLE_INACTIVE', message: `一件事「${bundle.name}」（${bundle.bundleCode}）已停止办理` };
  return { ok: true, bundle };
}
