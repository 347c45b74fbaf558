/**
 * Person policies through the local runtime: 20,000 generated residents posted as
 * `gov.person.profile.updated` (batches of 100, as enterprises are), an 高龄津贴 (age 80 and over) policy
 * matched over them in the registry's parallel slices — checked against the pure domain as the oracle —
 * with every grant notified once and no ID number unmasked in what left for the channel or the log; then
 * the profiles and the publication redelivered, and a person's profile update re-matched, with nobody
 * notified twice. Then time alone: 高龄津贴 tiers for 80 and 90, the clock moved past birthdays (one on
 * 29 February, reached on 28 February of 2026) and the entitlement schedule fired — each pushed exactly once.
 */
import { readFileSync } from 'node:fs';
import { startLocal, type Running } from '#support/runtime';
import { compilePolicy, matchEnterprise, type MatchOutcome, type PersonProfile, type Policy } from '#entitlement';
import { generatePersons } from '#bench/fixtures/persons';
import { makeIdNumber } from '#contract/identifiers';

const N = 20_000;
const SEED = 20251203;
const CLOCK = '2025-06-01T01:00:00.000Z';
const NOW = '2025-06-01T09:00:00+08:00';
const EVENT_TIME = '2025-06-01T08:00:00+08:00';

const ELDERLY: Policy = {
  policyId: 'POL-ELDERLY-SCALE',
  name: '高龄津贴',
  departmentCode: '440305-MZJ',
  kind: 'grant',
  subjectKind: 'person',
  criteria: {
    all: [
      { id: 'E-AGE', description: '年满80周岁', fact: 'person.birthDate', op: 'ageAtLeast', value: 80 },
      { id: 'E-DIST', description: '户籍在南山区', fact: 'person.residenceDistrict', op: 'eq', value: '440305' },
    ],
  },
  benefit: { type: 'allowance', amount: 200, description: '高龄津贴每月200元' },
  validFrom: '2025-01-01',
  validTo: '2030-12-31',
  channels: ['sms'],
  version: 1,
};

const persons = generatePersons(N, SEED);

let rt: Running;

function cloudEvent(source: string, type: string, id: string, data: unknown) {
  return { specversion: '1.0', id, source, type, time: EVENT_TIME, datacontenttype: 'application/json', data };
}

async function postAll(events: unknown[]): Promise<void> {
  for (let i = 0; i < events.length; i += 100) {
    const out = await rt.post(events.slice(i, i + 100));
    expect([out.status, out.body.rejected]).toEqual([202, []]);
  }
}

function oracle(policy: Policy, ps: readonly PersonProfile[]): Map<string, MatchOutcome> {
  const compiled = compilePolicy(policy);
  return new Map(ps.map((p) => [p.idNumber, matchEnterprise(policy, compiled, p, undefined, NOW).outcome]));
}
const idsWith = (o: Map<string, MatchOutcome>, outcome: MatchOutcome) => [...o].filter(([, v]) => v === outcome).map(([k]) => k).sort();
const duplicates = (xs: string[]) => xs.filter((x, i) => xs.indexOf(x) !== i);

/** Every page of a policy's entitlements, as `as` reads them (the cursors it was handed, passed back). */
async function entitlements(policyId: string, filter: string, as?: string): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | undefined;
  do {
    const res = await rt.get(`/policies/${policyId}/entitlements?${filter}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, as ? { as } : {});
    expect(res.status).toBe(200);
    out.push(...res.body.items);
    cursor = res.body.cursor;
    cursors.push(...(cursor ? [{ as, cursor }] : []));
  } while (cursor);
  return out;
}
const cursors: Array<{ as: string | undefined; cursor: string }> = [];

async function notifiedEvents(policyId: string): Promise<string[]> {
  const res = await rt.dev('GET', '/_dev/outbound?type=gov.entitlement.notified');
  return (res.body.events as Array<{ subject: string }>).filter((e) => e.subject.startsWith(`${policyId}/`)).map((e) => e.subject.slice(policyId.length + 1));
}

/**
 * In memory, as most files run: nothing here restarts the runtime. With `--data` every send, receive and
 * delete of the 20,000 profiles' queue messages was a write-through to fauxqs's SQLite file (a commit
 * each, on the runtime's one thread) and every DynamoDB request went to an on-disk table: in a CPU profile
 * of the runtime those commits alone were over half of its busy time, and on a shared disk they brought
 * the first test near its limit. Keeping data across a restart is proven by the recovery and crash files.
 */
async function start(clock: string): Promise<void> {
  rt = await startLocal();
  expect((await rt.dev('POST', '/_dev/clock', { set: clock })).status).toBe(200);
}
async function stop(): Promise<void> {
  await rt?.stop();
}

describe('person policies through the local runtime', () => {
  beforeAll(() => start(CLOCK), 120_000);
  afterAll(stop);
  const expected = oracle(ELDERLY, persons);
  const eligible = idsWith(expected, 'eligible');

  it('matches an 高龄津贴 policy over 20,000 persons and grants exactly the eligible, once each', async () => {
    // The oracle has something to check: eligible persons, persons missing a district, the rest too young or elsewhere.
    expect(eligible.length).toBeGreaterThan(300);
    expect(idsWith(expected, 'needsInfo').length).toBeGreaterThan(0);
    expect(persons.some((p) => p.birthDate === undefined && expected.get(p.idNumber) === 'eligible')).toBe(true);

    await postAll(persons.map((p, i) => cloudEvent('/systems/data-sharing', 'gov.person.profile.updated', `person-${i}`, p)));
    await rt.drain(600_000);
    await postAll([cloudEvent('/systems/policy', 'gov.policy.published', 'publish-elderly-1', ELDERLY)]);
    await rt.drain(600_000);

    const granted = await entitlements(ELDERLY.policyId, 'reached=GRANTED');
    expect(granted.map((e) => e.creditCode).sort()).toEqual(eligible);
    expect(granted.every((e) => e.delivery?.status === 'DELIVERED' && e.delivery.attempts === 1)).toBe(true);
    const sent = await notifiedEvents(ELDERLY.policyId);
    expect(duplicates(sent)).toEqual([]);
    expect(sent.sort()).toEqual(eligible);
    const res = await rt.get(`/policies/${ELDERLY.policyId}`);
    expect(res.body.figures).toMatchObject({ eligible: eligible.length, granted: eligible.length, needsInfo: idsWith(expected, 'needsInfo').length });
    expect(res.body.run).toMatchObject({ complete: true, profiles: N });
  }, 900_000);

  it('pages the grants for the policy system too, which sees ID numbers masked: its cursors sealed for it alone', async () => {
    const asPolicy = await entitlements(ELDERLY.policyId, 'reached=GRANTED', '/systems/policy');
    expect(asPolicy).toHaveLength(eligible.length);
    expect(asPolicy.every((e) => e.creditCode.includes('*'))).toBe(true);
    const sealed = cursors.filter((c) => c.as === '/systems/policy').map((c) => c.cursor);
    expect(sealed.length).toBeGreaterThanOrEqual(Math.floor(eligible.length / 100));
    // No granted ID number in a cursor, as text or in the bytes under its base64.
    for (const c of sealed) {
      const bytes = Buffer.from(c.slice('sc1.'.length), 'base64url');
      expect([c, eligible.filter((id) => c.includes(id) || bytes.includes(Buffer.from(id)))]).toEqual([c, []]);
    }
    // A sealed cursor opens for the reader it was sealed for only; an altered one for nobody.
    const path = (cursor: string) => `/policies/${ELDERLY.policyId}/entitlements?reached=GRANTED&limit=100&cursor=${encodeURIComponent(cursor)}`;
    expect((await rt.get(path(sealed[0]!), { as: '/systems/policy' })).status).toBe(200);
    expect((await rt.get(path(sealed[0]!), { as: '/auditors/district' })).status).toBe(400);
    const altered = sealed[0]!.slice(0, -2) + (sealed[0]!.at(-2) === 'A' ? 'B' : 'A') + sealed[0]!.at(-1);
    const refused = await rt.get(path(altered), { as: '/systems/policy' });
    expect([refused.status, refused.body.error]).toEqual([400, expect.stringContaining('cursor')]);
  }, 120_000);

  it('notifies nobody twice when profiles and the publication are redelivered and profiles updated', async () => {
    const pushed = persons.filter((p) => expected.get(p.idNumber) === 'eligible').slice(0, 200);
    await postAll(pushed.map((p) => cloudEvent('/systems/data-sharing', 'gov.person.profile.updated', `person-${persons.indexOf(p)}`, p)));
    await postAll(pushed.map((p, i) => cloudEvent('/systems/data-sharing', 'gov.person.profile.updated', `person-update-${i}`, { ...p, asOf: '2025-05-01' })));
    await postAll([cloudEvent('/systems/policy', 'gov.policy.published', 'publish-elderly-1-again', ELDERLY)]);
    await rt.drain(600_000);
    const sent = await notifiedEvents(ELDERLY.policyId);
    expect(duplicates(sent)).toEqual([]);
    expect(sent.sort()).toEqual(eligible);
    const res = await rt.get(`/policies/${ELDERLY.policyId}`);
    expect(res.body.figures).toMatchObject({ granted: eligible.length, delivered: eligible.length });
  }, 900_000);

  // Last: reading the whole log takes seconds, longer than the runtime keeps an idle connection open.
  it('never writes an unmasked ID number of a notified person to the log (where the dev channel delivers)', () => {
    const log = readFileSync(rt.logFile, 'utf8');
    expect(log).toContain('notification (log sender)');
    expect(eligible.filter((id) => log.includes(id))).toEqual([]);
    expect(log).toContain(`"subjectId":"${eligible[0]!.slice(0, 6)}********${eligible[0]!.slice(-4)}"`);
  });
});

/** 高龄津贴 by tier (real programmes pay more from 90): the tier's age and amount. */
function tier(age: number, amount: number): Policy {
  return {
    ...ELDERLY,
    policyId: `POL-ELDERLY-${age}`,
    name: `${age}周岁以上高龄津贴`,
    criteria: {
      all: [
        { id: 'E-AGE', description: `年满${age}周岁`, fact: 'person.birthDate', op: 'ageAtLeast', value: age },
        { id: 'E-DIST', description: '户籍在南山区', fact: 'person.residenceDistrict', op: 'eq', value: '440305' },
      ],
    },
    benefit: { type: 'allowance', amount, description: `高龄津贴每月${amount}元` },
  };
}

describe('birthdays turn persons eligible with no event: the time index and the schedule', () => {
  // 2026-02-27 10:00 in Shenzhen. Nobody's profile changes after it.
  const T0 = '2026-02-27T02:00:00.000Z';
  const TURNS_80 = makeIdNumber('440305', '19460228', '101'); // 80 on 2026-02-28
  const LEAP_90 = makeIdNumber('440305', '19360229', '202'); // 89 now; 90 on 2026-02-28 (29 February in a common year)
  const LATER = makeIdNumber('440305', '19460302', '303'); // 80 on 2026-03-02
  const P80 = tier(80, 200);
  const P90 = tier(90, 500);
  const residents = [TURNS_80, LEAP_90, LATER].map((idNumber, i) => ({ idNumber, name: ['周淑芬', '吴建国', '郑秀兰'][i]!, asOf: '2026-01-01', residenceDistrict: '440305' }));

  beforeAll(() => start(T0), 120_000);
  afterAll(stop);

  const granted = async (policyId: string) => (await entitlements(policyId, 'reached=GRANTED')).map((e) => e.creditCode).sort();
  const fire = async () => {
    const out = await rt.dev('POST', '/_dev/schedules/entitlement-schedule');
    expect(out.status).toBe(200);
    await rt.drain(120_000);
    return out.body.result;
  };

  it('grants on the birthday, fired by the schedule, and exactly once', async () => {
    await postAll(residents.map((p, i) => cloudEvent('/systems/data-sharing', 'gov.person.profile.updated', `resident-${i}`, p)));
    await rt.drain(120_000);
    await postAll([P80, P90].map((p) => cloudEvent('/systems/policy', 'gov.policy.published', `publish-${p.policyId}`, p)));
    await rt.drain(120_000);
    // LEAP_90 is 89: already in the 80 tier, not yet in the 90 one; the other two are 79.
    expect(await granted(P80.policyId)).toEqual([LEAP_90]);
    expect(await granted(P90.policyId)).toEqual([]);

    // The day before: the schedule finds nothing due.
    await fire();
    expect(await granted(P80.policyId)).toEqual([LEAP_90]);

    // Past midnight of 28 February: 80 and (born 29 February) 90, with no profile update anywhere.
    expect((await rt.dev('POST', '/_dev/clock', { advance: '1d' })).status).toBe(200);
    const result = await fire();
    expect(result.timeIndex.reevaluated).toBe(2);
    expect(await granted(P80.policyId)).toEqual([LEAP_90, TURNS_80].sort());
    expect(await granted(P90.policyId)).toEqual([LEAP_90]);
    expect((await notifiedEvents(P80.policyId)).sort()).toEqual([LEAP_90, TURNS_80].sort());

    // Fired again, and again after the next birthday: each pushed once, the later one on its own day.
    await fire();
    expect((await rt.dev('POST', '/_dev/clock', { advance: '3d' })).status).toBe(200);
    await fire();
    expect(await granted(P80.policyId)).toEqual([LEAP_90, LATER, TURNS_80].sort());
    const sent80 = await notifiedEvents(P80.policyId);
    expect([duplicates(sent80), sent80.length]).toEqual([[], 3]);
    expect(await notifiedEvents(P90.policyId)).toEqual([LEAP_90]);
  }, 300_000);

  it('notifies nobody twice when the profiles and policies are redelivered after the birthdays', async () => {
    await postAll(residents.map((p, i) => cloudEvent('/systems/data-sharing', 'gov.person.profile.updated', `resident-${i}`, p)));
    await postAll(residents.map((p, i) => cloudEvent('/systems/data-sharing', 'gov.person.profile.updated', `resident-again-${i}`, { ...p, asOf: '2026-02-01' })));
    await postAll([P80, P90].map((p) => cloudEvent('/systems/policy', 'gov.policy.published', `publish-${p.policyId}-again`, p)));
    await rt.drain(120_000);
    await fire();
    const sent80 = await notifiedEvents(P80.policyId);
    expect([duplicates(sent80), sent80.length]).toEqual([[], 3]);
    expect(await notifiedEvents(P90.policyId)).toEqual([LEAP_90]);
    const figures = (await rt.get(`/policies/${P80.policyId}`)).body.figures;
    expect(figures).toMatchObject({ eligible: 3, granted: 3, delivered: 3 });
  }, 300_000);
});
