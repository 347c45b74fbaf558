/**
 * 缺数清单: the ledger's rows, owners and ranking against a small history counted by hand (the tables
 * below were written from the inputs, not from the code), and what the ledger takes from a stored case,
 * a NEEDS_INFO entitlement and a period.
 */
import type { Decision, VersionCause } from '#approval';
import type { Entitlement, Policy } from '#entitlement';
import { buildGapLedger, factOwner, materialOwner, UNOWNED, type DataOwners, type GapApplication, type GapEntitlement, type GapInput } from '#report/domain/gaps';
import { bundleChildVersions, gapApplicationOf, gapEntitlementOf, gapPeriodOf, mayHaveGap, meritDecisionOf, policyInPeriod } from '#report/domain/gap-inputs';
import { createCalendar } from '#calendar';
import { hardCaseFigures } from '#hardcase';
import { buildMonthlyReport, REPORT_VERSION, type MonthlyReport } from '#report/domain/build';
import { renderHtml, renderText } from '#report/render';
import { gapTables } from '#report/section-tables';
import { stages, validateStageConfig } from '#topology/stages';

const owners: DataOwners = {
  facts: { enterprise: 'SJJ', 'enterprise.employees': 'RSJ' },
  licences: { 营业执照: 'SJJ', 居民身份证: 'GAJ' },
  materials: { 'M-LEASE': 'ZJJ' },
};

const app = (applicationId: string, itemCode: string, departmentCode: string, unknownFacts: string[], materialsByHand: GapApplication['materialsByHand'] = [], materialsBlocked = false): GapApplication => ({
  applicationId,
  itemCode,
  departmentCode,
  unknownFacts,
  materialsByHand,
  materialsBlocked,
});
const ent = (policyId: string, creditCode: string, amount: number, unknownFacts: string[]): GapEntitlement => ({ policyId, departmentCode: 'D9', creditCode, amount, unknownFacts });

const input: GapInput = {
  from: '2026-11-01',
  to: '2026-11-30',
  owners,
  applications: [
    app('A1', 'I1', 'D1', ['applicant.birthDate', 'form.purpose']),
    app('A2', 'I1', 'D1', ['applicant.birthDate'], [{ code: 'M-ID', name: '身份证', licenceType: '居民身份证' }], true),
    app('A3', 'I2', 'D2', [], [{ code: 'M-LEASE', name: '租赁合同' }, { code: 'M-PHOTO', name: '照片' }]),
    app('A4', 'I2', 'D2', ['form.purpose']),
    // The same application twice (a source that read it twice): counted once.
    app('A1', 'I1', 'D1', ['applicant.birthDate', 'form.purpose']),
  ],
  entitlements: [
    ent('P1', 'C1', 1000, ['enterprise.employees']),
    ent('P1', 'C2', 1000, ['enterprise.employees', 'enterprise.size']),
    // Two leaves on one fact: the pair counts once.
    ent('P2', 'C1', 500, ['enterprise.employees', 'enterprise.employees']),
    ent('P3', 'C3', 0, ['enterprise.size']),
  ],
};

type Row = [rank: number, kind: string, key: string, owner: string, applications: number, enterprises: number, entitlements: number, amount: number];
const table = (by?: Parameters<typeof buildGapLedger>[1]): Row[] =>
  buildGapLedger(input, by).rows.map((r) => [r.rank, r.kind, r.key, r.owner, r.applications, r.enterprises, r.entitlements, r.benefitAmount]);

describe('the ledger, counted by hand', () => {
  it('ranks by cases (applications + enterprises), then amount, then applications; ties share a rank', () => {
    expect(table()).toEqual<Row[]>([
      [1, 'fact', 'enterprise.employees', 'RSJ', 0, 2, 3, 2500],
      [2, 'fact', 'enterprise.size', 'SJJ', 0, 2, 2, 1000],
      [3, 'fact', 'applicant.birthDate', UNOWNED, 2, 0, 0, 0],
      [4, 'fact', 'form.purpose', 'D1', 1, 0, 0, 0],
      [4, 'fact', 'form.purpose', 'D2', 1, 0, 0, 0],
      [4, 'material', 'M-ID', 'GAJ', 1, 0, 0, 0],
      [4, 'material', 'M-LEASE', 'ZJJ', 1, 0, 0, 0],
      [4, 'material', 'M-PHOTO', UNOWNED, 1, 0, 0, 0],
    ]);
  });

  it('ranks by applications, by enterprises and by amount when asked', () => {
    expect(table('applications').map((r) => `${r[0]} ${r[2]}@${r[3]}`)).toEqual([
      '1 applicant.birthDate@unowned',
      '2 form.purpose@D1',
      '2 form.purpose@D2',
      '2 M-ID@GAJ',
      '2 M-LEASE@ZJJ',
      '2 M-PHOTO@unowned',
      '7 enterprise.employees@RSJ',
      '8 enterprise.size@SJJ',
    ]);
    expect(table('amount').slice(0, 4).map((r) => `${r[0]} ${r[2]}`)).toEqual(['1 enterprise.employees', '2 enterprise.size', '3 applicant.birthDate', '4 form.purpose']);
    expect(table('enterprises').slice(0, 3).map((r) => `${r[0]} ${r[2]}`)).toEqual(['1 enterprise.employees', '2 enterprise.size', '3 applicant.birthDate']);
  });

  it('lists the rows of a tie by the owning department’s code, unowned last, then kind and key', () => {
    // Four gaps of one application each: one tie at rank 1, whatever the ranking asked for.
    const tie: GapInput = {
      from: '2026-11-01',
      to: '2026-11-30',
      owners: { facts: { applicant: 'SJJ', zoning: 'GTJ' }, materials: { 'M-A': 'CGJ' } },
      applications: [
        app('T1', 'I1', 'D1', ['applicant.age']),
        app('T2', 'I1', 'D1', ['misc.note']),
        app('T3', 'I1', 'D1', ['zoning.area']),
        app('T4', 'I1', 'D1', [], [{ code: 'M-A', name: '甲' }]),
      ],
      entitlements: [],
    };
    for (const by of ['cases', 'applications', 'enterprises', 'amount'] as const) {
      expect([by, buildGapLedger(tie, by).rows.map((r) => `${r.rank} ${r.owner} ${r.kind} ${r.key}`)]).toEqual([
        by,
        ['1 CGJ material M-A', '1 GTJ fact zoning.area', '1 SJJ fact applicant.age', `1 ${UNOWNED} fact misc.note`],
      ]);
    }
  });

  it('counts each row by cause, and names the items and policies', () => {
    const rows = buildGapLedger(input).rows;
    const row = (key: string, owner: string) => rows.find((r) => r.key === key && r.owner === owner)!;
    expect(row('M-ID', 'GAJ')).toMatchObject({ name: '身份证', byCause: { RULE_UNKNOWN: 0, NEEDS_INFO: 0, MATERIAL_UNVERIFIABLE: 1, MATERIAL_BY_HAND: 0 }, itemCodes: ['I1'] });
    expect(row('M-LEASE', 'ZJJ').byCause).toEqual({ RULE_UNKNOWN: 0, NEEDS_INFO: 0, MATERIAL_UNVERIFIABLE: 0, MATERIAL_BY_HAND: 1 });
    expect(row('applicant.birthDate', UNOWNED)).toMatchObject({ byCause: { RULE_UNKNOWN: 2, NEEDS_INFO: 0 }, itemCodes: ['I1'], policyIds: [] });
    expect(row('enterprise.employees', 'RSJ')).toMatchObject({ byCause: { NEEDS_INFO: 3 }, policyIds: ['P1', 'P2'] });
  });

  it('totals each owner and the period over distinct cases', () => {
    const ledger = buildGapLedger(input);
    expect(ledger.owners.map((o) => [o.owner, o.gaps, o.applications, o.enterprises, o.entitlements, o.benefitAmount])).toEqual([
      [UNOWNED, 2, 3, 0, 0, 0],
      ['RSJ', 1, 0, 2, 3, 2500],
      ['SJJ', 1, 0, 2, 2, 1000],
      ['D1', 1, 1, 0, 0, 0],
      ['D2', 1, 1, 0, 0, 0],
      ['GAJ', 1, 1, 0, 0, 0],
      ['ZJJ', 1, 1, 0, 0, 0],
    ]);
    expect(ledger.totals).toEqual({ gaps: 8, applications: 4, enterprises: 3, entitlements: 4, benefitAmount: 2500 });
    expect(ledger).toMatchObject({ from: '2026-11-01', to: '2026-11-30', rankedBy: 'cases' });
  });

  it('is empty without gaps', () => {
    expect(buildGapLedger({ ...input, applications: [], entitlements: [] })).toEqual({
      from: '2026-11-01',
      to: '2026-11-30',
      rankedBy: 'cases',
      rows: [],
      owners: [],
      totals: { gaps: 0, applications: 0, enterprises: 0, entitlements: 0, benefitAmount: 0 },
    });
  });
});

describe('owners', () => {
  it('takes the longest prefix on whole segments, then the licence type, then the asking department for form facts', () => {
    expect(factOwner('enterprise.employees', 'D1', owners)).toBe('RSJ');
    expect(factOwner('enterprise.employeesInsured', 'D1', owners)).toBe('SJJ');
    expect(factOwner('enterprise', null, owners)).toBe('SJJ');
    expect(factOwner('licence.营业执照.status', 'D1', owners)).toBe('SJJ');
    expect(factOwner('licence.卫生许可证.status', 'D1', owners)).toBe(UNOWNED);
    expect(factOwner('form.area', 'D1', owners)).toBe('D1');
    expect(factOwner('form.area', null, owners)).toBe(UNOWNED);
    expect(factOwner('credit.dishonest', 'D1', {})).toBe(UNOWNED);
    expect(materialOwner('M-LEASE', '居民身份证', owners)).toBe('ZJJ');
    expect(materialOwner('M-X', '居民身份证', owners)).toBe('GAJ');
    expect(materialOwner('M-X', undefined, owners)).toBe(UNOWNED);
  });

  it('are checked with the stage configuration', () => {
    const ok = stages.local!;
    expect(() => validateStageConfig(ok)).not.toThrow();
    const bad = (dataOwners: unknown) => () => validateStageConfig({ ...ok, dataOwners } as typeof ok);
    expect(bad({ facts: { 'profile.x': 'D1' } })).toThrow('config.dataOwners.facts["profile.x"]: a fact prefix is whole path segments starting with one of');
    expect(bad({ facts: { 'enterprise..x': 'D1' } })).toThrow('whole path segments');
    expect(bad({ licences: { 营业执照: '' } })).toThrow('config.dataOwners.licences["营业执照"] must be a department code');
    expect(bad({ people: {} })).toThrow('config.dataOwners.people is not a section');
  });
});

const decision = (over: Partial<Decision>): Decision =>
  ({ applicationId: 'A1', itemCode: 'I1', departmentCode: 'D1', reasons: [], unknownFacts: [], materialsUnverifiable: [], ...over }) as Decision;
const version = (causeKind: VersionCause, over: Partial<Decision>) => ({ causeKind, decision: decision(over) });

describe('what the ledger takes from a stored case', () => {
  const unknown = { code: 'RULE_UNKNOWN' as const, message: '' };
  it('reads the latest decision on the merits, not what a person decided later', () => {
    const versions = [
      version('submitted', { reasons: [unknown], unknownFacts: ['applicant.birthDate'] }),
      version('reviewed', { reasons: [], unknownFacts: [] }),
    ];
    expect(gapApplicationOf(versions, [])).toEqual({ applicationId: 'A1', itemCode: 'I1', departmentCode: 'D1', unknownFacts: ['applicant.birthDate'], materialsByHand: [], materialsBlocked: false });
  });

  it('takes the re-decision after a supplement over the first decision', () => {
    const versions = [
      version('submitted', { reasons: [unknown], unknownFacts: ['form.a'] }),
      version('supplemented', { reasons: [{ code: 'MATERIAL_UNVERIFIABLE', message: '' }], materialsUnverifiable: [{ code: 'M1', name: '执照' }] }),
    ];
    expect(gapApplicationOf(versions, [{ code: 'M1', name: '执照', licenceType: '营业执照' }])).toMatchObject({
      unknownFacts: [],
      materialsByHand: [{ code: 'M1', name: '执照', licenceType: '营业执照' }],
      materialsBlocked: true,
    });
  });

  it('names the decision on the merits, whose item version gives a material its licence type', () => {
    const versions = [version('submitted', { itemVersion: 2 }), version('supplemented', { itemVersion: 2, sequence: 2 }), version('reviewed', { itemVersion: 3, sequence: 3 })];
    expect(meritDecisionOf(versions)).toMatchObject({ itemVersion: 2, sequence: 2 });
    expect(meritDecisionOf([version('reviewed', {})])).toBeUndefined();
  });

  it('has nothing for a clean decision, or unknown facts without RULE_UNKNOWN', () => {
    expect(gapApplicationOf([version('submitted', {})], [])).toBeUndefined();
    expect(gapApplicationOf([version('submitted', { unknownFacts: ['form.a'] })], [])).toBeUndefined();
    expect(gapApplicationOf([version('reviewed', { reasons: [unknown], unknownFacts: ['form.a'] })], [])).toBeUndefined();
  });

  // A 一件事 bundle's child is decided as a single item is: its gaps are those of the versions that decided it.
  it('reads each child of a bundle application from the versions that made or changed its decision', () => {
    const child = (itemCode: string, over: Partial<Decision>) => ({ itemCode, decision: decision({ applicationId: `B1:${itemCode}`, itemCode, ...over }) });
    const bundleVersion = (causeKind: VersionCause, changedChildren: string[], children: ReturnType<typeof child>[]) =>
      ({ causeKind, state: { changedChildren, children } }) as unknown as Parameters<typeof bundleChildVersions>[0][number];
    const first = child('K1', { reasons: [unknown], unknownFacts: ['form.a'] });
    const versions = [
      bundleVersion('submitted', ['K1', 'K2'], [first, child('K2', {})]),
      // A person decides K1; K2 is carried unchanged.
      bundleVersion('reviewed', ['K1'], [child('K1', { reasons: [], unknownFacts: [] }), child('K2', {})]),
    ];
    const children = bundleChildVersions(versions);
    expect(children.map((c) => [c.decision.itemCode, c.versions.map((v) => v.causeKind)])).toEqual([
      ['K1', ['submitted', 'reviewed']],
      ['K2', ['submitted']],
    ]);
    expect(children.map((c) => gapApplicationOf(c.versions, []))).toEqual([
      { applicationId: 'B1:K1', itemCode: 'K1', departmentCode: 'D1', unknownFacts: ['form.a'], materialsByHand: [], materialsBlocked: false },
      undefined,
    ]);
  });

  it('skips the cases that cannot have a gap', () => {
    const current = (itemMode: Decision['itemMode'], outcome: Decision['outcome'], review?: object) => ({ itemMode, outcome, ...(review ? { review } : {}) }) as Parameters<typeof mayHaveGap>[0];
    expect(mayHaveGap(current('instant', 'APPROVED'))).toBe(false);
    expect(mayHaveGap(current(null, 'REJECTED'))).toBe(false);
    expect(mayHaveGap(current('instant', 'APPROVED', { staffId: 's' }))).toBe(true);
    expect(mayHaveGap(current('commitment', 'APPROVED_ON_COMMITMENT'))).toBe(true);
    expect(mayHaveGap(current('instant', 'MANUAL_REVIEW'))).toBe(true);
  });
});

describe('what the ledger takes from a NEEDS_INFO entitlement', () => {
  const policy = {
    policyId: 'P1',
    departmentCode: 'D9',
    benefit: { type: 'subsidy', description: '', amount: 800 },
    criteria: { all: [{ id: 'L1', description: '', fact: 'enterprise.size', op: 'eq', value: 'small' }, { not: { id: 'L2', description: '', fact: 'enterprise.size', op: 'eq', value: 'large' } }, { id: 'L3', description: '', fact: 'enterprise.employees', op: 'gte', value: 10 }] },
    validFrom: '2026-01-01',
    validTo: '2026-12-31',
    publishedAt: '2026-10-15T09:00:00+08:00',
  } as unknown as Policy;
  const e = (state: Entitlement['state'], unknown: string[]) => ({ policyId: 'P1', creditCode: 'C1', state, explanation: { held: [], failed: [], unknown } }) as unknown as Entitlement;

  it('names the facts of the unknown leaves once each; a leaf the policy no longer has keeps its id', () => {
    expect(gapEntitlementOf(e('NEEDS_INFO', ['L1', 'L2', 'L9']), policy)).toEqual({ policyId: 'P1', departmentCode: 'D9', creditCode: 'C1', amount: 800, unknownFacts: ['enterprise.size', 'criterion:L9'] });
    expect(gapEntitlementOf(e('ELIGIBLE', ['L1']), policy)).toBeUndefined();
    expect(gapEntitlementOf(e('NEEDS_INFO', ['L3']), { ...policy, benefit: { type: 'x', description: '' } })?.amount).toBe(0);
  });

  it('counts a policy in a period as the monthly report does', () => {
    const p = { from: '2026-11-01', to: '2026-11-30' };
    expect(policyInPeriod(policy, p, 'Asia/Shanghai')).toBe(true);
    expect(policyInPeriod({ ...policy, publishedAt: '2026-12-01T00:30:00+08:00' }, p, 'Asia/Shanghai')).toBe(false);
    expect(policyInPeriod({ ...policy, validTo: '2026-10-31' }, p, 'Asia/Shanghai')).toBe(false);
    expect(policyInPeriod({ ...policy, withdrawnAt: '2026-10-31T23:00:00+08:00' }, p, 'Asia/Shanghai')).toBe(false);
  });
});

describe('the period', () => {
  it('is a month, or from and to', () => {
    expect(gapPeriodOf({ period: '2026-02' })).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(gapPeriodOf({ period: '2028-02' })).toEqual({ from: '2028-02-01', to: '2028-02-29' });
    expect(gapPeriodOf({ from: '2026-11-03', to: '2026-11-03' })).toEqual({ from: '2026-11-03', to: '2026-11-03' });
  });

  it('says what is wrong', () => {
    expect(gapPeriodOf({})).toBe('period is required: period=YYYY-MM, or from=YYYY-MM-DD&to=YYYY-MM-DD');
    expect(gapPeriodOf({ period: '2026-13' })).toBe('period must be a month, YYYY-MM; got "2026-13"');
    expect(gapPeriodOf({ period: '2026-11', from: '2026-11-01' })).toBe('give either period (YYYY-MM) or from and to (YYYY-MM-DD), not both');
    expect(gapPeriodOf({ from: '2026-11-01' })).toBe('from and to go together; to is missing');
    expect(gapPeriodOf({ from: '2026-02-30', to: '2026-03-01' })).toBe('from must be a date, YYYY-MM-DD; got "2026-02-30"');
    expect(gapPeriodOf({ from: '2026-11-02', to: '2026-11-01' })).toBe('from (2026-11-02) is after to (2026-11-01)');
    expect(gapPeriodOf({ from: '2026-01-01', to: '2027-01-02' })).toBe('from..to spans 367 days; at most 366');
  });
});

describe('the 缺数清单 section of the monthly report', () => {
  const report = { ...({} as MonthlyReport), version: 3, timeZone: 'Asia/Shanghai', dataGaps: buildGapLedger(input) } as MonthlyReport;

  it('shows the ranking and the owners as counted by hand', () => {
    const [ranking, byOwner] = gapTables(report);
    expect(ranking!.rows.slice(0, 3)).toEqual([
      ['1', 'enterprise.employees', 'RSJ', '政策待补充信息 3', '0', '2', '2,500'],
      ['2', 'enterprise.size', 'SJJ', '政策待补充信息 2', '0', '2', '1,000'],
      ['3', 'applicant.birthDate', '未明确责任部门', '规则无法判断 2', '2', '0', '0'],
    ]);
    expect(ranking!.rows[5]).toEqual(['并列4', '材料 M-ID 身份证', 'GAJ', '材料无法核验 1', '1', '0', '0']);
    expect(byOwner!.rows.at(0)).toEqual(['未明确责任部门', '2', '3', '0', '0']);
    expect(byOwner!.rows.at(-1)).toEqual(['合计', '8', '4', '3', '2,500']);
  });

  it('writes a shared place 并列, as the department ranking does', () => {
    // Ranks 1, 2, 3 are held alone; the five rows of rank 4 share it.
    expect(gapTables(report)[0]!.rows.map((r) => r[0])).toEqual(['1', '2', '3', '并列4', '并列4', '并列4', '并列4', '并列4']);
  });

  it('writes 并列 for a place shared with rows past the ones the table lists', () => {
    // 21 rows of one application each: all tied first; the table lists 20 of them.
    const many = { ...input, entitlements: [], applications: Array.from({ length: 21 }, (_, i) => app(`T${i}`, 'I1', 'D1', [`form.f${String(i).padStart(2, '0')}`])) };
    const [ranking] = gapTables({ ...report, dataGaps: buildGapLedger(many) } as MonthlyReport);
    expect(ranking!.rows).toHaveLength(20);
    expect(new Set(ranking!.rows.map((r) => r[0]))).toEqual(new Set(['并列1']));
    // The 21st row alone on its place would read plainly: only a real tie is 并列.
    const lone = { ...many, applications: [...many.applications, app('T99', 'I1', 'D1', ['form.f00'])] };
    expect(gapTables({ ...report, dataGaps: buildGapLedger(lone) } as MonthlyReport)[0]!.rows.slice(0, 2).map((r) => r[0])).toEqual(['1', '并列2']);
  });

  it('says a report stored before the ledger (version 2) did not count it', () => {
    const { dataGaps: _g, ...old } = report;
    expect(gapTables({ ...old, version: 2 } as MonthlyReport).map((t) => [t.id, t.rows.length, t.empty])).toEqual([
      ['gaps-ranking', 0, '本报告生成时尚未统计此项。'],
      ['gaps-by-owner', 0, '本报告生成时尚未统计此项。'],
    ]);
  });
});

describe('the monthly report keeps the month’s ledger', () => {
  const calendar = createCalendar({ timeZone: 'Asia/Shanghai', useChineseDays: true });
  const built = buildMonthlyReport({
    district: { code: '440305', name: '南山区' },
    month: '2026-11',
    timeZone: 'Asia/Shanghai',
    generatedAt: '2026-12-01T00:05:00.000Z',
    decisions: [],
    policies: [],
    reviewDepartments: [],
    reviewDays: [],
    hardCases: hardCaseFigures([], { granularity: 'month', value: '2026-11' }, '2026-12-01T00:05:00.000Z', calendar),
    upwardSync: null,
    dataGaps: input,
  });

  it('as version 3, ranked by cases, drawn on the page and in the terminal', () => {
    expect(built.version).toBe(REPORT_VERSION);
    expect(REPORT_VERSION).toBe(7);
    expect(built.dataGaps).toEqual(buildGapLedger(input));
    const html = renderHtml(built);
    expect(html).toContain('<h2>七、缺数清单</h2>');
    expect(html).toContain('<table class="section" data-table="gaps-ranking">');
    expect(html).toContain('<td>enterprise.employees</td><td>RSJ</td><td>政策待补充信息 3</td><td class="num">0</td><td class="num">2</td><td class="num">2,500</td>');
    expect(html).toContain('<tr><td>1</td><td>enterprise.employees</td>');
    expect(html).toContain('<tr><td>并列4</td><td>form.purpose</td><td>D1</td>');
    const text = renderText(built);
    expect(text).toMatch(/并列4\s*│\s*材料 M-PHOTO 照片/);
    expect(text).toContain('【缺数清单】');
    expect(text).toContain('缺数清单——本月提交的申请按其最近一次实质审批所缺的数据计');
  });
});
