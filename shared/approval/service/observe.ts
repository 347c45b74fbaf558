/**
 * What a use case says about a stored version: its metrics and its log line, emitted only after the
 * version is written (in a batch, `afterCommit`), so a redelivery or a redone record is not counted twice.
 */
import type { Decision, VersionCause } from '../domain/decision';
import { DECISION_FACTS_DROPPED, decisionMetrics } from '../domain/metrics';
import type { FactsDropped, Telemetry } from '../ports';

export function reportDecision(telemetry: Telemetry, decision: Decision, previous: Decision | undefined, cause: VersionCause): void {
  telemetry.metrics(decisionMetrics(decision, previous, cause));
  // Never the profile or the applicant's identifiers: the decision is readable through the query route.
  telemetry.info('decision', {
    applicationId: decision.applicationId,
    itemCode: decision.itemCode,
    itemVersion: decision.itemVersion,
    sequence: decision.sequence,
    cause,
    outcome: decision.outcome,
    reasons: decision.reasons.map((r) => r.code),
    latencyMs: decision.latencyMs,
  });
}

/**
 * A first decision stored without its facts (too large to keep with it, `FactsDropped`): a warning with the
 * sizes and the metric, once the decision is stored, so a simulation's "not replayable" has a cause to find.
 * Ids of the application and its item only, never the applicant's.
 */
export function reportFactsDropped(telemetry: Telemetry, decision: Decision, dropped: FactsDropped): void {
  telemetry.metrics([DECISION_FACTS_DROPPED]);
  telemetry.warn('decision facts dropped: over the storage budget, not replayable by a simulation', {
    applicationId: decision.applicationId,
    itemCode: decision.itemCode,
    itemVersion: decision.itemVersion,
    packedBytes: dropped.packedBytes,
    budgetBytes: dropped.budgetBytes,
    storedBytes: dropped.storedBytes,
  });
}
