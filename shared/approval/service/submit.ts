/**
 * `gov.application.submitted`: the first decision, once; a redelivery or resubmission decides nothing new,
 * and the same id with other content is a recorded conflict.
 *
 * Optimistic: a submission is nearly always new, so it is decided without looking for the case first.
 * The store creates the first version (which holds the application) only if absent, in the same
 * transaction as the rest of the decision; when it was there, the work is thrown away and the stored case
 * is handled as a known submission.
 *
 * In the approval consumer's unit of work (group commit) the first decisions of a batch are written
 * together, in as few transactions as fit (4 items each with the receipt), and what they owe is sent
 * together. A first decision keeps no outbox item: a crash before the send is made good by the event's
 * redelivery, which finds the version and sends what it derives. A known application in the batch turns
 * its change into a conflict, and its record runs again on its own, taking the known-submission path.
 */
import { afterCommit, currentUnit, GroupCommit } from '#platform/group-commit';
import { decisionAudit, conflictAudit } from '../domain/audit';
import { classifySubmission, contentHash } from '../domain/conflict';
import { decide } from '../domain/decide';
import { causeKey, type Cause } from '../domain/decision';
import { withHardCaseNotice } from '../domain/hardcase-notice';
import { factsOf } from '../domain/replay';
import type { Application } from '../domain/types';
import { conflictReceipt, duplicateReceipt, messagesOf, versionReceipt } from '../messages';
import type { ApplicationKey, ApprovalPorts, FirstDecisionRecord, StoredCase, SubmissionKey } from '../ports';
import { reportDecision, reportFactsDropped } from './observe';
import type { OneDecisionPerId } from './one-id';
import type { Messages, OutboxSender } from './outbox';

/** A first decision waiting in the consumer's unit of work: what it writes and the messages it then sends. */
export interface FirstDecisionChange {
  readonly record: FirstDecisionRecord;
  readonly messages: Messages;
}

/** `ids`: the check that a bundle application does not hold the id already (absent without bundles). */
export function submission(ports: ApprovalPorts, outbox: OutboxSender, ids?: OneDecisionPerId) {
  const { store, registry, telemetry } = ports;

  async function submitApplication(application: Application, cause: Cause): Promise<void> {
    const batch = currentUnit<FirstDecisionChange>();
    // In a batch, the same application's first decision may be waiting: write it first (then this is known).
    await batch?.unit.beforeLoad(application.applicationId);
    // A bundle application under this id: a conflict, recorded against the bundle, and nothing decided.
    if (ids && (await ids.refused({ kind: 'item', application }, cause))) return;
    const { item, ...facts } = await registry.applicationFacts(application.itemCode, application.applicant);
    const now = ports.now();
    const decision = withHardCaseNotice(decide({ application, item, ...facts, now, calendar: ports.calendar() }), undefined);
    // Kept with the decision so a simulation can replay it exactly (only when there was an item to decide on).
    const seen = item === undefined ? undefined : factsOf({ application, ...facts, now });
    const messages = messagesOf(decision, 'submitted');
    const record: FirstDecisionRecord = {
      application,
      decision,
      ...(seen === undefined ? {} : { facts: seen }),
      cause,
      receivedAt: now,
      audit: decisionAudit(decision, cause, `decided:${decision.outcome}`, now),
      receipt: versionReceipt(decision, cause),
    };
    // Facts too large to keep with the decision are left out by the store: said once the decision is stored.
    const dropped = seen === undefined ? undefined : store.factsDroppedFor(record);
    const report = () => {
      reportDecision(telemetry, decision, undefined, 'submitted');
      if (dropped !== undefined) reportFactsDropped(telemetry, decision, dropped);
    };
    if (batch) {
      batch.unit.defer({ record, messages });
      afterCommit(report);
      return;
    }
    if ((await store.createFirstDecision(record)) === 'exists') {
      return onKnownSubmission(await store.loadCase(application.applicationId), application, cause);
    }
    report();
    await outbox.deliver([messages]);
  }

  /** The application was decided before: a redelivery or resubmission (no new decision), or a conflict. */
  async function onKnownSubmission(known: StoredCase, application: Application, cause: Cause): Promise<void> {
    const stored = known.application;
    if (stored === undefined) throw new Error(`application ${application.applicationId} exists but could not be read; retrying`);
    if (classifySubmission({ applicationId: application.applicationId, applicationHash: stored.applicationHash }, application) === 'conflict') {
      const now = ports.now();
      const hash = contentHash(application);
      const { applicationId } = application;
      const recorded = await store.recordConflict({
        application,
        applicationHash: hash,
        storedHash: stored.applicationHash,
        cause,
        receivedAt: now,
        audit: conflictAudit(applicationId, hash, stored.applicationHash, cause, now),
        receipt: conflictReceipt(applicationId, hash, stored.applicationHash, cause, now),
      });
      if (recorded) telemetry.warn('application conflict', { applicationId, eventId: cause.id, source: cause.source });
      return;
    }
    // The earlier attempt may have crashed after its write: a redelivery sends what version 1 owes again.
    const redelivery = causeKey(stored.cause) === causeKey(cause);
    const first = known.versions[0];
    if (first !== undefined) await outbox.resend(first, redelivery);
    // The same application under another event id: decided once, this event had no effect. (A redelivery of
    // the event that was decided finds the receipt written with its decision.)
    if (!redelivery) await store.recordReceipt(duplicateReceipt(application, cause, stored.cause, ports.now()));
    telemetry.info('application already decided', { applicationId: application.applicationId, eventId: cause.id });
  }

  /**
   * The approval consumer's unit of work: a batch's new applications written together, and the records
   * they are decided on read ahead in one request when the registry can (`readAhead` names them), with,
   * alongside, whether the other kind of application holds each submission's id (`submissions` names them).
   */
  function batch(
    readAhead?: (events: readonly unknown[]) => readonly ApplicationKey[],
    submissions?: (events: readonly unknown[]) => readonly SubmissionKey[],
  ): GroupCommit<FirstDecisionChange> {
    const records = readAhead && registry.readAhead ? registry.readAhead.bind(registry) : undefined;
    const held = submissions && ids;
    const prepare =
      records || held
        ? async (events: readonly unknown[]) => {
            await Promise.all([records?.(readAhead!(events)), held?.prepare(submissions!(events))]);
          }
        : undefined;
    return new GroupCommit<FirstDecisionChange>({
      ...(prepare ? { prepare } : {}),
      keyOf: (change) => change.record.application.applicationId,
      write: (changes) => store.writeFirstDecisions(changes.map((c) => c.record)),
      afterWrite: (changes) => outbox.deliver(changes.map((c) => c.messages)),
    });
  }

  return { submitApplication, batch };
}
