/**
 * Property (fast-check), through the running local runtime: events with arbitrary keys and values in every
 * open object (forms, licence attributes, profile and credit extras, the extra fields every `data` may
 * carry) are posted as an upstream system would; each one the edge accepts goes through its real consumer
 * (the registry, approval, review and policy functions writing to DynamoDB Local), and every accepted event
 * can be processed: it gets a receipt (applied, no effect, refused, or a review kept for its case) and
 * nothing reaches a dead-letter queue. What the edge refuses, it refuses with a 400 naming a field.
 */
import fc from 'fast-check';
import { sample, startLocal, type Running } from '#support/runtime';

let rt: Running;
beforeAll(async () => {
  rt = await startLocal();
  await rt.dev('POST', '/_dev/clock', { set: '2026-11-10T02:00:00.000Z' });
  // A case with a 差评, so generated rectification steps have something to act on.
  const done = sample('gov.case.completed', 'window-case');
  const bad = sample('gov.review.submitted', 'bad-review');
  expect((await rt.post({ ...done, id: 'od-case', data: { ...done.data, caseId: 'OD-C1', itemCode: 'CG-0107', departmentCode: '440305-CGJ', applicantId: bad.data.reviewerId } })).status).toBe(202);
  expect((await rt.post({ ...bad, id: 'od-bad', data: { ...bad.data, caseId: 'OD-C1' } })).status).toBe(202);
  expect((await rt.post(sample('gov.catalog.item.published', 'weather-certificate'))).status).toBe(202);
  await rt.drain();
}, 120_000);
afterAll(async () => {
  await rt?.stop();
});

/** Keys upstream systems send, and keys that break stores and object copies. */
const key = fc.oneof(
  { weight: 6, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
  { weight: 3, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', '', 'toString', 'hasOwnProperty', 'valueOf', 'a.b', '$set', '#1', ':x', '名称', '😀', '\ud800', '\udfff', 'k'.repeat(300), ' ') },
);
const number = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 2 ** 53 - 1, 2 ** 53, -(2 ** 60), 1e300, 1e-130, 1e-131, 5e-324, 0.1 + 0.2),
);
const text = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 10 }), fc.constantFrom('', '\u0000', '𠮷', '\ud83d', 'x'.repeat(300)));
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    number,
    text,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 5, noNullPrototype: true }),
  ),
}));
const openObject = fc.dictionary(key, value, { maxKeys: 6, noNullPrototype: true });
/** Now and then deeper than the edge allows (20 levels), to see that refused too. */
const maybeDeep = fc.oneof({ weight: 9, arbitrary: openObject }, { weight: 1, arbitrary: fc.integer({ min: 15, max: 30 }).map(nest) });

function nest(levels: number): Record<string, unknown> {
  let v: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < levels; i++) v = { n: v };
  return v;
}

let serial = 0;
/** One event of each kind of open data, from the samples, with `extra` fields and open objects generated. */
function eventsOf(extra: Record<string, unknown>, open: Record<string, unknown>): any[] {
  const n = ++serial;
  const withData = (type: string, name: string, data: Record<string, unknown>) => {
    const s = sample(type, name);
    return { ...s, id: `od-${n}-${type}`, data: { ...s.data, ...data, ...extra } };
  };
  return [
    withData('gov.application.submitted', 'instant-weather-certificate', { applicationId: `OD-A${n}`, form: open }),
    withData('gov.licence.issued', 'business-licence', { licenceNo: `OD-L${n}`, attributes: open }),
    withData('gov.person.profile.updated', 'resident', { asOf: '2026-11-01', extras: open }),
    withData('gov.enterprise.profile.updated', 'small-exporter', { asOf: `2026-11-0${1 + (n % 9)}`, extras: open }),
    withData('gov.credit.updated', 'person-good-standing', { asOf: '2026-11-02', extras: open }),
    withData('gov.case.completed', 'window-case', { caseId: `OD-C${n + 1}`, extras: open }),
    withData('gov.review.submitted', 'good-review', { caseId: `OD-C${n + 1}`, reviewId: `OD-R${n}`, extras: open }),
    withData('gov.rectification.updated', 'acknowledge', { caseId: 'OD-C1', note: `step ${n}`, extras: open }),
    withData('gov.application.materials.supplemented', 'consent-supplied', { applicationId: `OD-A${n}` }),
    withData('gov.policy.confirmed', 'one-click-confirmation', { policyId: `OD-P${n}` }),
    withData('gov.catalog.item.published', 'weather-certificate', { itemCode: `OD-I${n}`, extras: open }),
  ];
}

const accepted: any[] = [];
const refused: Array<{ id: string; errors: Array<{ path: string; message: string }> }> = [];

describe('every accepted event can be processed (fast-check through the runtime)', () => {
  it('answers every generated event with 202 or a 400 naming a field, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(key, value, { maxKeys: 4, noNullPrototype: true }), maybeDeep, async (extra, open) => {
        for (const event of eventsOf(extra, open)) {
          const out = await rt.post(event, { retries: 0 });
          expect([event.id, out.status < 500]).toEqual([event.id, true]);
          if (out.status === 202) {
            accepted.push(event);
          } else {
            expect([event.id, out.status]).toEqual([event.id, 400]);
            for (const r of out.body.rejected) {
              expect(r.errors.length).toBeGreaterThan(0);
              for (const e of r.errors) expect(typeof e.path === 'string' && e.message.length > 0).toBe(true);
              refused.push(r);
            }
          }
        }
      }),
      // A fixed seed keeps the counts below reproducible; FC_SEED explores others.
      { numRuns: 35, seed: Number(process.env.FC_SEED ?? 20261202) },
    );
    // The generator reaches both sides of the edge.
    expect(accepted.length).toBeGreaterThan(100);
    expect(refused.length).toBeGreaterThan(20);
  }, 240_000);

  it('processes every event it accepted: each has a receipt, and no dead-letter queue holds anything', async () => {
    await rt.drain(180_000);
    const depths = (await rt.dev('GET', '/_dev/queues')).body as Record<string, { dlq: number }>;
    for (const [q, d] of Object.entries(depths)) expect([q, d.dlq]).toEqual([q, 0]);
    const unprocessed: unknown[] = [];
    const outcomes = new Map<string, number>();
    for (const e of accepted) {
      const out = await rt.get(`/events/${encodeURIComponent(e.id)}/receipt?source=${encodeURIComponent(e.source)}`);
      const processed = out.status === 200 && (out.body.outcome !== 'pending' || out.body.kind === 'PARKED');
      if (!processed) unprocessed.push({ id: e.id, answer: out.body, data: e.data });
      const k = `${e.type} ${out.body.kind ?? out.body.outcome}`;
      outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
    }
    expect(unprocessed).toEqual([]);
    // Processed means stored by the consumer: the open objects are there, as sent.
    const application = accepted.find((e) => e.type === 'gov.application.submitted');
    const decision = await rt.get(`/applications/${application.data.applicationId}`);
    expect(decision.status).toBe(200);
    expect([...outcomes.keys()].some((k) => k.startsWith('gov.person.profile.updated applied'))).toBe(true);
  }, 240_000);
});
