/**
 * Step 3: materials. Each required material is judged against what was submitted and the applicant's
 * e-licences: waived by a valid e-licence (免提交, the licence recorded), declared (a statement or online
 * form, satisfied when provided), provided but unverifiable by a machine, pending (容缺: tolerable and
 * missing, unless the subject is excluded), or missing.
 *
 * Judging (`judgeMaterials`) takes a list of requirements rather than an item, so that several items
 * sharing one material set can have each material judged once against a merged requirement.
 */
import type { LicenceUse, MaterialCheck, MaterialRef, StepResult } from './decision';
import { licenceFor, type LicenceMoment } from './licences';
import { names, ref, type Finding, type StepReport } from './step';
import type { ItemMode, Licence, MaterialRequirement, SubmittedMaterial } from './types';

export interface MaterialsJudgement {
  /** One check per requirement, in requirement order. */
  readonly checks: readonly MaterialCheck[];
  readonly used: readonly LicenceUse[];
  /** The licences behind `used`, in the same order (the rules see them first). */
  readonly usedLicences: readonly Licence[];
  /** Codes of the materials satisfied by e-licences. */
  readonly waived: readonly string[];
  /** Submitted codes that no requirement asks for (ignored, with a note). */
  readonly unknownCodes: readonly string[];
}

/**
 * `excluded`: a dishonest or false-commitment subject gets no 容缺, so a tolerable material it did not
 * bring is simply missing.
 */
export function judgeMaterials(
  requirements: readonly MaterialRequirement[],
  submitted: readonly SubmittedMaterial[],
  licences: readonly Licence[],
  at: LicenceMoment,
  excluded: boolean,
): MaterialsJudgement {
  const byCode = new Map(submitted.map((m) => [m.code, m] as const));
  const checks: MaterialCheck[] = [];
  const used: LicenceUse[] = [];
  const usedLicences: Licence[] = [];
  for (const requirement of requirements) {
    const given = byCode.get(requirement.code);
    const { licence, problems } = licenceFor(requirement, given?.licenceNo, licences, at);
    const base = { code: requirement.code, name: requirement.name };
    if (licence !== undefined) {
      checks.push({ ...base, status: 'waived', licenceNo: licence.licenceNo, problems: [] });
      used.push({ materialCode: requirement.code, licenceNo: licence.licenceNo, licenceType: licence.licenceType, trustLevel: licence.trustLevel });
      usedLicences.push(licence);
    } else if (given?.provided === true) {
      checks.push({ ...base, status: requirement.declared === true ? 'declared' : 'unverifiable', problems });
    } else {
      checks.push({ ...base, status: requirement.tolerable === true && !excluded ? 'pending' : 'missing', problems });
    }
  }
  const known = new Set(requirements.map((m) => m.code));
  return {
    checks,
    used,
    usedLicences,
    waived: used.map((u) => u.materialCode),
    unknownCodes: submitted.map((m) => m.code).filter((c) => !known.has(c)),
  };
}

export interface MaterialsStep extends StepReport {
  readonly missing: readonly MaterialRef[];
  readonly pending: readonly MaterialRef[];
  readonly unverifiable: readonly MaterialRef[];
}

/**
 * What the judgement means for an item of this mode. Provided materials that no machine can verify send
 * only an `instant` item to a person: on a `commitment` item the applicant vouches for them in the signed
 * commitment and the department checks them at verification; on a `manual` item a person reviews
 * everything anyway. Either way they are listed for the reviewer or verifier.
 */
export function materialsStep(judgement: MaterialsJudgement, mode: ItemMode, sharedMaterials = false): MaterialsStep {
  const having = (status: MaterialCheck['status']) => judgement.checks.filter((c) => c.status === status).map(ref);
  const [missing, pending, unverifiable] = [having('missing'), having('pending'), having('unverifiable')];
  const findings: Finding[] = [];
  let result: StepResult = 'pass';
  if (missing.length > 0) {
    result = 'reject';
    // 一次性告知: the list names everything missing, tolerable materials included (for a single item; a
    // bundle's shared materials keep their verdict, the tolerable ones pending: see decide()).
    const all = sharedMaterials ? missing : [...missing, ...pending];
    findings.push({
      tag: 'reject',
      reason: { code: 'MATERIALS_MISSING', message: `缺少以下材料，请一次性补齐后重新申请：${names(all)}`, details: { materials: all } },
    });
  }
  if (unverifiable.length > 0 && mode === 'instant') {
    if (result === 'pass') result = 'manual';
    findings.push({
      tag: 'manual',
      reason: {
        code: 'MATERIAL_UNVERIFIABLE',
        message: `以下材料无法由系统核验，转人工审核：${names(unverifiable)}`,
        details: { materials: unverifiable },
      },
    });
  }
  if (pending.length > 0 && missing.length === 0) {
    if (result === 'pass') result = 'pending';
    findings.push({
      tag: 'pending',
      reason: { code: 'MATERIALS_PENDING', message: `容缺受理，以下材料须在期限内补齐：${names(pending)}`, details: { materials: pending } },
    });
  }
  const notes = judgement.checks.map(materialNote);
  if (unverifiable.length > 0 && mode === 'commitment') {
    notes.push('告知承诺事项：申请人对无法核验的材料作出承诺，由部门在核查时一并核实');
  }
  for (const extra of judgement.unknownCodes) notes.push(`材料 ${extra} 不属于本事项，已忽略`);
  return { trace: { step: 'materials', result, notes }, findings, missing, pending, unverifiable };
}

function materialNote(check: MaterialCheck): string {
  const why = check.problems.length > 0 ? `（${check.problems.join('；')}）` : '';
  switch (check.status) {
    case 'waived':
      return `${check.name}：免提交，使用电子证照 ${check.licenceNo}`;
    case 'declared':
      return `${check.name}：已在线填报`;
    case 'unverifiable':
      return `${check.name}：已提交，系统无法核验${why}`;
    case 'pending':
      return `${check.name}：容缺${why}`;
    case 'missing':
      return `${check.name}：缺少${why}`;
  }
}
