/**
 * A later version of a decision (a supplement's re-decision, a verification, a missed deadline): stored
 * only over the version it was computed from, with the hard-case notice it owes among its effects, then
 * counted, logged and what it owes sent (marked sent when the schedule made it: `resentBySchedule`).
 */
import { decisionAudit } from '../domain/audit';
import type { Cause, Decision, VersionCause } from '../domain/decision';
import { withHardCaseNotice } from '../domain/hardcase-notice';
import { messagesOf, versionReceipt } from '../messages';
import { resentBySchedule, type ApprovalPorts } from '../ports';
import { reportDecision } from './observe';
import { versionOutbox, type OutboxSender } from './outbox';

/** 'raced' when another writer changed the case first: the caller reloads or leaves it. */
export async function storeVersion(
  { store, telemetry }: Pick<ApprovalPorts, 'store' | 'telemetry'>,
  outbox: OutboxSender,
  change: { readonly previous: Decision; readonly decision: Decision; readonly cause: Cause; readonly causeKind: VersionCause; readonly now: string },
): Promise<'stored' | 'raced'> {
  const { previous, cause, causeKind, now } = change;
  const decision = withHardCaseNotice(change.decision, previous);
  const messages = messagesOf(decision, causeKind);
  const stored = await store.storeTransition({
    previous,
    decision,
    cause,
    causeKind,
    outbox: messages.outbox,
    audit: decisionAudit(decision, cause, `${causeKind}:${decision.outcome}`, now),
    receipt: versionReceipt(decision, cause),
  });
  if (stored === 'raced') return stored;
  reportDecision(telemetry, decision, previous, causeKind);
  if (resentBySchedule(causeKind)) await outbox.send({ ref: versionOutbox(decision), ...messages });
  else await outbox.deliver([messages]);
  return stored;
}
