/**
 * The largest events the edge accepts, through the HTTP API and the queues: an application, the profile and
 * the e-licences one decision draws on are decided and stored, never retried into a dead-letter queue. Before
 * the byte limits on open objects, a 200 KB form, a licence with 200 KB of attributes and a profile with
 * 200 KB of extra fields were each accepted, and the decision's item was then larger than DynamoDB takes:
 * the application was retried until its DLQ, never decided. They are now refused at the edge, naming the
 * field; and everything within the limits, however many e-licences the applicant holds or however often
 * its rules (or a 一件事 bundle's children) read the largest value, is decided. And its decision can be read:
 * the decision keeps a long fact value as a marker in each trace entry (and the answer shows one stored
 * earlier so), so 500 rules reading the form's largest value answer under 1 MB, not over 100 MB (Lambda
 * answers at most 6 MB).
 */
import { makeCreditCode } from '#contract/identifiers';
import { LIMITS } from '#contract/limits';
import { variants } from '#support/calls';
import { sample, startLocal, type Running } from '#support/runtime';
import { fullObject, noise } from '#support/noise';
import { application as bundleApplication, ID, itemEvent } from './bundle-fixtures';

let rt: Running;
beforeAll(async () => {
  rt = await startLocal({ retryDelaySeconds: 1 });
  await rt.dev('POST', '/_dev/clock', { set: '2026-11-05T06:30:00.000Z' });
}, 120_000);
afterAll(async () => {
  await rt?.dev('POST', '/_dev/clock', { reset: true }).catch(() => undefined);
  await rt?.stop();
});

const event = variants('big');

const profile = (id: string, extra: Record<string, unknown>) => {
  const base = sample('gov.enterprise.profile.updated', 'small-exporter').data;
  return event('gov.enterprise.profile.updated', 'small-exporter', { ...base, creditCode: id, ...extra });
};
const licence = (id: string, i: number, attributes: Record<string, unknown>) =>
  event('gov.licence.issued', 'business-licence', { licenceNo: `YYZZ-BIG-${id}-${i}`, holderId: id, attributes });
const application = (id: string, applicationId: string, itemCode: string, form: Record<string, unknown>) =>
  event('gov.application.submitted', 'instant-outdoor-advertising', {
    applicationId,
    itemCode,
    applicant: { kind: 'enterprise', id, name: '深圳市大表单科技有限公司' },
    form,
    materials: [{ code: 'M-LICENCE' }, { code: 'M-DESIGN', provided: true }, { code: 'M-CONSENT', provided: true }],
  });

/** An item whose rules fail on the form's, a licence's and the profile's largest value: each is kept in the trace. */
const item = event('gov.catalog.item.published', 'outdoor-advertising', {
  itemCode: 'CG-BIG-1',
  rules: {
    all: [
      { id: 'B-1', description: '表单说明符合要求', fact: 'form.note', op: 'eq', value: 'x' },
      { id: 'B-2', description: '经营范围符合要求', fact: 'licence.营业执照.scope', op: 'eq', value: 'x' },
      { id: 'B-3', description: '档案备注符合要求', fact: 'applicant.notes', op: 'eq', value: 'x' },
    ],
  },
});

async function dlqDepths(): Promise<[string, number][]> {
  const depths = (await rt.dev('GET', '/_dev/queues')).body as Record<string, { dlq: number }>;
  return Object.entries(depths).map(([q, d]) => [q, d.dlq]);
}

describe('the largest decision the edge lets through', () => {
  it('refuses, naming the field, the large form, licence attributes and profile that made a decision impossible to store', async () => {
    const id = makeCreditCode('91440300MA5G7X8Y1');
    const cases: [any, string][] = [
      [profile(id, { notes: noise(200 * 1024, 7) }), 'data'],
      [licence(id, 0, { status: '存续', scope: noise(200 * 1024, 8) }), 'data.attributes'],
      [application(id, 'SQ-BIG-REFUSED', 'CG-0107', { note: noise(200 * 1024, 9) }), 'data.form'],
    ];
    for (const [e, path] of cases) {
      const out = await rt.post(e);
      expect([e.type, out.status]).toEqual([e.type, 400]);
      expect(out.body.rejected[0].errors.map((x: any) => x.path)).toEqual([path]);
      expect(out.body.rejected[0].errors[0].message).toMatch(/must be at most \d+ bytes as JSON/);
    }
  });

  it('decides and stores an application at the limits, from a profile at its limit and forty e-licences at theirs', async () => {
    const id = makeCreditCode('91440300MA5G7X8Y2');
    const form = fullObject('note', LIMITS.formBytes, 1, { areaSqm: 12, durationDays: 15, locationType: '商业建筑外墙' });
    const notes = fullObject('notes', LIMITS.profileBytes - 600, 2).notes;
    const post = async (events: unknown) => {
      const out = await rt.post(events);
      expect(out.body.rejected).toEqual([]);
      expect(out.status).toBe(202);
    };
    await post(item);
    await post(profile(id, { notes }));
    for (let batch = 0; batch < 2; batch++) {
      await post(Array.from({ length: 20 }, (_, i) => licence(id, batch * 20 + i, fullObject('scope', LIMITS.attributesBytes, 100 + batch * 20 + i, { status: '存续' }))));
    }
    await rt.drain();
    await post(application(id, 'SQ-BIG-1', 'CG-BIG-1', form));
    await rt.drain();

    const out = await rt.get('/applications/SQ-BIG-1');
    expect(out.status).toBe(200);
    const d = out.body;
    expect(d.outcome).toBe('REJECTED');
    expect(d.failedRules.map((r: any) => r.id)).toEqual(['B-1', 'B-2', 'B-3']);
    // Explainable as any decision: each leaf shows the value it saw, a long one as its type, size and start.
    const seen = Object.fromEntries(d.trace.rules.leaves.map((l: any) => [l.id, l.seen]));
    // (The prefix is the value's first 32 characters, less a run of digits the cut went through.)
    const shows = (marker: any, v: string) => {
      expect(marker).toEqual({ truncated: true, type: 'string', bytes: Buffer.byteLength(JSON.stringify(v)), prefix: expect.any(String) });
      expect(v.startsWith(marker.prefix) && marker.prefix.length > 16).toBe(true);
    };
    shows(seen['B-1'], form.note as string);
    shows(seen['B-3'], notes as string);
    expect(seen['B-2']).toMatchObject({ truncated: true, type: 'string' });
    expect(seen['B-2'].bytes).toBeGreaterThan(16_000);
    expect(await dlqDepths()).toEqual((await dlqDepths()).map(([q]) => [q, 0]));
  }, 120_000);

  it('answers the decision of 500 rules each reading the form\'s largest value in under 1 MB (it was over 100 MB)', async () => {
    const id = makeCreditCode('91440300MA5G7X8Y3');
    const many = event('gov.catalog.item.published', 'outdoor-advertising', {
      itemCode: 'CG-BIG-500',
      rules: { all: Array.from({ length: 500 }, (_, i) => ({ id: `W-${i}`, description: `说明第${i}项符合要求`, fact: 'form.note', op: 'eq', value: `x${i}` })) },
    });
    const form = fullObject('note', LIMITS.formBytes, 5, { areaSqm: 12, durationDays: 15, locationType: '商业建筑外墙' });
    for (const events of [many, profile(id, {}), licence(id, 0, { status: '存续', scope: '广告设计' })]) {
      const out = await rt.post(events);
      expect(out.body.rejected).toEqual([]);
    }
    await rt.drain();
    expect((await rt.post(application(id, 'SQ-BIG-500', 'CG-BIG-500', form))).status).toBe(202);
    await rt.drain();

    const out = await rt.get('/applications/SQ-BIG-500');
    expect(out.status).toBe(200);
    expect(Buffer.byteLength(JSON.stringify(out.body))).toBeLessThan(1024 * 1024);
    expect(out.body.outcome).toBe('REJECTED');
    expect(out.body.failedRules).toHaveLength(500);
    const last = out.body.trace.rules.leaves[499].seen;
    expect(last).toMatchObject({ truncated: true, type: 'string', bytes: Buffer.byteLength(JSON.stringify(form.note)) });
    expect((form.note as string).startsWith(last.prefix)).toBe(true);
    expect(await dlqDepths()).toEqual((await dlqDepths()).map(([q]) => [q, 0]));
  }, 180_000);

  it('decides and stores a 一件事 application at the form limit whose five children each read its largest value four times', async () => {
    const codes = ['BIG-A', 'BIG-B', 'BIG-C', 'BIG-D', 'BIG-E'];
    const rules = (code: string) => ({ all: [0, 1, 2, 3].map((i) => ({ id: `${code}-${i}`, description: `已填写说明${i}`, fact: 'form.note', op: 'exists' })) });
    const bundle = sample('gov.catalog.bundle.published', 'business-start-up');
    const post = async (events: unknown) => {
      const out = await rt.post(events);
      expect(out.body.rejected).toEqual([]);
      expect(out.status).toBe(202);
      await rt.drain();
    };
    await post([sample('gov.person.profile.updated', 'resident')]);
    await post([sample('gov.licence.issued', 'resident-id-card')]);
    await post(codes.map((c) => itemEvent(c, `证照 ${c}`, [ID], { rules: rules(c) })));
    await post({ ...bundle, id: `${bundle.id}-big`, data: { ...bundle.data, bundleCode: 'YJS-BIG', items: codes.map((itemCode) => ({ itemCode, required: true })), questions: [] } });
    const form = fullObject('note', LIMITS.formBytes, 4, { enterpriseName: '深圳市大表单科技有限公司' });
    const submitted = bundleApplication('YJS-BIG-1', 'YJS-BIG', {}, form);
    await post({ ...submitted, data: { ...submitted.data, materials: [] } });

    const out = await rt.get('/applications/YJS-BIG-1');
    expect(out.status).toBe(200);
    expect(out.body.status).toBe('APPROVED');
    expect(out.body.children.map((c: any) => [c.itemCode, c.outcome])).toEqual(codes.map((c) => [c, 'APPROVED']));
    expect(await dlqDepths()).toEqual((await dlqDepths()).map(([q]) => [q, 0]));
  }, 120_000);
});
