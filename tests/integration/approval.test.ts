/**
 * 秒批 end to end through the local runtime: reference data and applications posted over signed HTTP,
 * decided by the approval consumer, read back with their traces through GET /applications/{id};
 * supplements, verifications, deadlines on the dev clock; one decision and one outbound event per
 * version however often an application arrives.
 */
import { callsOn, variants } from '#support/calls';
import { sample, useLocal } from '#support/runtime';

// A moment after every sample's submission (2026-11-05 14:30 in Shanghai, a Thursday).
const rt = useLocal('2026-11-05T06:30:00.000Z');

const WANG = '440304198506122460';
const DISHONEST = '92440300MA5JT4W2XW';

const variant = variants('t');
const { postAll, decisionOf, outbound } = callsOn(() => rt);

const instant = sample('gov.application.submitted', 'instant-outdoor-advertising');
const pending = sample('gov.application.submitted', 'pending-materials');
const commitment = sample('gov.application.submitted', 'commitment-no-criminal-record');
const weather = sample('gov.application.submitted', 'instant-weather-certificate');

describe('秒批 through the local runtime', () => {
  it('takes in the reference data: items, profiles, e-licences, credit records', async () => {
    await postAll([
      sample('gov.catalog.item.published', 'weather-certificate'),
      sample('gov.catalog.item.published', 'outdoor-advertising'),
      sample('gov.catalog.item.published', 'no-criminal-record'),
    ]);
    await postAll([sample('gov.person.profile.updated', 'resident'), sample('gov.person.profile.updated', 'resident-futian')]);
    await postAll([sample('gov.enterprise.profile.updated', 'small-exporter')]);
    await postAll([
      sample('gov.licence.issued', 'business-licence'),
      sample('gov.licence.issued', 'resident-id-card'),
      // 王芳's ID card, so that she can apply for a commitment item too.
      variant('gov.licence.issued', 'resident-id-card', {
        licenceNo: 'SFZ-440304-2015-0662810',
        holderId: WANG,
        attributes: { name: '王芳' },
      }),
    ]);
    await postAll([
      sample('gov.credit.updated', 'good-standing'),
      sample('gov.credit.updated', 'person-good-standing'),
      sample('gov.credit.updated', 'dishonest-business'),
    ]);
    await rt.drain();
    expect((await rt.get('/items/CG-0107')).body.version).toBe(3);
  });

  it('(a) approves an instant application at once, with a certificate number and the e-licence waiving its material', async () => {
    await postAll([instant, weather]);
    await rt.drain();
    const d = await decisionOf(instant.data.applicationId);
    expect(d).toMatchObject({
      outcome: 'APPROVED',
      itemCode: 'CG-0107',
      itemVersion: 3,
      certificateNo: `户外宣传品设置许可决定书-${instant.data.applicationId}`,
      materialsWaived: ['M-LICENCE'],
      licencesUsed: [{ materialCode: 'M-LICENCE', licenceNo: 'YYZZ-440300-2021-0083512', licenceType: '营业执照' }],
      reasons: [],
      sequence: 1,
    });
    expect(d.trace.steps.map((s: any) => [s.step, s.result])).toEqual([
      ['item', 'pass'],
      ['credit', 'pass'],
      ['materials', 'pass'],
      ['rules', 'pass'],
      ['mode', 'pass'],
    ]);
    expect(d.trace.rules.result).toBe(true);
    expect(d.latencyMs).toBeGreaterThan(0);
    expect(d.timeLimitCompression).toBeGreaterThan(0);
    expect(d.history).toHaveLength(1);
    expect((await decisionOf(weather.data.applicationId)).outcome).toBe('APPROVED');

    const decided = await outbound('gov.application.decided', instant.data.applicationId);
    expect(decided).toHaveLength(1);
    expect(decided[0]).toMatchObject({
      id: `decision:${instant.data.applicationId}:1`,
      source: '/civicflow',
      data: { outcome: 'APPROVED', certificateNo: d.certificateNo },
    });
  });

  it('(b) accepts a 容缺 case with a supplement deadline, then approves it when the material is supplied', async () => {
    await postAll([pending]);
    await rt.drain();
    const first = await decisionOf(pending.data.applicationId);
    expect(first.outcome).toBe('ACCEPTED_PENDING_MATERIALS');
    expect(first.materialsPending).toEqual([{ code: 'M-CONSENT', name: '建筑物产权人同意书' }]);
    // Three working days after Thursday 2026-11-05 (the day itself not counted): Tuesday 2026-11-10.
    expect(first.supplementDue.date).toBe('2026-11-10');
    expect(first.reasons.map((r: any) => r.code)).toEqual(['MATERIALS_PENDING']);

    await postAll([sample('gov.application.materials.supplemented', 'consent-supplied')]);
    await rt.drain();
    const after = await decisionOf(pending.data.applicationId);
    expect(after).toMatchObject({ outcome: 'APPROVED', sequence: 2, materialsPending: [] });
    expect(after.history.map((h: any) => [h.sequence, h.outcome, h.cause.kind])).toEqual([
      [1, 'ACCEPTED_PENDING_MATERIALS', 'submitted'],
      [2, 'APPROVED', 'supplemented'],
    ]);
    expect(after.trace.steps.map((s: any) => s.step)).toContain('supplement');
    // The first version keeps its own trace and figures in the history: why it was accepted pending materials.
    expect(after.history[0].trace.steps.map((s: any) => s.step)).not.toContain('supplement');
    expect(after.history[0]).toMatchObject({ latencyMs: expect.any(Number), legalDue: expect.anything() });
    const decided = await outbound('gov.application.decided', pending.data.applicationId);
    expect(decided.map((e) => e.id)).toEqual([
      `decision:${pending.data.applicationId}:1`,
      `decision:${pending.data.applicationId}:2`,
    ]);
  });

  it('(c) approves on commitment with a verification due date, revokes on an untruthful report and marks the subject', async () => {
    await postAll([commitment]);
    await rt.drain();
    const approved = await decisionOf(commitment.data.applicationId);
    expect(approved.outcome).toBe('APPROVED_ON_COMMITMENT');
    expect(approved.verificationDue.date > '2026-11-05').toBe(true);
    expect(approved.materialsWaived).toEqual(['M-IDCARD']);

    const untruthful = variant('gov.application.verification.reported', 'untruthful', {
      applicationId: commitment.data.applicationId,
    });
    await postAll([untruthful]);
    await rt.drain();
    const revoked = await decisionOf(commitment.data.applicationId);
    expect(revoked).toMatchObject({ outcome: 'REVOKED', sequence: 2, verification: { truthful: false } });
    expect(revoked.reasons.map((r: any) => r.code)).toEqual(['COMMITMENT_UNTRUTHFUL']);
    const events = await outbound('gov.application.revoked', commitment.data.applicationId);
    expect(events.map((e) => e.id)).toEqual([`revoked:${commitment.data.applicationId}:2`]);

    // The false-commitment mark excludes 张伟 from 告知承诺 on his next application.
    const again = variant('gov.application.submitted', 'commitment-no-criminal-record', {
      applicationId: 'SQ-20261105-900001',
    });
    await postAll([again]);
    await rt.drain();
    const next = await decisionOf('SQ-20261105-900001');
    expect(next.outcome).toBe('MANUAL_REVIEW');
    expect(next.reasons.map((r: any) => r.code)).toContain('COMMITMENT_EXCLUDED');
    expect(next.trace.steps.find((s: any) => s.step === 'credit').notes.join(' ')).toContain('虚假承诺');

    // A second report on a revoked approval is refused, recorded and queryable; nothing changes.
    await postAll([variant('gov.application.verification.reported', 'truthful', { applicationId: commitment.data.applicationId })]);
    await rt.drain();
    const still = await decisionOf(commitment.data.applicationId);
    expect(still.sequence).toBe(2);
    expect(still.refusals.map((r: any) => r.code)).toEqual(['NOT_APPROVED_ON_COMMITMENT']);
    // Listed as its receipt is read: to the department that posted it, not to the window system.
    const as = async (principal: string) => (await rt.get(`/applications/${encodeURIComponent(commitment.data.applicationId)}`, { as: principal })).body;
    expect((await as('/systems/department')).refusals.map((r: any) => r.code)).toEqual(['NOT_APPROVED_ON_COMMITMENT']);
    expect((await as('/systems/window-acceptance')).refusals).toEqual([]);
  });

  it('(d) rejects when a rule is false, naming the rule; (e) a dishonest applicant is rejected or sent to a person as the item says', async () => {
    const outside = variant('gov.application.submitted', 'instant-weather-certificate', {
      applicationId: 'SQ-20261105-900002',
      form: { ...weather.data.form, district: '福田区' },
    });
    const dishonestPoster = variant('gov.application.submitted', 'instant-outdoor-advertising', {
      applicationId: 'SQ-20261105-900003',
      applicant: { kind: 'enterprise', id: DISHONEST, name: '某个体工商户' },
    });
    const dishonestWeather = variant('gov.application.submitted', 'instant-weather-certificate', {
      applicationId: 'SQ-20261105-900004',
      applicant: { kind: 'enterprise', id: DISHONEST, name: '某个体工商户' },
    });
    const unknownItem = variant('gov.application.submitted', 'instant-weather-certificate', {
      applicationId: 'SQ-20261105-900005',
      itemCode: 'XX-9999',
    });
    await postAll([outside, dishonestPoster, dishonestWeather, unknownItem]);
    await rt.drain();

    const rejected = await decisionOf('SQ-20261105-900002');
    expect(rejected.outcome).toBe('REJECTED');
    expect(rejected.reasons).toEqual([expect.objectContaining({ code: 'RULE_FALSE', message: expect.stringContaining('证明地点在本区气象观测范围内') })]);
    expect(rejected.failedRules.map((r: any) => [r.id, r.seen])).toEqual([['R-QX-STATION', '福田区']]);

    const poster = await decisionOf('SQ-20261105-900003');
    expect(poster.outcome).toBe('REJECTED');
    expect(poster.reasons.map((r: any) => r.code)).toContain('CREDIT_DISHONEST');
    const manual = await decisionOf('SQ-20261105-900004');
    expect(manual.outcome).toBe('MANUAL_REVIEW');
    expect(manual.reasons.map((r: any) => r.code)).toEqual(['CREDIT_DISHONEST']);

    const unknown = await decisionOf('SQ-20261105-900005');
    expect(unknown).toMatchObject({ outcome: 'REJECTED', itemVersion: null, reasons: [expect.objectContaining({ code: 'ITEM_UNKNOWN' })] });

    // 否定答复: every REJECTED decision carries its refusal notice, the reasons in Chinese and how to appeal.
    expect(rejected.refusalNotice).toMatchObject({ applicationId: 'SQ-20261105-900002', kind: 'notPermitted', reasons: [expect.objectContaining({ code: 'RULE_FALSE' })] });
    expect(rejected.refusalNotice.text).toEqual(expect.stringContaining('行政复议'));
    expect(rejected.refusalNotice.text).toEqual(expect.stringContaining('12345'));
    expect(unknown.refusalNotice).toMatchObject({ kind: 'notAccepted' });
    expect(manual.refusalNotice).toBeNull();
  });

  it('(f) decides an application once however often it arrives, and records other content under the same id as a conflict', async () => {
    const id = instant.data.applicationId;
    expect((await rt.post(instant)).status).toBe(202); // same event id: de-duplicated at ingest
    await postAll([{ ...instant, id: `${instant.id}-resent` }]); // new event id, same content
    const changed = { ...instant, id: `${instant.id}-changed`, data: { ...instant.data, form: { ...instant.data.form, areaSqm: 19 } } };
    expect((await rt.post(changed)).status).toBe(202);
    await rt.drain();

    const d = await decisionOf(id);
    expect(d.history).toHaveLength(1);
    expect(d.conflicts).toEqual([
      expect.objectContaining({ cause: expect.objectContaining({ id: `${instant.id}-changed` }) }),
    ]);
    expect(d.conflicts[0].applicationHash).not.toBe(d.conflicts[0].storedHash);
    // (h) one outbound decision per version, after redeliveries and the conflict.
    expect(await outbound('gov.application.decided', id)).toHaveLength(1);

    // Copies arriving together may be handled by two pollers at once: still one decision.
    const copies = [1, 2, 3, 4].map((n) => ({ ...weather, id: `${weather.id}-copy${n}`, data: { ...weather.data, applicationId: 'SQ-20261105-900008' } }));
    await postAll(copies);
    await rt.drain();
    expect((await decisionOf('SQ-20261105-900008')).history).toHaveLength(1);
    expect(await outbound('gov.application.decided', 'SQ-20261105-900008')).toHaveLength(1);
  });

  it('records a refused supplement: for a case not pending, and for an application nobody submitted', async () => {
    await postAll([
      variant('gov.application.materials.supplemented', 'consent-supplied', { applicationId: instant.data.applicationId }),
      variant('gov.application.materials.supplemented', 'consent-supplied', { applicationId: 'SQ-NEVER-SUBMITTED' }),
    ]);
    await rt.drain();
    const approved = await decisionOf(instant.data.applicationId);
    expect(approved.sequence).toBe(1);
    expect(approved.refusals.map((r: any) => r.code)).toEqual(['NOT_PENDING_MATERIALS']);
    const unknown = await rt.get('/applications/SQ-NEVER-SUBMITTED');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatch(/no decision for application SQ-NEVER-SUBMITTED/);
    expect(unknown.body.refusals.map((r: any) => r.code)).toEqual(['APPLICATION_UNKNOWN']);
    const queues = await rt.dev('GET', '/_dev/queues');
    expect(queues.body.approval.dlq).toBe(0);
  });

  it('(g) terminates a 容缺 case whose deadline passed and flags an overdue verification once', async () => {
    const late = variant('gov.application.submitted', 'pending-materials', { applicationId: 'SQ-20261105-900006' });
    const unverified = variant('gov.application.submitted', 'commitment-no-criminal-record', {
      applicationId: 'SQ-20261105-900007',
      applicant: { kind: 'person', id: WANG, name: '王芳' },
      materials: [
        { code: 'M-IDCARD', licenceNo: 'SFZ-440304-2015-0662810' },
        { code: 'M-COMMIT', provided: true },
      ],
    });
    await postAll([late, unverified]);
    await rt.drain();
    expect((await decisionOf('SQ-20261105-900006')).outcome).toBe('ACCEPTED_PENDING_MATERIALS');
    expect((await decisionOf('SQ-20261105-900007')).outcome).toBe('APPROVED_ON_COMMITMENT');

    try {
      await rt.dev('POST', '/_dev/clock', { advance: '30d' });
      const fired = await rt.dev('POST', '/_dev/schedules/approval-deadlines');
      expect(fired.status).toBe(200);
      expect(fired.body.result).toMatchObject({ terminated: 1, flagged: 1 });
      const again = await rt.dev('POST', '/_dev/schedules/approval-deadlines');
      expect(again.body.result).toMatchObject({ terminated: 0, flagged: 0 });
      await rt.drain();
    } finally {
      await rt.dev('POST', '/_dev/clock', { set: '2026-11-05T06:30:00.000Z' });
    }

    const terminated = await decisionOf('SQ-20261105-900006');
    expect(terminated).toMatchObject({ outcome: 'TERMINATED', sequence: 2 });
    expect(terminated.reasons.map((r: any) => r.code)).toEqual(['SUPPLEMENT_DEADLINE_MISSED']);
    expect((await outbound('gov.application.terminated', 'SQ-20261105-900006')).map((e) => e.id)).toEqual([
      'terminated:SQ-20261105-900006:2',
    ]);
    const flagged = await decisionOf('SQ-20261105-900007');
    expect(flagged.outcome).toBe('APPROVED_ON_COMMITMENT');
    expect(flagged.verificationOverdue).not.toBeNull();
    expect(await outbound('gov.application.verification.overdue', 'SQ-20261105-900007')).toHaveLength(1);
    // The earlier supplemented case was approved before its deadline: untouched.
    expect((await decisionOf(pending.data.applicationId)).outcome).toBe('APPROVED');
  });

  it('(h) publishes exactly one outbound event per decision version, and the figures add up', async () => {
    const all = (await rt.dev('GET', '/_dev/outbound')).body.events.filter((e: any) => e.type.startsWith('gov.application.'));
    const ids = all.map((e: any) => e.id);
    expect(new Set(ids).size).toBe(ids.length);

    const figures = await rt.get('/approval/figures?itemCode=CG-0107');
    expect(figures.status).toBe(200);
    // instant, pending (supplemented), dishonest poster, late (terminated).
    expect(figures.body).toMatchObject({
      itemCode: 'CG-0107',
      decisions: 4,
      instantItemDecisions: 4,
      instantApprovals: 2,
      instantApprovalRate: 0.5,
      byOutcome: expect.objectContaining({ APPROVED: 2, REJECTED: 1, TERMINATED: 1 }),
    });
  });
});
