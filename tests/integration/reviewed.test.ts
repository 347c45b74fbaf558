/**
 * 秒批 after the machine, end to end through the local runtime:
 *  - a 容缺 application whose supplement deadline passes is TERMINATED by the deadlines schedule, and
 *    办不成事 offers a hard case for it at once (civicflow.application.decided, sent from the outbox);
 *  - a person's decision (gov.application.reviewed, posted by /systems/department) on an application in
 *    MANUAL_REVIEW becomes its next version: APPROVED with a certificate, a review case and an outbound
 *    event; REJECTED with the reviewer's reasons; a decision on an application in another state is refused
 *    with a receipt; a redelivery (same event, or same content under a new id) changes nothing.
 */
import { startLocal, sample, type Running } from '#support/runtime';

let rt: Running;
// A moment after every sample's submission (2026-11-05 14:30 in Shanghai, a Thursday).
const CLOCK = '2026-11-05T06:30:00.000Z';
beforeAll(async () => {
  rt = await startLocal();
  await rt.dev('POST', '/_dev/clock', { set: CLOCK });
}, 120_000);
afterAll(async () => {
  await rt?.dev('POST', '/_dev/clock', { reset: true }).catch(() => undefined);
  await rt?.stop();
});

const DISHONEST = '92440300MA5JT4W2XW';
const DEPARTMENT = '/systems/department';

let seq = 0;
/** A sample with a fresh event id and its data changed. */
function variant(type: string, name: string, data: Record<string, unknown> = {}): any {
  const base = sample(type, name);
  return { ...base, id: `${base.id}-r${++seq}`, data: { ...base.data, ...data } };
}

async function postAll(events: unknown[]): Promise<void> {
  const out = await rt.post(events);
  expect({ status: out.status, rejected: out.body.rejected }).toEqual({ status: 202, rejected: [] });
}

async function get(path: string, as?: string): Promise<any> {
  const out = await rt.get(path, as ? { as } : {});
  expect({ path, status: out.status }).toEqual({ path, status: 200 });
  return out.body;
}

const decisionOf = (applicationId: string) => get(`/applications/${encodeURIComponent(applicationId)}`);

async function outbound(type: string, subject: string): Promise<any[]> {
  return (await rt.dev('GET', `/_dev/outbound?type=${encodeURIComponent(type)}&subject=${encodeURIComponent(subject)}`)).body.events;
}

describe('秒批 after the machine, through the running runtime', () => {
  it('takes in the reference data', async () => {
    await postAll([sample('gov.catalog.item.published', 'weather-certificate'), sample('gov.catalog.item.published', 'outdoor-advertising')]);
    await postAll([sample('gov.person.profile.updated', 'resident'), sample('gov.enterprise.profile.updated', 'small-exporter')]);
    await postAll([sample('gov.licence.issued', 'business-licence'), sample('gov.licence.issued', 'resident-id-card')]);
    await postAll([sample('gov.credit.updated', 'good-standing'), sample('gov.credit.updated', 'dishonest-business')]);
    await rt.drain();
    expect((await get('/items/CG-0107')).version).toBe(3);
  });

  it('offers a hard case for an application TERMINATED by its missed supplement deadline', async () => {
    const late = variant('gov.application.submitted', 'pending-materials', { applicationId: 'SQ-20261105-800001' });
    await postAll([late]);
    await rt.drain();
    expect((await decisionOf('SQ-20261105-800001')).outcome).toBe('ACCEPTED_PENDING_MATERIALS');
    // Nothing is offered while the case waits for its materials.
    expect((await rt.get('/hardcases/offer-SQ-20261105-800001')).status).toBe(404);

    try {
      await rt.dev('POST', '/_dev/clock', { advance: '30d' });
      const fired = await rt.dev('POST', '/_dev/schedules/approval-deadlines');
      expect(fired.body.result).toMatchObject({ terminated: 1 });
      await rt.drain();
    } finally {
      await rt.dev('POST', '/_dev/clock', { set: CLOCK });
    }
    expect(await decisionOf('SQ-20261105-800001')).toMatchObject({ outcome: 'TERMINATED', sequence: 2 });
    const offered = await get('/hardcases/offer-SQ-20261105-800001');
    expect(offered).toMatchObject({
      caseId: 'offer-SQ-20261105-800001',
      origin: 'offered',
      applicationId: 'SQ-20261105-800001',
      itemCode: 'CG-0107',
    });
    expect(offered.description).toContain('已终止');
    expect((await rt.dev('GET', '/_dev/queues')).body.hardcase.dlq).toBe(0);
  });
});
