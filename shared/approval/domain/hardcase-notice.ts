/**
 * Which decision versions 办不成事 (hard cases) must hear of: a TERMINATED application is a
 * thing the applicant could not get done and offers a case at once; a MANUAL_REVIEW is watched until its
 * item's promised days run out; and any version that follows a MANUAL_REVIEW ends that watch. Other
 * versions concern no hard case and are not sent. The notice rides in the version's effects, so it is
 * stored and sent with the version (the outbox) and carries the version's final sequence.
 */
import type { Decision, Effect, HardCaseNotice } from './decision';

const OFFERING = new Set<Decision['outcome']>(['TERMINATED', 'MANUAL_REVIEW']);

export function owesHardCaseNotice(decision: Decision, previous: Decision | undefined): boolean {
  return OFFERING.has(decision.outcome) || previous?.outcome === 'MANUAL_REVIEW';
}

export function hardCaseNotice(d: Decision): HardCaseNotice {
  return {
    applicationId: d.applicationId,
    itemCode: d.itemCode,
    ...(d.departmentCode === null ? {} : { departmentCode: d.departmentCode }),
    outcome: d.outcome,
    reasons: d.reasons.map((r) => ({ code: r.code, message: r.message })),
    submittedAt: d.submittedAt,
    updatedAt: d.updatedAt,
    sequence: d.sequence,
    ...(d.itemName === undefined || d.promisedDays === undefined ? {} : { item: { name: d.itemName, promisedDays: d.promisedDays } }),
  };
}

/** The version as it is stored: with the hard-case notice among its effects when one is owed. */
export function withHardCaseNotice(decision: Decision, previous: Decision | undefined): Decision {
  if (!owesHardCaseNotice(decision, previous)) return decision;
  const tell: Effect = { kind: 'tellHardCase', decided: hardCaseNotice(decision) };
  return { ...decision, effects: [...decision.effects.filter((e) => e.kind !== 'tellHardCase'), tell] };
}
