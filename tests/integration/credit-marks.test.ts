/**
 * A credit mark the product sets itself re-matches its subject, through the local runtime: an enterprise
 * approved on commitment (告知承诺) whose verification finds the commitment untruthful is revoked and marked
 * `falseCommitment`, and with no further event every active policy sees the mark — the pair of a policy that
 * requires no false commitment leaves NEEDS_INFO for INELIGIBLE, and a policy for marked enterprises (a
 * credit-repair guidance) pushes it, once. A redelivered revocation and a redelivered mark change nothing more.
 * A person's mark re-matches the person against person policies the same way.
 */
import { makeCreditCode } from '#contract/identifiers';
import { callsOn } from '#support/calls';
import { redeliver, sample, useLocal } from '#support/runtime';

const X = makeCreditCode('91440300MA5RMK001');
const HONEST = 'POL-IT-REMARK-HONEST';
const REPAIR = 'POL-IT-REMARK-REPAIR';
const ITEM = 'IT-REMARK-01';
const APPLICATION = 'SQ-20261105-700001';
const PERSON_POLICY = 'POL-IT-REMARK-PERSON';

const rt = useLocal('2026-11-05T06:30:00.000Z');
let serial = 0;
function event(source: string, type: string, data: unknown, id = `remark-it-${++serial}`): any {
  return { specversion: '1.0', id, source, type, time: '2026-11-05T09:00:00+08:00', datacontenttype: 'application/json', data };
}

const policy = (policyId: string, name: string, criteria: unknown) => ({
  policyId,
  name,
  departmentCode: '440305-SWJ',
  kind: 'confirm',
  criteria,
  benefit: { type: 'service', description: name },
  validFrom: '2026-01-01',
  validTo: '2027-12-31',
  channels: ['sms'],
  version: 1,
});
const NO_FALSE_COMMITMENT = { id: 'C-HONEST', description: '未被记录虚假承诺', fact: 'credit.falseCommitment', op: 'eq', value: false };

const { postDrained: post, pairsOf, policyOf } = callsOn(() => rt);

async function pairOf(policyId: string): Promise<any> {
  return (await pairsOf(policyId)).find((e) => e.creditCode === X) ?? null;
}
async function figures(policyId: string): Promise<any> {
  return (await policyOf(policyId)).figures;
}

/** Puts an event on a queue as a redelivery would find it there (the edge accepted it once already). */
const queue = (name: 'approval' | 'registry', e: any) => redeliver(rt, name, e);

describe('a falseCommitment mark re-matches its subject through the local runtime', () => {
  const verification = event('/systems/department', 'gov.application.verification.reported', { applicationId: APPLICATION, truthful: false, note: '经核查，承诺内容不实' });

  it('matches the enterprise before the revocation: needs info for one policy, not matched by the other', async () => {
    await post(event('/systems/catalog', 'gov.catalog.item.published', {
      itemCode: ITEM,
      name: '食品经营许可（告知承诺）',
      departmentCode: '440305-SCJGJ',
      applicantKind: 'enterprise',
      mode: 'commitment',
      promisedDays: 3,
      legalDays: 20,
      verificationDays: 20,
      materials: [{ code: 'M-COMMIT', name: '食品经营许可告知承诺书', declared: true }],
      rules: { all: [{ id: 'R-ACTIVE', description: '企业状态为存续', fact: 'applicant.status', op: 'eq', value: 'active' }] },
      certificateType: '食品经营许可证',
      version: 1,
      active: true,
    }));
    // No employee count: the policy that requires no false commitment cannot decide yet (NEEDS_INFO).
    await post(event('/systems/data-sharing', 'gov.enterprise.profile.updated', { creditCode: X, name: '深圳市诚信食品有限公司', asOf: '2026-11-01', size: 'small', status: 'active' }));
    await post(event('/systems/credit', 'gov.credit.updated', { subjectId: X, asOf: '2026-11-01', rating: 'A', dishonest: false, falseCommitment: false }));
    await post(event('/systems/policy', 'gov.policy.published', policy(HONEST, '诚信小微企业用工补贴', {
      all: [NO_FALSE_COMMITMENT, { id: 'C-STAFF', description: '在职职工不超过30人', fact: 'enterprise.employees', op: 'lte', value: 30 }],
    })));
    await post(event('/systems/policy', 'gov.policy.published', policy(REPAIR, '失信主体信用修复辅导', {
      id: 'C-MARKED', description: '被记录虚假承诺', fact: 'credit.falseCommitment', op: 'eq', value: true,
    })));
    expect(await pairOf(HONEST)).toMatchObject({ state: 'NEEDS_INFO', explanation: { held: ['C-HONEST'], failed: [], unknown: ['C-STAFF'] } });
    expect(await pairOf(REPAIR)).toBeNull();
    expect(await figures(HONEST)).toMatchObject({ needsInfo: 1, ineligible: 0, eligible: 0 });
    expect(await figures(REPAIR)).toMatchObject({ eligible: 0, notified: 0 });
  }, 120_000);

  it('re-matches it against every active policy once the revocation marks it, with no further event', async () => {
    await post(event('/systems/window-acceptance', 'gov.application.submitted', {
      applicationId: APPLICATION,
      itemCode: ITEM,
      applicant: { kind: 'enterprise', id: X, name: '深圳市诚信食品有限公司' },
      form: {},
      materials: [{ code: 'M-COMMIT', provided: true }],
      commitment: { signedAt: '2026-11-05T09:00:00+08:00' },
      channel: 'online',
      submittedAt: '2026-11-05T09:00:00+08:00',
    }));
    expect((await rt.get(`/applications/${APPLICATION}`)).body.outcome).toBe('APPROVED_ON_COMMITMENT');

    await post(verification);
    const revoked = (await rt.get(`/applications/${APPLICATION}`)).body;
    expect([revoked.outcome, revoked.reasons.map((r: any) => r.code)]).toEqual(['REVOKED', ['COMMITMENT_UNTRUTHFUL']]);
    expect((await rt.get(`/credit/${X}`)).body).toMatchObject({
      marks: [{ kind: 'falseCommitment', cause: { applicationId: APPLICATION } }],
      effective: { falseCommitment: true },
    });

    // The policy that requires no false commitment: no longer a candidate, with the criterion that failed.
    const honest = await pairOf(HONEST);
    expect(honest).toMatchObject({ state: 'INELIGIBLE', explanation: { held: [], failed: ['C-HONEST'], unknown: ['C-STAFF'] } });
    expect(honest.history.at(-1)).toMatchObject({ from: 'NEEDS_INFO', to: 'INELIGIBLE', reason: 'NO_LONGER_MATCHED' });
    // Its audit line names the department's system, whose verification report led to the mark.
    const trail = (await rt.dev('GET', `/_dev/audit?subject=${encodeURIComponent(`entitlement:${HONEST}/${X}`)}`)).body.entries as any[];
    expect(trail.at(-1)).toMatchObject({ action: 'state:NEEDS_INFO->INELIGIBLE', details: expect.objectContaining({ source: '/systems/department' }) });
    expect(await figures(HONEST)).toMatchObject({ needsInfo: 0, ineligible: 1, eligible: 0, notified: 0 });
    // The policy for marked enterprises: pushed, once.
    expect(await pairOf(REPAIR)).toMatchObject({ state: 'NOTIFIED', delivery: { status: 'DELIVERED', attempts: 1 } });
    expect(await figures(REPAIR)).toMatchObject({ eligible: 1, notified: 1, delivered: 1 });

    // The calculator says the same.
    const calc = (await rt.get(`/enterprises/${X}/policies`)).body.policies as any[];
    const honestCalc = calc.find((p) => p.policyId === HONEST);
    expect(honestCalc.entitlement).toMatchObject({ state: 'INELIGIBLE' });
    expect(honestCalc.explanation).toMatchObject({ outcome: 'ineligible' });
    expect(honestCalc.explanation.failed.map((f: any) => f.id)).toEqual(['C-HONEST']);
  }, 120_000);

  it('re-matches a marked person against person policies', async () => {
    const application = sample('gov.application.submitted', 'commitment-no-criminal-record');
    const person = application.data.applicant.id as string;
    for (const e of [
      sample('gov.catalog.item.published', 'no-criminal-record'),
      sample('gov.person.profile.updated', 'resident'),
      sample('gov.licence.issued', 'resident-id-card'),
      sample('gov.credit.updated', 'person-good-standing'),
    ]) await post(e);
    // No household size in the profile: needs info until the mark makes the other criterion false.
    await post(event('/systems/policy', 'gov.policy.published', {
      ...policy(PERSON_POLICY, '诚信家庭生活补助', {
        all: [{ ...NO_FALSE_COMMITMENT, id: 'P-HONEST' }, { id: 'P-HOUSEHOLD', description: '家庭人口不超过4人', fact: 'person.householdSize', op: 'lte', value: 4 }],
      }),
      subjectKind: 'person',
    }));
    const personPair = async () => ((await rt.get(`/policies/${PERSON_POLICY}/entitlements?limit=100`)).body.items as any[]).find((e) => e.creditCode === person);
    expect(await personPair()).toMatchObject({ state: 'NEEDS_INFO' });

    await post(application);
    expect((await rt.get(`/applications/${application.data.applicationId}`)).body.outcome).toBe('APPROVED_ON_COMMITMENT');
    await post(event('/systems/department', 'gov.application.verification.reported', { applicationId: application.data.applicationId, truthful: false, note: '经核查，承诺内容不实' }));
    expect((await rt.get(`/applications/${application.data.applicationId}`)).body.outcome).toBe('REVOKED');
    const pair = await personPair();
    expect(pair).toMatchObject({ state: 'INELIGIBLE', explanation: { failed: ['P-HONEST'] } });
    expect(pair.history.at(-1)).toMatchObject({ from: 'NEEDS_INFO', to: 'INELIGIBLE', reason: 'NO_LONGER_MATCHED' });
  }, 120_000);

  it('changes nothing more when the revocation or its mark is delivered again', async () => {
    const before = { honest: await pairOf(HONEST), repair: await pairOf(REPAIR), figures: [await figures(HONEST), await figures(REPAIR)] };
    // The verification report again on the approval queue (its decision answers with the first outcome and
    // sends the mark again), and the mark itself again on the registry queue.
    await queue('approval', verification);
    await queue('registry', {
      specversion: '1.0',
      id: `credit-marked:falseCommitment:${APPLICATION}`,
      source: '/civicflow/approval',
      type: 'civicflow.credit.marked',
      time: '2026-11-05T06:30:00.000Z',
      subject: X,
      data: { kind: 'falseCommitment', subjectId: X, applicationId: APPLICATION, at: '2026-11-05T06:30:00.000Z' },
    });
    expect({ honest: await pairOf(HONEST), repair: await pairOf(REPAIR), figures: [await figures(HONEST), await figures(REPAIR)] }).toEqual(before);
    expect((await rt.get(`/credit/${X}`)).body.marks).toHaveLength(1);
    expect((await rt.get(`/applications/${APPLICATION}`)).body.sequence).toBe(2);
    const queues = (await rt.dev('GET', '/_dev/queues')).body;
    for (const q of ['approval', 'registry', 'policy', 'notify']) expect([q, queues[q].dlq]).toEqual([q, 0]);
  }, 120_000);
});
