/**
 * An event's own time after its receipt, through the local runtime's HTTP API: a typo such as
 * `"asOf": "2062-03-01"` on a credit update was accepted, and made every later real update "older" (stale)
 * until 2062, so the record was frozen. The edge now refuses it naming the field; the next real update
 * applies. A timestamp may be a few minutes ahead (clock skew), not more.
 */
import { CLOCK_SKEW_MINUTES } from '#contract/timestamp';
import { sample, startLocal, type Running } from '#support/runtime';

/** Tuesday 2026-11-10, 10:00 in Shanghai: after every sample's own time. */
const CLOCK = '2026-11-10T02:00:00.000Z';

let rt: Running;
beforeAll(async () => {
  rt = await startLocal();
  expect((await rt.dev('POST', '/_dev/clock', { set: CLOCK })).status).toBe(200);
}, 120_000);
afterAll(async () => {
  await rt?.dev('POST', '/_dev/clock', { reset: true }).catch(() => undefined);
  await rt?.stop();
});

const ZHANG = '440305199003071236';

function credit(id: string, data: Record<string, unknown>): any {
  const base = sample('gov.credit.updated', 'person-good-standing');
  return { ...base, id, data: { ...base.data, subjectId: ZHANG, ...data } };
}

async function receipt(e: { id: string; source: string }): Promise<any> {
  const out = await rt.get(`/events/${encodeURIComponent(e.id)}/receipt?source=${encodeURIComponent(e.source)}`, { as: '/auditors/district' });
  return [out.status, out.body];
}

describe('an event dated after its receipt', () => {
  it('refuses an asOf typo naming the field, so the next real update is not stale and applies', async () => {
    const first = credit('future-credit-1', { asOf: '2026-11-01', rating: 'A' });
    expect((await rt.post(first, { retries: 0 })).status).toBe(202);
    await rt.drain();

    // 2062 for 2026: refused whole (400), naming data.asOf; nothing is recorded for it.
    const typo = credit('future-credit-typo', { asOf: '2062-03-01', rating: 'C' });
    const refused = await rt.post(typo, { retries: 0 });
    expect([refused.status, refused.body]).toEqual([
      400,
      {
        error: 'no event was accepted',
        accepted: [],
        rejected: [
          {
            id: 'future-credit-typo',
            errors: [{ path: 'data.asOf', message: "is a date after the day the event was received (2026-11-10 in the bureau's time zone): it must say when something happened, not a later day" }],
          },
        ],
      },
    ]);
    expect((await receipt(typo))[0]).toBe(404);

    // The same typo as a timestamp, and one just past the tolerance: refused too.
    const ahead = new Date(Date.parse(CLOCK) + (CLOCK_SKEW_MINUTES + 1) * 60_000).toISOString();
    const late = await rt.post([credit('future-credit-ts', { asOf: '2062-03-01T00:00:00+08:00' }), credit('future-credit-skew', { asOf: ahead })], {
      retries: 0,
      contentType: 'application/cloudevents-batch+json',
    });
    expect(late.status).toBe(400);
    expect(late.body.rejected.map((r: any) => [r.id, r.errors.map((e: any) => e.path)])).toEqual([
      ['future-credit-ts', ['data.asOf']],
      ['future-credit-skew', ['data.asOf']],
    ]);

    // The next real update (today's date) applies: the record is not frozen.
    const next = credit('future-credit-2', { asOf: '2026-11-10', rating: 'B' });
    expect((await rt.post(next, { retries: 0 })).status).toBe(202);
    await rt.drain();
    const [status, body] = await receipt(next);
    expect([status, body.outcome]).toEqual([200, 'applied']);
    expect((await rt.get(`/credit/${ZHANG}`)).body.upstream).toMatchObject({ asOf: '2026-11-10', rating: 'B', event: { id: 'future-credit-2' } });
  });

  it('refuses a submission dated ahead in a batch, naming the field, and accepts the rest', async () => {
    const base = sample('gov.application.submitted', 'instant-outdoor-advertising');
    const good = { ...base, id: 'future-app-good', data: { ...base.data, applicationId: 'FUT-APP-1' } };
    const ahead = { ...base, id: 'future-app-ahead', data: { ...base.data, applicationId: 'FUT-APP-2', submittedAt: '2026-11-11T10:00:00+08:00' } };
    const out = await rt.post([good, ahead], { retries: 0, contentType: 'application/cloudevents-batch+json' });
    expect([out.status, out.body.accepted, out.body.rejected.map((r: any) => [r.id, r.errors.map((e: any) => e.path)])]).toEqual([
      202,
      ['future-app-good'],
      [['future-app-ahead', ['data.submittedAt']]],
    ]);
  });
});
