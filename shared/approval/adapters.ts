/**
 * Glue between the platform and the 秒批 domain, shared by the approval consumer and the deadlines
 * schedule: the stage's working calendar, the facts read from the registry, certificate numbers, audit
 * lines and the figures' metrics (SPEC §4 "Figures").
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { metrics } from '#platform/powertools';
import type { AuditEntry } from '#platform/audit';
import {
  getApplicationRecords,
  getCredit,
  getEnterpriseProfile,
  getPersonProfile,
  licencesOfHolder,
  type StoredLicence,
} from '#registry';
import type { Applicant, Application, CreditRecord, Decision, Licence, Profile, ServiceItem } from './types';
import { causeKey, pkOf, versionSk, type Cause } from './store';
import type { VersionCause } from './messages';

/** Deterministic, so that a retried or re-decided approval carries the same number. */
export function certificateNo(application: Application, item: ServiceItem): string {
  return `${item.certificateType}-${application.applicationId}`;
}

/** A licence without `validUntil` is valid without limit (长期); the domain compares last local days. */
export const UNLIMITED_VALIDITY = '9999-12-31';

export function toDomainLicence(l: StoredLicence): Licence {
  return {
    ...l,
    validUntil: l.validUntil ?? UNLIMITED_VALIDITY,
    attributes: l.attributes ?? {},
  } as Licence;
}

/** The applicant's shared profile, e-licences and credit record, as the domain takes them. */
export async function factsOf(applicant: Applicant): Promise<Facts> {
  const [profile, licences, credit] = await Promise.all([
    applicant.kind === 'person' ? getPersonProfile(applicant.id) : getEnterpriseProfile(applicant.id),
    licencesOfHolder(applicant.id),
    getCredit(applicant.id),
  ]);
  return asFacts(profile, licences, credit);
}

type Facts = { profile?: Profile; licences: Licence[]; credit?: CreditRecord };

/** The stored records as the domain takes them (absent ones left out). */
function asFacts(profile: unknown, licences: readonly StoredLicence[], credit: unknown): Facts {
  return {
    ...(profile ? { profile: profile as Profile } : {}),
    licences: licences.map(toDomainLicence),
    ...(credit ? { credit: credit as CreditRecord } : {}),
  };
}

/**
 * Everything a first decision reads: the item's current version and the applicant's facts, as factsOf
 * returns them. One BatchGetItem (item, profile, credit) alongside the licences' Query, instead of four
 * requests: the approval consumer is bound by DynamoDB requests.
 */
export async function applicationFactsOf(itemCode: string, applicant: Applicant): Promise<Facts & { item?: ServiceItem }> {
  const [records, licences] = await Promise.all([getApplicationRecords(itemCode, applicant), licencesOfHolder(applicant.id)]);
  return {
    ...(records.item ? { item: records.item as ServiceItem } : {}),
    ...asFacts(records.profile, licences, records.credit),
  };
}

/**
 * The audit line of a decision version: who caused it, what came of it, the reason codes, and which
 * version holds the full decision and its trace (one copy, in the approvals table: not repeated here).
 */
export function auditOf(decision: Decision, cause: Cause, action: string, at: string): AuditEntry {
  const codes = decision.reasons.map((r) => r.code);
  return {
    subject: `application:${decision.applicationId}`,
    action,
    actor: cause.source,
    at,
    why: codes.join(',') || 'all checks passed',
    causeId: causeKey(cause),
    details: {
      cause,
      sequence: decision.sequence,
      outcome: decision.outcome,
      itemCode: decision.itemCode,
      itemVersion: decision.itemVersion,
      reasonCodes: codes,
      version: `${pkOf(decision.applicationId)}/${versionSk(decision.sequence)}`,
    },
  };
}

const CONCLUDED = new Set(['APPROVED', 'APPROVED_ON_COMMITMENT', 'REJECTED']);

/**
 * Metrics of a newly stored version (never of a redelivery: the caller emits them only after its own
 * write succeeded). `Decisions` counts versions by outcome; the 秒批率 pair counts each application once
 * in the denominator and once in the numerator when it becomes APPROVED; waived materials count only
 * what the version added. Latency and compression belong to decisions on the merits (first decision or
 * a supplement's re-decision), not to deadlines or verifications.
 */
export function recordDecisionMetrics(decision: Decision, previous: Decision | undefined, cause: VersionCause): void {
  const byOutcome = metrics.singleMetric();
  byOutcome.addDimension('Outcome', decision.outcome);
  byOutcome.addMetric('Decisions', MetricUnit.Count, 1);
  const byItem = metrics.singleMetric();
  byItem.addDimensions({ ItemCode: decision.itemCode, Outcome: decision.outcome });
  byItem.addMetric('DecisionsByItem', MetricUnit.Count, 1);

  if (decision.itemMode === 'instant') {
    if (previous === undefined) metrics.addMetric('DecisionsOnInstantItems', MetricUnit.Count, 1);
    if (decision.outcome === 'APPROVED' && previous?.outcome !== 'APPROVED') {
      metrics.addMetric('InstantApprovals', MetricUnit.Count, 1);
    }
  }
  const waived = decision.materialsWaived.length - (previous?.materialsWaived.length ?? 0);
  if (waived > 0) metrics.addMetric('MaterialsWaived', MetricUnit.Count, waived);
  const onMerits = cause === 'submitted' || cause === 'supplemented';
  if (onMerits) {
    metrics.addMetric('DecisionLatency', MetricUnit.Milliseconds, decision.latencyMs);
    if (CONCLUDED.has(decision.outcome) && decision.timeLimitCompression !== null) {
      metrics.addMetric('TimeLimitCompression', MetricUnit.Percent, decision.timeLimitCompression * 100);
    }
  }
}
