/**
 * Which upstream system's update changed a pair, through the local runtime: an enterprise's profile (from
 * the data-sharing platform) and its credit record (from the credit system) each re-match it against the
 * active policies on an internal message, and the audit line of every pair a re-match changes names, in
 * `details.source`, the system that posted the update — the one that made the enterprise eligible, or made
 * it lapse. A profile delivered again on the registry queue adds no line. Likewise a policy published later:
 * its matching run's slices carry the publication, and the pair they push names the policy system.
 */
import { makeCreditCode } from '#contract/identifiers';
import { callsOn } from '#support/calls';
import { redeliver as redeliverOn, useLocal } from '#support/runtime';

const X = makeCreditCode('91440300MA5RYC701');
const POLICY = 'POL-IT-RSRC-STAFF';
const DATA_SHARING = '/systems/data-sharing';
const CREDIT = '/systems/credit';

const rt = useLocal('2026-11-05T06:30:00.000Z');
let serial = 0;
function event(source: string, type: string, data: unknown, id = `rsrc-it-${++serial}`): any {
  return { specversion: '1.0', id, source, type, time: '2026-11-05T09:00:00+08:00', datacontenttype: 'application/json', data };
}

const { postDrained: post, pairsOf } = callsOn(() => rt);

async function state(): Promise<string | null> {
  return ((await pairsOf(POLICY)).find((e) => e.creditCode === X)?.state as string | undefined) ?? null;
}

async function trail(): Promise<unknown[][]> {
  const res = await rt.dev('GET', `/_dev/audit?subject=${encodeURIComponent(`entitlement:${POLICY}/${X}`)}`);
  expect(res.status).toBe(200);
  return (res.body.entries as any[]).map((a) => [a.action, a.actor, a.details?.source]);
}

/** Puts an event on the registry queue as a redelivery would find it there (the edge accepted it once already). */
const redeliver = (e: any) => redeliverOn(rt, 'registry', e);

const profile = (asOf: string, extra: Record<string, unknown> = {}) =>
  event(DATA_SHARING, 'gov.enterprise.profile.updated', { creditCode: X, name: '深圳市溯源电子有限公司', asOf, size: 'small', status: 'active', ...extra });
const credit = (asOf: string, dishonest: boolean) => event(CREDIT, 'gov.credit.updated', { subjectId: X, asOf, rating: dishonest ? 'D' : 'A', dishonest, falseCommitment: false });

describe('a re-match names the upstream system whose update changed the pair', () => {
  it('names the data-sharing platform and the credit system on the lines of the changes their updates made', async () => {
    await post(event('/systems/policy', 'gov.policy.published', {
      policyId: POLICY,
      name: '小微企业用工补贴（溯源）',
      departmentCode: '440305-RSJ',
      kind: 'confirm',
      criteria: { id: 'C-STAFF', description: '在职职工不超过30人', fact: 'enterprise.employees', op: 'lte', value: 30 },
      benefit: { type: 'service', description: '用工补贴' },
      validFrom: '2026-01-01',
      validTo: '2027-12-31',
      channels: ['sms'],
      version: 1,
    }));

    // The data-sharing platform's profile has no employee count: the pair waits for it.
    const first = profile('2026-11-01');
    await post(first);
    expect(await state()).toBe('NEEDS_INFO');
    // The credit system records it dishonest: the pair lapses; then honest again: it waits again.
    await post(credit('2026-11-02', true));
    expect(await state()).toBe('INELIGIBLE');
    await post(credit('2026-11-03', false));
    expect(await state()).toBe('NEEDS_INFO');
    // The platform's next profile has the count: the enterprise is eligible and pushed.
    await post(profile('2026-11-04', { employees: 26 }));
    expect(await state()).toBe('NOTIFIED');
    // The first profile delivered again: its re-match changes nothing and adds no line.
    await redeliver(first);

    expect(await trail()).toEqual([
      ['state:NONE->NEEDS_INFO', '/civicflow/policy', DATA_SHARING],
      ['state:NEEDS_INFO->INELIGIBLE', '/civicflow/policy', CREDIT],
      ['state:INELIGIBLE->NEEDS_INFO', '/civicflow/policy', CREDIT],
      ['state:NEEDS_INFO->NOTIFIED', '/civicflow/policy', DATA_SHARING],
    ]);
  }, 180_000);

  it('names the policy system on the lines of the pairs a publication\'s matching run settled', async () => {
    const later = 'POL-IT-RSRC-LATER';
    await post(event('/systems/policy', 'gov.policy.published', {
      policyId: later,
      name: '小微企业稳岗服务（溯源）',
      departmentCode: '440305-RSJ',
      kind: 'confirm',
      criteria: { id: 'C-STAFF', description: '在职职工不超过30人', fact: 'enterprise.employees', op: 'lte', value: 30 },
      benefit: { type: 'service', description: '稳岗服务' },
      validFrom: '2026-01-01',
      validTo: '2027-12-31',
      channels: ['sms'],
      version: 1,
    }));
    const res = await rt.dev('GET', `/_dev/audit?subject=${encodeURIComponent(`entitlement:${later}/${X}`)}`);
    expect((res.body.entries as any[]).map((a) => [a.action, a.actor, a.details?.source])).toEqual([['state:NONE->NOTIFIED', '/civicflow/match', '/systems/policy']]);
    const queues = (await rt.dev('GET', '/_dev/queues')).body;
    for (const q of ['registry', 'policy', 'match']) expect([q, queues[q].dlq]).toEqual([q, 0]);
  }, 180_000);
});
