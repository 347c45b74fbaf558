/**
 * Deciding an application (SPEC §4, steps 1–5). Pure: the handler loads the item, profile, e-licences and
 * credit record, passes the clock, calendar and certificate-number generator, and stores what comes back.
 *
 * Precedence. After step 1 (which stops at once: without a usable item there is nothing to check), every
 * step is evaluated and recorded in the trace, whatever an earlier step found, so the applicant and the
 * reviewer see everything at once (一次性告知). The outcome then weighs the findings:
 *   1. any ground that rejects — credit (item says `reject`), a missing required material, a false rule —
 *      gives REJECTED, listing every such ground. A ground that rejects any applicant also rejects a
 *      dishonest one: manual review is for what a machine cannot decide, and no reviewer can make a
 *      false rule true or a missing material present.
 *   2. else any ground for a person — credit (item says `manual`), an unverifiable material on an
 *      instant item, an unknown rule, the mode (unsigned or excluded commitment, manual item) — gives
 *      MANUAL_REVIEW, listing every such ground and any pending material.
 *   3. else pending materials (容缺) give ACCEPTED_PENDING_MATERIALS;
 *   4. else the mode decides: APPROVED or APPROVED_ON_COMMITMENT.
 *
 * Provided materials that no machine can verify send only an `instant` item to a person. On a
 * `commitment` item the applicant vouches for them in the signed commitment and the department checks
 * them at verification; on a `manual` item a person reviews everything anyway. Either way they are
 * listed in `materialsUnverifiable` for the reviewer or verifier.
 */
import { compileCached } from '#rules/compile';
import type { Condition, Explanation, Facts, LeafTrace, Truth } from '#rules/types';
import type { Due, WorkingCalendar } from '#calendar/types';
import { contentHash } from './conflict';
import type {
  Application,
  CreditRecord,
  Decision,
  Effect,
  Licence,
  LicenceUse,
  MaterialCheck,
  MaterialRef,
  MaterialRequirement,
  Outcome,
  Profile,
  Reason,
  RuleRef,
  ServiceItem,
  StepResult,
  TraceStep,
  TrustLevel,
} from './types';

export interface DecideInput {
  readonly application: Application;
  /** The item version in force, or undefined when the catalogue has no such item. */
  readonly item: ServiceItem | undefined;
  readonly profile?: Profile;
  /** The applicant's e-licences (others are ignored, with a note). */
  readonly licences: readonly Licence[];
  /** The applicant's credit record; absent means the credit system holds no mark against the subject. */
  readonly credit?: CreditRecord;
  /** The decision moment (ISO 8601). */
  readonly now: string;
  readonly calendar: WorkingCalendar;
  /** Issues the electronic certificate number (ids are passed in, never generated here). */
  readonly certificateNo: (application: Application, item: ServiceItem) => string;
}

const KIND_LABEL = { person: '自然人', enterprise: '法人（企业）' } as const;
const TRUST_RANK: Record<TrustLevel, number> = { A: 2, B: 1 };

/** Rules are compiled once per item version; the key names the version so a new one recompiles. */
export function rulesCacheKey(item: Pick<ServiceItem, 'itemCode' | 'version'>): string {
  return `approval:${item.itemCode}@${item.version}`;
}

export function decide(input: DecideInput): Decision {
  const { application, item, now, calendar } = input;
  const common = commonFields(input);

  const itemReason = checkItem(application, item);
  if (item === undefined || itemReason !== undefined) {
    const reason = itemReason ?? { code: 'ITEM_UNKNOWN' as const, message: `未找到事项 ${application.itemCode}` };
    return {
      ...common,
      outcome: 'REJECTED',
      reasons: [reason],
      trace: {
        steps: [
          { step: 'item', result: 'reject', notes: [reason.message] },
          ...(['credit', 'materials', 'rules', 'mode'] as const).map((step) => ({
            step,
            result: 'skip' as const,
            notes: ['事项无法受理，未继续审查'],
          })),
        ],
        materials: [],
        rules: null,
      },
      ...(item === undefined ? {} : itemTimes(item, application, now, calendar)),
    };
  }

  const steps: TraceStep[] = [
    { step: 'item', result: 'pass', notes: [`事项「${item.name}」第 ${item.version} 版，${modeLabel(item.mode)}`] },
  ];
  // Each finding is tagged with what it leads to; the outcome is chosen after every step has run.
  const findings: { tag: 'reject' | 'manual' | 'pending'; reason: Reason }[] = [];

  // Step 2: credit.
  const credit = input.credit;
  if (credit !== undefined && credit.subjectId !== application.applicant.id) {
    // Deciding on someone else's credit record would be a silent wrong decision; fail loudly instead.
    throw new Error(`credit record of ${credit.subjectId} passed for applicant ${application.applicant.id}`);
  }
  const dishonest = credit?.dishonest === true;
  const falseCommitment = credit?.falseCommitment === true;
  const excluded = dishonest || falseCommitment;
  const dishonestPolicy = item.credit?.dishonest ?? 'manual';
  {
    const notes: string[] = [];
    let result: StepResult = 'pass';
    if (credit === undefined) notes.push('信用系统无该主体记录，按无失信记录处理');
    else notes.push(`信用等级 ${credit.rating}（截至 ${credit.asOf}）`);
    if (dishonest) {
      result = dishonestPolicy;
      const message =
        dishonestPolicy === 'reject' ? '申请人被列入失信名单，本事项不予办理' : '申请人被列入失信名单，转人工审核';
      findings.push({ tag: dishonestPolicy, reason: { code: 'CREDIT_DISHONEST', message } });
      notes.push(message);
    }
    if (falseCommitment) notes.push('申请人有虚假承诺记录');
    if (excluded) notes.push('失信或虚假承诺主体：不适用容缺受理和告知承诺');
    steps.push({ step: 'credit', result, notes });
  }

  // Step 3: materials.
  const today = calendar.localDate(now);
  const nowMs = Date.parse(now);
  const materials = checkMaterials(item, application, input.licences, nowMs, today, excluded, calendar);
  const missing = materials.checks.filter((c) => c.status === 'missing').map(ref);
  const pending = materials.checks.filter((c) => c.status === 'pending').map(ref);
  const unverifiable = materials.checks.filter((c) => c.status === 'unverifiable').map(ref);
  {
    let result: StepResult = 'pass';
    if (missing.length > 0) {
      result = 'reject';
      // 一次性告知: the list names everything missing, tolerable materials included.
      const all = [...missing, ...pending];
      findings.push({
        tag: 'reject',
        reason: {
          code: 'MATERIALS_MISSING',
          message: `缺少以下材料，请一次性补齐后重新申请：${names(all)}`,
          details: { materials: all },
        },
      });
    }
    if (unverifiable.length > 0 && item.mode === 'instant') {
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
        reason: {
          code: 'MATERIALS_PENDING',
          message: `容缺受理，以下材料须在期限内补齐：${names(pending)}`,
          details: { materials: pending },
        },
      });
    }
    const notes = materials.checks.map(materialNote);
    if (unverifiable.length > 0 && item.mode === 'commitment') {
      notes.push('告知承诺事项：申请人对无法核验的材料作出承诺，由部门在核查时一并核实');
    }
    for (const extra of materials.unknownCodes) notes.push(`材料 ${extra} 不属于本事项，已忽略`);
    steps.push({ step: 'materials', result, notes });
  }

  // Step 4: rules.
  const facts = buildFacts(input, materials.factLicences);
  const explanation = compileCached(item.rules, rulesCacheKey(item)).explain(facts);
  const traces = new Map(explanation.leaves.map((l) => [l.id, l] as const));
  let failedRules: RuleRef[] = [];
  let unknownRules: RuleRef[] = [];
  {
    let result: StepResult = 'pass';
    const notes: string[] = [];
    if (explanation.result === false) {
      result = 'reject';
      failedRules = responsibleLeaves(item.rules, traces, explanation, false);
      findings.push({
        tag: 'reject',
        reason: {
          code: 'RULE_FALSE',
          message: `不符合以下条件：${failedRules.map((r) => r.description).join('；')}`,
          details: { rules: failedRules },
        },
      });
      notes.push(`不满足：${failedRules.map((r) => `${r.id} ${r.description}`).join('；')}`);
    } else if (explanation.result === null) {
      result = 'manual';
      unknownRules = responsibleLeaves(item.rules, traces, explanation, null);
      const factsMissing = unique(unknownRules.map((r) => r.fact));
      findings.push({
        tag: 'manual',
        reason: {
          code: 'RULE_UNKNOWN',
          message: `以下信息无法确认，转人工审核：${unknownRules.map((r) => r.description).join('；')}`,
          details: { facts: factsMissing, rules: unknownRules },
        },
      });
      notes.push(`无法确认（缺少 ${factsMissing.join('、')}）`);
    } else {
      notes.push(`全部 ${explanation.leaves.length} 项条件满足`);
    }
    steps.push({ step: 'rules', result, notes });
  }

  // Step 5: mode.
  const rejected = findings.some((f) => f.tag === 'reject');
  {
    const notes: string[] = [];
    let result: StepResult = 'pass';
    if (item.mode === 'manual') {
      result = 'manual';
      findings.push({
        tag: 'manual',
        reason: {
          code: 'MANUAL_ITEM',
          message: '本事项须人工审核，系统已完成预审',
          details: {
            preCheck: {
              rules: explanation.result,
              materialsWaived: materials.waived,
              materialsUnverifiable: unverifiable,
              materialsPending: pending,
              materialsMissing: missing,
            },
          },
        },
      });
      notes.push('人工审核事项，携带预审结果转人工');
    } else if (item.mode === 'commitment') {
      if (excluded) {
        result = 'manual';
        findings.push({
          tag: 'manual',
          reason: { code: 'COMMITMENT_EXCLUDED', message: '申请人存在失信或虚假承诺记录，不适用告知承诺，转人工审核' },
        });
        notes.push('不适用告知承诺');
      } else if (!isSigned(application)) {
        result = 'manual';
        findings.push({
          tag: 'manual',
          reason: { code: 'COMMITMENT_UNSIGNED', message: '未签署告知承诺书，转人工审核' },
        });
        notes.push('未签署告知承诺书');
      } else {
        notes.push(`告知承诺书签署于 ${application.commitment?.signedAt}`);
      }
    } else {
      notes.push('即时办理');
    }
    if (rejected) {
      steps.push({ step: 'mode', result: 'skip', notes: ['前序步骤已决定不予批准', ...notes] });
    } else {
      steps.push({ step: 'mode', result, notes });
    }
  }

  const manual = findings.some((f) => f.tag === 'manual');
  let outcome: Outcome;
  let reasons: Reason[];
  let certificateNo: string | undefined;
  let verificationDue: Due | undefined;
  let supplementDue: Due | undefined;
  if (rejected) {
    outcome = 'REJECTED';
    reasons = findings.filter((f) => f.tag === 'reject').map((f) => f.reason);
  } else if (manual) {
    outcome = 'MANUAL_REVIEW';
    reasons = findings.map((f) => f.reason);
  } else if (pending.length > 0) {
    outcome = 'ACCEPTED_PENDING_MATERIALS';
    // The calendar counts at least one working day; a same-day deadline would make 容缺 meaningless.
    supplementDue = calendar.addWorkingDays(now, Math.max(1, item.promisedDays));
    reasons = findings.map((f) =>
      f.reason.code === 'MATERIALS_PENDING'
        ? {
            ...f.reason,
            message: `容缺受理，请于 ${supplementDue?.date} 前补齐：${names(pending)}`,
            details: { ...f.reason.details, supplementDue },
          }
        : f.reason,
    );
  } else if (item.mode === 'commitment') {
    outcome = 'APPROVED_ON_COMMITMENT';
    certificateNo = input.certificateNo(application, item);
    // Without a configured period the verification must still end within the legal time limit.
    verificationDue = calendar.addWorkingDays(now, Math.max(1, item.verificationDays ?? item.legalDays));
    reasons = [];
  } else {
    outcome = 'APPROVED';
    certificateNo = input.certificateNo(application, item);
    reasons = [];
  }

  const approved = outcome === 'APPROVED' || outcome === 'APPROVED_ON_COMMITMENT';
  return {
    ...common,
    ...itemTimes(item, application, now, calendar),
    outcome,
    reasons,
    trace: {
      steps,
      // No 容缺 in a rejection: a tolerable material still to come is simply missing, as materialsMissing says.
      materials: rejected
        ? materials.checks.map((c) => (c.status === 'pending' ? { ...c, status: 'missing' as const } : c))
        : materials.checks,
      rules: explanation,
    },
    licencesUsed: materials.used,
    materialsWaived: materials.waived,
    // A rejection names everything missing, the tolerable materials too; 容缺 only exists when accepted.
    materialsMissing: rejected ? [...missing, ...pending] : missing,
    materialsPending: rejected ? [] : pending,
    materialsUnverifiable: unverifiable,
    unknownFacts: unique(unknownRules.map((r) => r.fact)),
    failedRules,
    unknownRules,
    ...(certificateNo === undefined ? {} : { certificateNo }),
    ...(verificationDue === undefined ? {} : { verificationDue }),
    ...(supplementDue === undefined ? {} : { supplementDue }),
    effects: approved ? [openReviewCase(application, item.departmentCode, now)] : [],
  };
}

export function openReviewCase(application: Application, departmentCode: string, completedAt: string): Effect {
  return {
    kind: 'openReviewCase',
    caseId: application.applicationId,
    itemCode: application.itemCode,
    departmentCode,
    applicantId: application.applicant.id,
    channel: application.channel,
    completedAt,
  };
}

function checkItem(application: Application, item: ServiceItem | undefined): Reason | undefined {
  if (item === undefined) return { code: 'ITEM_UNKNOWN', message: `未找到事项 ${application.itemCode}` };
  if (!item.active) {
    return { code: 'ITEM_INACTIVE', message: `事项「${item.name}」（${item.itemCode}）已停止办理` };
  }
  if (item.applicantKind !== 'any' && item.applicantKind !== application.applicant.kind) {
    return {
      code: 'APPLICANT_KIND_MISMATCH',
      message: `本事项仅受理${KIND_LABEL[item.applicantKind]}申请，申请人为${KIND_LABEL[application.applicant.kind]}`,
      details: { expected: item.applicantKind, actual: application.applicant.kind },
    };
  }
  return undefined;
}

type CommonFields = Omit<Decision, 'outcome' | 'reasons' | 'trace'>;

function commonFields(input: DecideInput): CommonFields {
  const { application, item, now } = input;
  return {
    applicationId: application.applicationId,
    itemCode: application.itemCode,
    itemVersion: item?.version ?? null,
    itemMode: item?.mode ?? null,
    departmentCode: item?.departmentCode ?? null,
    applicantKind: application.applicant.kind,
    applicantId: application.applicant.id,
    channel: application.channel,
    licencesUsed: [],
    materialsWaived: [],
    materialsMissing: [],
    materialsPending: [],
    materialsUnverifiable: [],
    unknownFacts: [],
    failedRules: [],
    unknownRules: [],
    submittedAt: application.submittedAt,
    decidedAt: now,
    updatedAt: now,
    latencyMs: Date.parse(now) - Date.parse(application.submittedAt),
    legalDue: null,
    timeLimitCompression: null,
    actualWorkingDays: null,
    sequence: 1,
    applicationHash: contentHash(application),
    effects: [],
  };
}

/** The legal due date and the time-limit compression of a decision taken at `decidedAt`. */
export function itemTimes(
  item: Pick<ServiceItem, 'legalDays'>,
  application: Pick<Application, 'submittedAt'>,
  decidedAt: string,
  calendar: WorkingCalendar,
): Pick<Decision, 'legalDue' | 'timeLimitCompression' | 'actualWorkingDays'> {
  if (!(item.legalDays >= 1)) return { legalDue: null, timeLimitCompression: null, actualWorkingDays: null };
  const actual = calendar.workingDaysBetween(application.submittedAt, decidedAt);
  return {
    legalDue: calendar.addWorkingDays(application.submittedAt, item.legalDays),
    actualWorkingDays: actual,
    timeLimitCompression: 1 - actual / item.legalDays,
  };
}

function isSigned(application: Application): boolean {
  const signedAt = application.commitment?.signedAt;
  return typeof signedAt === 'string' && signedAt.trim() !== '';
}

function modeLabel(mode: ServiceItem['mode']): string {
  return mode === 'instant' ? '秒批' : mode === 'commitment' ? '告知承诺' : '人工审核';
}

// ---------------------------------------------------------------------------------------------------
// Materials

interface MaterialsResult {
  readonly checks: MaterialCheck[];
  readonly used: LicenceUse[];
  readonly waived: string[];
  /** Licences exposed to the rules as licence.<type>.*: those used for materials first, then the best valid one. */
  readonly factLicences: Map<string, Licence>;
  readonly unknownCodes: string[];
}

function checkMaterials(
  item: ServiceItem,
  application: Application,
  licences: readonly Licence[],
  nowMs: number,
  today: string,
  excluded: boolean,
  calendar: WorkingCalendar,
): MaterialsResult {
  const submitted = new Map(application.materials.map((m) => [m.code, m] as const));
  const applicantId = application.applicant.id;
  const checks: MaterialCheck[] = [];
  const used: LicenceUse[] = [];
  const waived: string[] = [];
  const factLicences = new Map<string, Licence>();

  for (const requirement of item.materials) {
    const given = submitted.get(requirement.code);
    const problems: string[] = [];
    let licence: Licence | undefined;

    if (requirement.licenceType !== undefined) {
      if (given?.licenceNo !== undefined) {
        // The applicant chose this licence: use it or say why it cannot be used, never substitute another.
        const named = licences.find((l) => l.licenceNo === given.licenceNo);
        if (named === undefined) {
          problems.push(`申请人所填证照 ${given.licenceNo} 未在电子证照库中找到`);
        } else {
          const why = licenceProblems(named, applicantId, requirement, nowMs, today, calendar);
          if (why.length === 0) licence = named;
          else problems.push(...why);
        }
      } else {
        const candidates = licences.filter((l) => l.licenceType === requirement.licenceType);
        const valid: Licence[] = [];
        for (const candidate of candidates) {
          const why = licenceProblems(candidate, applicantId, requirement, nowMs, today, calendar);
          if (why.length === 0) valid.push(candidate);
          else problems.push(...why);
        }
        licence = best(valid);
        if (licence === undefined && candidates.length === 0) {
          problems.push(`申请人无「${requirement.licenceType}」电子证照`);
        }
      }
    }

    let check: MaterialCheck;
    if (licence !== undefined) {
      check = { code: requirement.code, name: requirement.name, status: 'waived', licenceNo: licence.licenceNo, problems: [] };
      used.push({
        materialCode: requirement.code,
        licenceNo: licence.licenceNo,
        licenceType: licence.licenceType,
        trustLevel: licence.trustLevel,
      });
      waived.push(requirement.code);
      if (!factLicences.has(licence.licenceType)) factLicences.set(licence.licenceType, licence);
    } else if (given?.provided === true) {
      check = {
        code: requirement.code,
        name: requirement.name,
        status: requirement.declared === true ? 'declared' : 'unverifiable',
        problems,
      };
    } else {
      check = {
        code: requirement.code,
        name: requirement.name,
        status: requirement.tolerable === true && !excluded ? 'pending' : 'missing',
        problems,
      };
    }
    checks.push(check);
  }

  // Rules may read licences that no material asks for (e.g. licence.营业执照.status on an item whose
  // materials are all declared): expose the best valid licence of each other type the applicant holds.
  const byType = new Map<string, Licence[]>();
  for (const l of licences) {
    if (factLicences.has(l.licenceType)) continue;
    if (licenceProblems(l, applicantId, { licenceType: l.licenceType }, nowMs, today, calendar).length > 0) continue;
    byType.set(l.licenceType, [...(byType.get(l.licenceType) ?? []), l]);
  }
  for (const [type, list] of byType) {
    const chosen = best(list);
    if (chosen !== undefined) factLicences.set(type, chosen);
  }

  const known = new Set(item.materials.map((m) => m.code));
  const unknownCodes = application.materials.map((m) => m.code).filter((c) => !known.has(c));
  return { checks, used, waived, factLicences, unknownCodes };
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

/** Highest trust, then longest validity, then licence number, so the choice never depends on input order. */
function best(licences: readonly Licence[]): Licence | undefined {
  return [...licences].sort(
    (a, b) =>
      TRUST_RANK[b.trustLevel] - TRUST_RANK[a.trustLevel] ||
      (a.validUntil < b.validUntil ? 1 : a.validUntil > b.validUntil ? -1 : 0) ||
      (a.licenceNo < b.licenceNo ? -1 : a.licenceNo > b.licenceNo ? 1 : 0),
  )[0];
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

function ref(check: MaterialCheck): MaterialRef {
  return { code: check.code, name: check.name };
}

function names(refs: readonly MaterialRef[]): string {
  return refs.map((r) => r.name).join('、');
}

// ---------------------------------------------------------------------------------------------------
// Rules

function buildFacts(input: DecideInput, licences: ReadonlyMap<string, Licence>): Facts {
  const { application, profile, credit, now } = input;
  const { kind, id, name } = application.applicant;
  // The shared profile is the authoritative record; the application only fixes who is applying.
  const applicant: Record<string, unknown> = { name, ...profile, kind, id };
  const licenceFacts: Record<string, unknown> = {};
  for (const [type, l] of licences) {
    licenceFacts[type] = {
      ...l.attributes,
      licenceNo: l.licenceNo,
      trustLevel: l.trustLevel,
      validUntil: l.validUntil,
      issuer: l.issuer,
      issuedAt: l.issuedAt,
    };
  }
  return {
    applicant,
    ...(kind === 'enterprise' ? { enterprise: applicant } : {}),
    form: application.form,
    licence: licenceFacts,
    // Without a record the credit facts are missing, so a rule that reads them is unknown, not false.
    credit:
      credit === undefined
        ? {}
        : { rating: credit.rating, dishonest: credit.dishonest, falseCommitment: credit.falseCommitment },
    // Date leaves compare against the date of `now` as written, so 2026-11-20T17:00Z must read as the 21st in
    // Shanghai, as it does for licence expiry and due dates.
    now: input.calendar.localIso(now),
  };
}

/**
 * The leaves that decided a false or unknown result. Under Kleene logic a false leaf under an `any` with a
 * true sibling decided nothing, and under `not` a true leaf is what failed, so the tree is walked with
 * each node's value rather than listing every false leaf.
 */
function responsibleLeaves(
  condition: Condition,
  traces: ReadonlyMap<string, LeafTrace>,
  explanation: Explanation,
  wanted: false | null,
): RuleRef[] {
  const out: LeafTrace[] = [];
  blame(condition, traces, out);
  if (out.length === 0) {
    // The engine and this walk disagree (e.g. a leaf missing from the trace): fall back to the raw leaves.
    out.push(...explanation.leaves.filter((l) => l.result === wanted));
  }
  const seen = new Set<string>();
  const refs: RuleRef[] = [];
  for (const leaf of out) {
    if (seen.has(leaf.id)) continue;
    seen.add(leaf.id);
    refs.push({ id: leaf.id, description: leaf.description, fact: leaf.fact, seen: leaf.seen });
  }
  return refs;
}

function valueOf(node: Condition, traces: ReadonlyMap<string, LeafTrace>): Truth | undefined {
  if ('all' in node) {
    const values = node.all.map((c) => valueOf(c, traces));
    if (values.includes(false)) return false;
    return values.every((v) => v === true) ? true : null;
  }
  if ('any' in node) {
    const values = node.any.map((c) => valueOf(c, traces));
    if (values.includes(true)) return true;
    return values.every((v) => v === false) ? false : null;
  }
  if ('not' in node) {
    const v = valueOf(node.not, traces);
    return v === true ? false : v === false ? true : v === null ? null : undefined;
  }
  return traces.get(node.id)?.result;
}

function blame(node: Condition, traces: ReadonlyMap<string, LeafTrace>, out: LeafTrace[]): void {
  if ('not' in node) {
    blame(node.not, traces, out);
    return;
  }
  if ('all' in node || 'any' in node) {
    const children = 'all' in node ? node.all : node.any;
    // A combination takes the value of the children that share it: all is false because of its false
    // children and unknown because of its unknown ones; any is true, false or unknown likewise.
    const value = valueOf(node, traces);
    for (const child of children) {
      if (valueOf(child, traces) === value) blame(child, traces, out);
    }
    return;
  }
  const trace = traces.get(node.id);
  if (trace !== undefined) out.push(trace);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
