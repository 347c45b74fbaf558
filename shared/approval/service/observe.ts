/**
 * What a use case says about a stored version: its metrics and its log line, emitted only after the
 * version is written (in a batch, `afterCommit`), so a redelivery or a redone record is not counted twice.
 */
import type { Decision, VersionCause } from '../domain/decision';
import { decisionMetrics } from '../domain/metrics';
import type { Telemetry } from '../ports';

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
