/**
 * E-licences (电子证照) at the moment of a decision: whether one can stand in for a material, which of
 * several to use, and which ones the rules see as `licence.<type>.*`.
 */
import type { WorkingCalendar } from '#calendar/types';
import type { Licence, MaterialRequirement, TrustLevel } from './types';

const TRUST_RANK: Record<TrustLevel, number> = { A: 2, B: 1 };

/** Who is applying and when: what a licence is checked against. */
export interface LicenceMoment {
  readonly applicantId: string;
  readonly nowMs: number;
  /** The local date of the decision moment. */
  readonly today: string;
  readonly calendar: Pick<WorkingCalendar, 'localDate'>;
}

export function licenceMoment(applicantId: string, now: string, calendar: Pick<WorkingCalendar, 'localDate'>): LicenceMoment {
  return { applicantId, nowMs: Date.parse(now), today: calendar.localDate(now), calendar };
}

/** Why a licence cannot satisfy a requirement for this applicant at this moment (empty when it can). */
export function licenceProblems(
  licence: Licence,
  applicantId: string,
  requirement: Pick<MaterialRequirement, 'licenceType' | 'minTrustLevel'>,
  nowMs: number,
  today: string,
  calendar: Pick<WorkingCalendar, 'localDate'>,
): string[] {
  const no = licence.licenceNo;
  const problems: string[] = [];
  if (licence.holderId !== applicantId) problems.push(`证照 ${no} 的持证人不是申请人`);
  if (requirement.licenceType !== undefined && licence.licenceType !== requirement.licenceType) {
    problems.push(`证照 ${no} 为「${licence.licenceType}」，本材料需要「${requirement.licenceType}」`);
  }
  if (licence.revokedAt !== undefined && Date.parse(licence.revokedAt) <= nowMs) {
    problems.push(`证照 ${no} 已于 ${licence.revokedAt} 注销`);
  }
  if (Date.parse(licence.issuedAt) > nowMs) problems.push(`证照 ${no} 在决定时尚未签发`);
  // Valid through the whole of its last local day: expired only when that day is before today.
  const lastDay = calendar.localDate(licence.validUntil);
  if (lastDay < today) problems.push(`证照 ${no} 已过期（有效期至 ${licence.validUntil}）`);
  const min = requirement.minTrustLevel;
  if (min !== undefined && TRUST_RANK[licence.trustLevel] < TRUST_RANK[min]) {
    problems.push(`证照 ${no} 的可信等级为 ${licence.trustLevel}，低于本材料要求的 ${min}`);
  }
  return problems;
}

const problemsAt = (licence: Licence, requirement: Pick<MaterialRequirement, 'licenceType' | 'minTrustLevel'>, at: LicenceMoment) =>
  licenceProblems(licence, at.applicantId, requirement, at.nowMs, at.today, at.calendar);

/**
 * The licence that satisfies a material's requirement, or why none does. A licence the applicant named is
 * used or refused, never replaced by another; otherwise the best valid one of the type is chosen.
 */
export function licenceFor(
  requirement: MaterialRequirement,
  namedLicenceNo: string | undefined,
  licences: readonly Licence[],
  at: LicenceMoment,
): { readonly licence?: Licence; readonly problems: string[] } {
  if (requirement.licenceType === undefined) return { problems: [] };
  if (namedLicenceNo !== undefined) {
    const named = licences.find((l) => l.licenceNo === namedLicenceNo);
    if (named === undefined) return { problems: [`申请人所填证照 ${namedLicenceNo} 未在电子证照库中找到`] };
    const why = problemsAt(named, requirement, at);
    return why.length === 0 ? { licence: named, problems: [] } : { problems: why };
  }
  const candidates = licences.filter((l) => l.licenceType === requirement.licenceType);
  const problems: string[] = [];
  const valid: Licence[] = [];
  for (const candidate of candidates) {
    const why = problemsAt(candidate, requirement, at);
    if (why.length === 0) valid.push(candidate);
    else problems.push(...why);
  }
  const licence = best(valid);
  if (licence === undefined && candidates.length === 0) problems.push(`申请人无「${requirement.licenceType}」电子证照`);
  return licence === undefined ? { problems } : { licence, problems };
}

/**
 * The licences the rules see, one per type: those used for materials first (in requirement order), then
 * the best valid one of each other type the applicant holds. Rules may read licences that no material asks
 * for (e.g. licence.营业执照.status on an item whose materials are all declared).
 */
export function licencesForRules(used: readonly Licence[], licences: readonly Licence[], at: LicenceMoment): Map<string, Licence> {
  const byType = new Map<string, Licence>();
  for (const l of used) if (!byType.has(l.licenceType)) byType.set(l.licenceType, l);
  const others = new Map<string, Licence[]>();
  for (const l of licences) {
    if (byType.has(l.licenceType)) continue;
    if (problemsAt(l, { licenceType: l.licenceType }, at).length > 0) continue;
    others.set(l.licenceType, [...(others.get(l.licenceType) ?? []), l]);
  }
  for (const [type, list] of others) {
    const chosen = best(list);
    if (chosen !== undefined) byType.set(type, chosen);
  }
  return byType;
}

/** Highest trust, then longest validity, then licence number, so the choice never depends on input order. */
function best(licences: readonly Licence[]): Licence | undefined {
  return [...licences].sort(
    (a, b) =>
      TRUST_RANK[b.trustLevel] - TRUST_RANK[a.trustLevel] ||
      (a.validUntil < b.validUntil ? 1 : a.validUntil > b.validUntil ? -1 : 0) ||
      (a.licenceNo < b.licenceNo ? -1 : a.licenceNo > b.licenceNo ? 1 : 0),
  )[0];
}
