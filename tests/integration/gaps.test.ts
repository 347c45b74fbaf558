/**
 * 缺数清单 through the local runtime: applications on an instant item decided with facts missing
 * from their forms and a business licence nobody could verify, one of them approved by a person afterwards;
 * a policy matched over enterprises whose profiles lack the export value or the registration status; then
 * GET /gaps read back against the table counted by hand below, again after every event was delivered a
 * second time (nothing counted twice), and for a period that reaches into October.
 *
 * Hand count for November 2026 (the stage's default dataOwners: enterprise.* → 440305-SJJ, its export value
 * → 440305-SWJ; 营业执照 → 440305-SJJ; a form.* fact → the department of the item asking, 440305-CGJ):
 *   G1 all facts, licence valid          → approved by the machine, no gap
 *   G2 no form.areaSqm                   → RULE_UNKNOWN form.areaSqm (then approved by a person: still counted)
 *   G3 no form.areaSqm, form.durationDays → RULE_UNKNOWN on both
 *   G4 an enterprise without e-licence   → RULE_UNKNOWN licence.营业执照.status, MATERIAL_UNVERIFIABLE M-LICENCE
 *   G5 submitted 10-30, no form.areaSqm  → October: only in the from/to period
 *   G6 a person with no profile and no ID-card e-licence uploads the card on a commitment item (GA-0212)
 *      → MATERIAL_BY_HAND M-IDCARD (居民身份证 → 440305-GAJ): not MATERIAL_UNVERIFIABLE, a commitment item
 *      does not send it to a person; the age rule reads the birth date in the ID number, so it is approved
 *      on commitment with no fact missing
 *   policy POL-2026-EXPORT-INS (20,000 yuan each): E2, E3 lack exportValueUsd; E4 lacks it and its status
 *   (three entitlements, 60,000 yuan, E4 in both rows and once in the totals).
 */
import { makeCreditCode, makeIdNumber } from '#contract/identifiers';
import { sample, useLocal } from '#support/runtime';

const rt = useLocal('2026-11-05T06:30:00.000Z'); // Thu 11-05 14:30 local

const CGJ = '440305-CGJ';
const GAJ = '440305-GAJ';
const SJJ = '440305-SJJ';
const SWJ = '440305-SWJ';
let seq = 0;

async function post(events: any[]): Promise<void> {
  for (const e of events) {
    const out = await rt.post([e]);
    expect([out.status, out.body.rejected]).toEqual([202, []]);
  }
  await rt.drain();
}

const base = sample('gov.application.submitted', 'instant-outdoor-advertising');
function application(n: number, form: Record<string, unknown>, over: Record<string, unknown> = {}): any {
  const applicationId = `SQ-GAPS-${String(n).padStart(4, '0')}`;
  return { ...base, id: `gaps-app-${n}`, data: { ...base.data, applicationId, form: { ...base.data.form, ...form }, ...over } };
}
const { areaSqm: _a, ...withoutArea } = base.data.form;
const { durationDays: _d, ...withoutBoth } = withoutArea;
const G1 = application(1, {});
const G2 = { ...application(2, {}), data: { ...application(2, {}).data, form: withoutArea } };
const G3 = { ...application(3, {}), data: { ...application(3, {}).data, form: withoutBoth } };
const UNLICENSED = makeCreditCode('91440300MA5RGAP90');
const G4 = application(4, {}, {
  applicant: { kind: 'enterprise', id: UNLICENSED, name: '无电子执照企业' },
  materials: [{ code: 'M-LICENCE', provided: true }, { code: 'M-DESIGN', provided: true }, { code: 'M-CONSENT', provided: true }],
});
const G5 = { ...application(5, {}), time: '2026-10-30T10:00:00+08:00', data: { ...application(5, {}).data, form: withoutArea, submittedAt: '2026-10-30T10:00:00+08:00' } };

const commitment = sample('gov.application.submitted', 'commitment-no-criminal-record');
const G6 = {
  ...commitment,
  id: 'gaps-app-6',
  data: {
    ...commitment.data,
    applicationId: 'SQ-GAPS-0006',
    applicant: { kind: 'person', id: makeIdNumber('440305', '19900307', '277'), name: '李四' },
    materials: [{ code: 'M-IDCARD', provided: true }, { code: 'M-COMMIT', provided: true }],
  },
};

const profile = sample('gov.enterprise.profile.updated', 'small-exporter');
function enterprise(n: number, drop: string[], size = 'micro'): any {
  const data: Record<string, unknown> = { ...profile.data, creditCode: makeCreditCode(`91440300MA5RGE${String(n).padStart(3, '0')}`), name: `缺数企业${n}`, size };
  for (const field of drop) delete data[field];
  return { ...profile, id: `gaps-ent-${n}-${++seq}`, data };
}
const enterprises = [enterprise(0, [], 'small'), enterprise(1, [], 'small'), enterprise(2, ['exportValueUsd']), enterprise(3, ['exportValueUsd']), enterprise(4, ['exportValueUsd', 'status']), enterprise(5, ['exportValueUsd'], 'large')];
const policy = sample('gov.policy.published', 'export-credit-insurance');
const review = { ...sample('gov.application.reviewed', 'approved'), id: 'gaps-review-2', data: { ...sample('gov.application.reviewed', 'approved').data, applicationId: G2.data.applicationId, at: '2026-11-05T11:00:00+08:00' } };

type Row = [rank: number, kind: string, key: string, owner: string, applications: number, enterprises: number, entitlements: number, amount: number];
const rowsOf = (body: any): Row[] => body.rows.map((r: any) => [r.rank, r.kind, r.key, r.owner, r.applications, r.enterprises, r.entitlements, r.benefitAmount]);

const NOVEMBER: Row[] = [
  [1, 'fact', 'enterprise.exportValueUsd', SWJ, 0, 3, 3, 60_000],
  [2, 'fact', 'form.areaSqm', CGJ, 2, 0, 0, 0],
  [3, 'fact', 'enterprise.status', SJJ, 0, 1, 1, 20_000],
  // A tie, listed by the owning department's code, then kind and key.
  [4, 'fact', 'form.durationDays', CGJ, 1, 0, 0, 0],
  [4, 'material', 'M-IDCARD', GAJ, 1, 0, 0, 0],
  [4, 'fact', 'licence.营业执照.status', SJJ, 1, 0, 0, 0],
  [4, 'material', 'M-LICENCE', SJJ, 1, 0, 0, 0],
];

describe('the data-gap ledger through the local runtime', () => {
  it('ranks November’s missing data as counted by hand', async () => {
    await post([sample('gov.catalog.item.published', 'outdoor-advertising'), sample('gov.catalog.item.published', 'no-criminal-record'), profile, ...enterprises, sample('gov.licence.issued', 'business-licence'), sample('gov.credit.updated', 'good-standing')]);
    await post([G1, G2, G3, G4, G5, G6]);
    const outcomes = await Promise.all([G1, G2, G3, G4, G5, G6].map(async (a) => (await rt.get(`/applications/${a.data.applicationId}`)).body.outcome));
    expect(outcomes).toEqual(['APPROVED', 'MANUAL_REVIEW', 'MANUAL_REVIEW', 'MANUAL_REVIEW', 'MANUAL_REVIEW', 'APPROVED_ON_COMMITMENT']);
    await post([review]);
    expect((await rt.get(`/applications/${G2.data.applicationId}`)).body.outcome).toBe('APPROVED');
    await post([policy]);

    const out = await rt.get('/gaps?period=2026-11');
    expect(out.status).toBe(200);
    expect(rowsOf(out.body)).toEqual(NOVEMBER);
    expect(out.body.totals).toEqual({ gaps: 7, applications: 4, enterprises: 3, entitlements: 3, benefitAmount: 60_000 });
    expect(out.body.owners.map((o: any) => [o.owner, o.applications, o.enterprises, o.benefitAmount])).toEqual([
      [SWJ, 0, 3, 60_000],
      [SJJ, 1, 1, 20_000],
      [CGJ, 2, 0, 0],
      [GAJ, 1, 0, 0],
    ]);
    expect(out.body.rows.find((r: any) => r.key === 'M-IDCARD')).toMatchObject({ byCause: { MATERIAL_UNVERIFIABLE: 0, MATERIAL_BY_HAND: 1 }, itemCodes: ['GA-0212'] });
    const licence = out.body.rows.find((r: any) => r.key === 'M-LICENCE');
    expect(licence).toMatchObject({ name: '营业执照', byCause: { MATERIAL_UNVERIFIABLE: 1, MATERIAL_BY_HAND: 0 }, itemCodes: ['CG-0107'] });
    expect(out.body.rows[0]).toMatchObject({ byCause: { NEEDS_INFO: 3 }, policyIds: ['POL-2026-EXPORT-INS'] });
  });

  it('counts nothing twice when every event arrives again', async () => {
    // The same events (duplicates at the edge), and the applications once more under new event ids.
    await post([G1, G2, G3, G4, G5, G6, review, policy, ...enterprises]);
    await post([G2, G3, G4, G6].map((a) => ({ ...a, id: `${a.id}-again` })));
    const out = await rt.get('/gaps?period=2026-11');
    expect(rowsOf(out.body)).toEqual(NOVEMBER);
    expect(out.body.totals).toEqual({ gaps: 7, applications: 4, enterprises: 3, entitlements: 3, benefitAmount: 60_000 });
  });

  it('reads a from/to period and ranks by what is asked', async () => {
    const out = await rt.get('/gaps?from=2026-10-01&to=2026-11-30&rank=applications');
    expect(out.body.rankedBy).toBe('applications');
    expect(rowsOf(out.body).slice(0, 2)).toEqual([
      [1, 'fact', 'form.areaSqm', CGJ, 3, 0, 0, 0],
      [2, 'fact', 'form.durationDays', CGJ, 1, 0, 0, 0],
    ]);
    const october = await rt.get('/gaps?from=2026-10-01&to=2026-10-31');
    // The policy was published in November: its NEEDS_INFO enterprises are not October's.
    expect(rowsOf(october.body)).toEqual([[1, 'fact', 'form.areaSqm', CGJ, 1, 0, 0, 0]]);
  });

  it('refuses a bad period with a message naming it', async () => {
    for (const [query, message] of [
      ['', 'period is required: period=YYYY-MM, or from=YYYY-MM-DD&to=YYYY-MM-DD'],
      ['?period=2026-11-05', 'period must be a month, YYYY-MM; got "2026-11-05"'],
      ['?from=2026-11-05', 'from and to go together; to is missing'],
      ['?from=2026-11-05&to=2026-11-01', 'from (2026-11-05) is after to (2026-11-01)'],
      ['?period=2026-11&rank=speed', 'rank must be one of cases, applications, enterprises, amount; got "speed"'],
    ] as const) {
      const out = await rt.get(`/gaps${query}`);
      expect([query, out.status, out.body.error]).toEqual([query, 400, message]);
    }
  });
});
