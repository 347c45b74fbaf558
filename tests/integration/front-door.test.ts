/**
 * The front door through the local runtime: dates as upstream systems send them (asOf as a calendar date;
 * a stale update has no effect and says so), event receipts from every capability in one vocabulary, a
 * source's refusals since a time, who may read what (a source its own events only; person data only to the
 * entitled), the credit record with the product's own marks, structured decision history and the
 * calculator's dishonest exclusion; a post whose time ran out waiting on the storage answered 503 with
 * Retry-After, its call cut off there logged once as such, and its retry applied once.
 */
import { readFileSync, statSync } from 'node:fs';
import { devKey, signedHeaders } from '#auth/signature';
import { callsOn, variants } from '#support/calls';
import { startLocal, sample, type Running } from '#support/runtime';

let rt: Running;
beforeAll(async () => {
  // The credit system is not entitled to person data on this stage (a stage narrowing the default list).
  const personDataReaders = ['/auditors/district', '/systems/data-sharing', '/systems/e-licence', '/systems/window-acceptance', '/systems/department'];
  rt = await startLocal({ env: { CIVICFLOW_LOCAL_CONFIG: JSON.stringify({ personDataReaders }) } });
  // Tuesday 2026-11-10, 10:00 in Shanghai: after every sample's own time.
  await rt.dev('POST', '/_dev/clock', { set: '2026-11-10T02:00:00.000Z' });
}, 120_000);
afterAll(async () => {
  await rt?.stop();
});

const ZHANG = '440305199003071236';
const WANG = '440304198506122460';
const EXPORTER = '91440300MA5G2K8L1P';
const DISHONEST = '92440300MA5JT4W2XW';
const AUDITOR = '/auditors/district';

const variant = variants('fd');
const { postAll: accepted } = callsOn(() => rt);

async function receipt(e: { id: string; source: string }, as = AUDITOR): Promise<any> {
  const out = await rt.get(`/events/${encodeURIComponent(e.id)}/receipt?source=${encodeURIComponent(e.source)}`, { as });
  expect([e.id, out.status]).toEqual([e.id, 200]);
  return out.body;
}

describe('the front door', () => {
  beforeAll(async () => {
    await accepted([
      sample('gov.catalog.item.published', 'weather-certificate'),
      sample('gov.catalog.item.published', 'outdoor-advertising'),
      sample('gov.catalog.item.published', 'no-criminal-record'),
    ]);
    // Profiles as data-sharing platforms send them: asOf a calendar date.
    await accepted([
      variant('gov.person.profile.updated', 'resident', { asOf: '2026-11-01' }),
      variant('gov.person.profile.updated', 'resident-futian', { asOf: '2026-11-01' }),
    ]);
    await accepted([variant('gov.enterprise.profile.updated', 'small-exporter', { asOf: '2026-11-01' })]);
    await accepted([
      sample('gov.licence.issued', 'business-licence'),
      sample('gov.licence.issued', 'resident-id-card'),
      variant('gov.licence.issued', 'resident-id-card', { licenceNo: 'SFZ-440304-2015-0662810', holderId: WANG, attributes: { name: '王芳' } }),
    ]);
    await accepted([sample('gov.credit.updated', 'good-standing'), variant('gov.credit.updated', 'person-good-standing', { subjectId: WANG, asOf: '2026-11-01' })]);
    await rt.drain();
  }, 120_000);

  it('takes asOf as a date (the start of that local day); an older update has no effect and is recorded as stale', async () => {
    const marked = variant('gov.credit.updated', 'person-good-standing', { asOf: '2026-10-08', rating: 'B', falseCommitment: true });
    await accepted([marked]);
    await rt.drain();
    expect(await receipt(marked)).toMatchObject({
      outcome: 'applied',
      effect: { resource: 'credit', id: ZHANG, href: `/credit/${ZHANG}` },
      details: { asOf: '2026-10-07T16:00:00.000Z' },
    });

    const older = variant('gov.credit.updated', 'person-good-standing', { asOf: '2026-10-01', falseCommitment: false });
    await accepted([older]);
    await rt.drain();
    expect(await receipt(older)).toMatchObject({
      outcome: 'noEffect',
      kind: 'STALE',
      kindDescription: expect.stringMatching(/older than what is stored/i),
      details: { asOf: '2026-09-30T16:00:00.000Z', storedAsOf: '2026-10-08' },
    });
    const record = (await rt.get(`/credit/${ZHANG}`)).body;
    expect(record.upstream).toMatchObject({ asOf: '2026-10-08', asOfAt: '2026-10-07T16:00:00.000Z', rating: 'B', falseCommitment: true, event: { source: '/systems/credit', id: marked.id } });

    // The mark got in, so the subject is not approved on commitment (it was, when dates were refused).
    const application = variant('gov.application.submitted', 'commitment-no-criminal-record', { applicationId: 'FD-COMMIT-ZHANG' });
    await accepted([application]);
    await rt.drain();
    const decision = (await rt.get('/applications/FD-COMMIT-ZHANG')).body;
    expect(decision.outcome).toBe('MANUAL_REVIEW');
    expect(decision.reasons.map((r: any) => r.code)).toContain('COMMITMENT_EXCLUDED');

    // The same instant written as a timestamp is not older: it applies.
    const same = variant('gov.credit.updated', 'person-good-standing', { asOf: '2026-10-08T00:00:00+08:00', rating: 'A', falseCommitment: true });
    await accepted([same]);
    await rt.drain();
    expect((await receipt(same)).outcome).toBe('applied');
    expect((await rt.get(`/credit/${ZHANG}`)).body.upstream.rating).toBe('A');
  });

  it('answers for 秒批 events: applied with a pointer, a duplicate, a conflict, refused later events', async () => {
    const instant = variant('gov.application.submitted', 'instant-outdoor-advertising', { applicationId: 'FD-A1' });
    await accepted([instant]);
    await rt.drain();
    const applied = await receipt(instant);
    expect(applied).toMatchObject({
      source: '/systems/window-acceptance',
      id: instant.id,
      type: 'gov.application.submitted',
      outcome: 'applied',
      effect: { resource: 'application', id: 'FD-A1', version: 1, state: 'APPROVED', href: '/applications/FD-A1' },
    });
    expect(Date.parse(applied.acceptedAt)).toBeLessThanOrEqual(Date.parse(applied.processedAt));

    const again = { ...instant, id: `${instant.id}-again` };
    const other = { ...instant, id: `${instant.id}-other`, data: { ...instant.data, form: { ...instant.data.form, areaSqm: 99 } } };
    const notPending = variant('gov.application.materials.supplemented', 'consent-supplied', { applicationId: 'FD-A1' });
    await accepted([again, other, notPending]);
    await rt.drain();
    expect(await receipt(again)).toMatchObject({ outcome: 'noEffect', kind: 'DUPLICATE', effect: { id: 'FD-A1' } });
    expect(await receipt(other)).toMatchObject({ outcome: 'refused', kind: 'APPLICATION_CONFLICT', reason: expect.stringContaining('冲突') });
    expect(await receipt(notPending)).toMatchObject({ outcome: 'refused', kind: 'NOT_PENDING_MATERIALS', reason: expect.stringContaining('APPROVED') });

    // Redelivered (posted again as it was): accepted, and its receipt is the first one, unchanged.
    expect((await rt.post(instant)).status).toBe(202);
    await rt.drain();
    expect(await receipt(instant)).toEqual(applied);
  });

  it('answers 503 with Retry-After when its time runs out waiting on the storage, and the retry applies the event once', async () => {
    const event = variant('gov.application.submitted', 'instant-outdoor-advertising', { applicationId: 'FD-T1' });
    const body = JSON.stringify([event]);
    const jvm = (await rt.dev('GET', '/_dev/dynamo')).body;
    expect(jvm).toMatchObject({ mode: 'up' });
    // DynamoDB Local stopped, not killed: it takes connections and answers nothing, so ingest's DynamoDB call
    // waits until middy ends the invocation at the function's timeout (10 s) and cuts the call off.
    process.kill(jvm.pid, 'SIGSTOP');
    // What the runtime logs from here on is this request's and its retry's: the earlier tests' lines are not read.
    const mark = statSync(rt.logFile).size;
    let first: { status: number; retryAfter: string | null; body: any };
    try {
      const res = await fetch(`${rt.url}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents-batch+json', ...signedHeaders(event.source, devKey(event.source), 'POST', '/events', body) },
        body,
      });
      first = { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
    } finally {
      process.kill(jvm.pid, 'SIGCONT');
    }
    expect(first).toEqual({
      status: 503,
      retryAfter: '2',
      body: { error: 'the storage is unavailable for now: send the same request again after 2 s' },
    });
    // The write cut off may or may not have been made when the JVM went on; the retry is accepted either way
    // (recorded, or found recorded and queued again), and the event takes effect once.
    const retried = await rt.post(event);
    expect({ status: retried.status, body: retried.body }).toEqual({ status: 202, body: { accepted: [event.id], rejected: [] } });
    await rt.drain();
    expect(await receipt(event)).toMatchObject({ outcome: 'applied', effect: { resource: 'application', id: 'FD-T1', version: 1, state: 'APPROVED' } });
    const decision = (await rt.get('/applications/FD-T1')).body;
    expect({ outcome: decision.outcome, versions: decision.history.length }).toEqual({ outcome: 'APPROVED', versions: 1 });
    // The call the end cut off is logged once, at WARN, as what it is; the only failure logged since the
    // mark is the timeout (503).
    const log = readFileSync(rt.logFile);
    // A line the mark fell inside of (written in two chunks) is the earlier tests': it is left out.
    const lines = log
      .subarray(mark === 0 || log[mark - 1] === 0x0a ? mark : log.indexOf(0x0a, mark) + 1)
      .toString('utf8')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level?: string; message?: string; status?: number; error?: { name?: string } });
    expect(lines.filter((l) => l.message === 'cut off at the timeout').map((l) => [l.level, l.error?.name])).toEqual([['WARN', 'AbortError']]);
    expect(lines.filter((l) => l.level === 'ERROR' && l.error?.name === 'AbortError')).toEqual([]);
    expect(lines.filter((l) => l.message === 'request failed').map((l) => [l.level, l.status, l.error?.name])).toEqual([['ERROR', 503, 'TimeoutError']]);
  }, 90_000);

  it('keeps each version\'s structured fields in the decision history, not only its message', async () => {
    const pending = variant('gov.application.submitted', 'pending-materials', { applicationId: 'FD-P1' });
    await accepted([pending]);
    await rt.drain();
    const supplement = variant('gov.application.materials.supplemented', 'consent-supplied', { applicationId: 'FD-P1' });
    await accepted([supplement]);
    await rt.drain();
    const d = (await rt.get('/applications/FD-P1')).body;
    expect(d.history).toHaveLength(2);
    expect(d.history[0]).toMatchObject({
      sequence: 1,
      outcome: 'ACCEPTED_PENDING_MATERIALS',
      reasonCodes: ['MATERIALS_PENDING'],
      supplementDue: { date: '2026-11-13', dueAt: expect.any(String) },
      materialsPending: [{ code: 'M-CONSENT', name: '建筑物产权人同意书' }],
      certificateNo: null,
      cause: { kind: 'submitted', id: pending.id },
    });
    expect(d.history[1]).toMatchObject({ sequence: 2, outcome: 'APPROVED', reasonCodes: [], materialsPending: [], supplementDue: null, certificateNo: expect.stringContaining('FD-P1') });
    expect(await receipt(supplement)).toMatchObject({ outcome: 'applied', effect: { resource: 'application', version: 2, state: 'APPROVED' } });
  });

  it('shows the product\'s own credit marks with their cause: each revocation\'s falseCommitment names its application', async () => {
    // Two approvals on commitment of one subject, both before either is verified; then both revoked.
    const commitment = (applicationId: string) =>
      variant('gov.application.submitted', 'commitment-no-criminal-record', {
        applicationId,
        applicant: { kind: 'person', id: WANG, name: '王芳' },
        materials: [{ code: 'M-IDCARD', licenceNo: 'SFZ-440304-2015-0662810' }, { code: 'M-COMMIT', provided: true }],
      });
    await accepted([commitment('FD-COMMIT-WANG'), commitment('FD-COMMIT-WANG-2')]);
    await rt.drain();
    expect((await rt.get('/applications/FD-COMMIT-WANG')).body.outcome).toBe('APPROVED_ON_COMMITMENT');
    expect((await rt.get('/applications/FD-COMMIT-WANG-2')).body.outcome).toBe('APPROVED_ON_COMMITMENT');
    const untruthful = variant('gov.application.verification.reported', 'untruthful', { applicationId: 'FD-COMMIT-WANG' });
    await accepted([untruthful]);
    await rt.drain();
    const untruthfulToo = variant('gov.application.verification.reported', 'untruthful', { applicationId: 'FD-COMMIT-WANG-2' });
    await accepted([untruthfulToo]);
    await rt.drain();
    // The first verification posted again as it was: its first receipt stands, and its application keeps one mark.
    await accepted([untruthful]);
    await rt.drain();
    expect(await receipt(untruthful)).toMatchObject({ outcome: 'applied', effect: { version: 2, state: 'REVOKED' } });
    expect(await receipt(untruthfulToo)).toMatchObject({ outcome: 'applied', effect: { version: 2, state: 'REVOKED' } });
    const mark = (applicationId: string) => ({
      kind: 'falseCommitment',
      setBy: 'civicflow',
      at: expect.any(String),
      cause: { reason: 'COMMITMENT_UNTRUTHFUL', applicationId, href: `/applications/${applicationId}` },
    });
    const record = await rt.get(`/credit/${WANG}`);
    expect(record.status).toBe(200);
    expect(record.body).toEqual({
      subjectId: WANG,
      subjectKind: 'person',
      upstream: expect.objectContaining({ asOf: '2026-11-01', falseCommitment: false }),
      marks: [mark('FD-COMMIT-WANG'), mark('FD-COMMIT-WANG-2')],
      effective: expect.objectContaining({ falseCommitment: true, dishonest: false }),
    });
    // The marks exclude the subject from commitment in a later decision.
    await accepted([commitment('FD-COMMIT-WANG-3')]);
    await rt.drain();
    const after = (await rt.get('/applications/FD-COMMIT-WANG-3')).body;
    expect(after.outcome).toBe('MANUAL_REVIEW');
    expect(after.reasons.map((r: any) => r.code)).toContain('COMMITMENT_EXCLUDED');
    expect((await rt.get(`/credit/${EXPORTER}`)).body).toMatchObject({ subjectKind: 'enterprise', marks: [], effective: { dishonest: false } });
    expect((await rt.get('/credit/440305199003071230')).status).toBe(400);
    // A mistyped ID number that passes the credit-code check is judged as an ID number, as the edge judges it.
    expect(await rt.get('/credit/440305199003070031')).toMatchObject({ status: 400, body: { error: expect.stringContaining('its check digit is wrong') } });
    expect((await rt.get('/credit/91440300MA5H7R3N0Y')).status).toBe(404);
  });

  it('answers for 好差评 events: a review kept for its case, a second review, a step by another department', async () => {
    const early = variant('gov.review.submitted', 'good-review', { caseId: 'FD-C1', reviewId: 'FD-R1' });
    await accepted([early]);
    await rt.drain();
    expect(await receipt(early)).toMatchObject({ outcome: 'pending', kind: 'PARKED', effect: { resource: 'case', id: 'FD-C1' } });
    const done = variant('gov.case.completed', 'window-case', { caseId: 'FD-C1' });
    await accepted([done]);
    await rt.drain();
    expect(await receipt(done)).toMatchObject({ outcome: 'applied', effect: { resource: 'case', id: 'FD-C1', href: '/cases/FD-C1' } });
    expect(await receipt(early)).toMatchObject({ outcome: 'applied', effect: { state: 'reviewed' }, details: { reviewId: 'FD-R1', level: 5 } });

    const second = variant('gov.review.submitted', 'good-review', { caseId: 'FD-C1', reviewId: 'FD-R2' });
    const badCase = variant('gov.case.completed', 'window-case', { caseId: 'FD-C2', departmentCode: '440305-CGJ', itemCode: 'CG-0107', applicantId: EXPORTER });
    await accepted([second]);
    await accepted([badCase]);
    await rt.drain();
    expect(await receipt(second)).toMatchObject({ outcome: 'refused', kind: 'DUPLICATE_REVIEW', reason: expect.stringContaining('一事一评') });
    const bad = variant('gov.review.submitted', 'bad-review', { caseId: 'FD-C2', reviewId: 'FD-R3' });
    await accepted([bad]);
    await rt.drain();
    const wrongDepartment = variant('gov.rectification.updated', 'acknowledge', { caseId: 'FD-C2', actor: { departmentCode: '440305-QXJ', staffId: 'S-1' }, at: '2026-11-09T09:00:00+08:00' });
    const acknowledge = variant('gov.rectification.updated', 'acknowledge', { caseId: 'FD-C2' });
    await accepted([wrongDepartment, acknowledge]);
    await rt.drain();
    expect(await receipt(wrongDepartment)).toMatchObject({ outcome: 'refused', kind: 'NOT_OWNING_DEPARTMENT', effect: { resource: 'rectification', href: '/rectifications/FD-C2' } });
    expect(await receipt(acknowledge)).toMatchObject({ outcome: 'applied', effect: { resource: 'rectification', state: 'IN_PROGRESS' } });
  });

  it('answers for 免申即享 and reference-data events, entitlement refusals included', async () => {
    await accepted([sample('gov.policy.published', 'export-credit-insurance')]);
    await rt.drain();
    const unknownPolicy = variant('gov.policy.confirmed', 'one-click-confirmation', { policyId: 'POL-NONE' });
    const notEntitled = variant('gov.policy.confirmed', 'one-click-confirmation', { creditCode: DISHONEST });
    // Paid before it was confirmed: dated before the clock (the sample is of 11-18, after it).
    const tooEarly = variant('gov.policy.disbursed', 'premium-paid', { at: '2026-11-10T09:00:00+08:00' });
    await accepted([unknownPolicy, notEntitled, tooEarly]);
    await rt.drain();
    const confirmation = variant('gov.policy.confirmed', 'one-click-confirmation');
    await accepted([confirmation]);
    await rt.drain();
    const twice = variant('gov.policy.confirmed', 'one-click-confirmation');
    await accepted([twice]);
    await rt.drain();
    expect(await receipt(unknownPolicy)).toMatchObject({ outcome: 'refused', kind: 'POLICY_UNKNOWN' });
    expect(await receipt(notEntitled)).toMatchObject({ outcome: 'refused', kind: 'ENTITLEMENT_UNKNOWN', effect: { resource: 'entitlement', id: `POL-2026-EXPORT-INS/${DISHONEST}` } });
    expect(await receipt(tooEarly)).toMatchObject({ outcome: 'refused', kind: 'NOT_GRANTED_OR_CONFIRMED' });
    expect(await receipt(confirmation)).toMatchObject({ outcome: 'applied', effect: { resource: 'entitlement', state: 'CONFIRMED' } });
    expect(await receipt(twice)).toMatchObject({ outcome: 'noEffect', kind: 'DUPLICATE' });

    const item = sample('gov.catalog.item.published', 'weather-certificate');
    const replay = { ...item, id: `${item.id}-replay` };
    const conflict = { ...item, id: `${item.id}-conflict`, data: { ...item.data, name: '气象证明（改）' } };
    await accepted([replay, conflict]);
    await rt.drain();
    expect(await receipt(replay)).toMatchObject({ outcome: 'noEffect', kind: 'REPLAY', effect: { resource: 'item', version: item.data.version } });
    expect(await receipt(conflict)).toMatchObject({ outcome: 'refused', kind: 'VERSION_CONFLICT' });
    expect(await receipt(item)).toMatchObject({ outcome: 'applied', effect: { href: `/items/${item.data.itemCode}?version=${item.data.version}` } });
  });

  it('lists a source\'s refusals since a time, oldest first, a page at a time', async () => {
    const all = await rt.get('/refusals?source=%2Fsystems%2Fwindow-acceptance&since=2026-11-01');
    expect(all.status).toBe(200);
    expect(all.body.since).toBe('2026-10-31T16:00:00.000Z');
    expect(all.body.refusals.map((r: any) => r.kind).sort()).toEqual(['APPLICATION_CONFLICT', 'NOT_PENDING_MATERIALS']);
    const times = all.body.refusals.map((r: any) => r.processedAt);
    expect(times).toEqual([...times].sort());
    for (const r of all.body.refusals) expect(r).toMatchObject({ outcome: 'refused', kindDescription: expect.any(String), reason: expect.any(String) });
    const policy = await rt.get('/refusals?since=2026-11-01', { as: '/systems/policy' });
    expect(policy.body.refusals.map((r: any) => r.kind).sort()).toEqual(['ENTITLEMENT_UNKNOWN', 'NOT_GRANTED_OR_CONFIRMED', 'POLICY_UNKNOWN']);
    const first = await rt.get('/refusals?since=2026-11-01&limit=2', { as: '/systems/policy' });
    expect(first.body.refusals).toHaveLength(2);
    const rest = await rt.get(`/refusals?since=2026-11-01&limit=2&cursor=${first.body.cursor}`, { as: '/systems/policy' });
    expect([...first.body.refusals, ...rest.body.refusals].map((r: any) => r.id)).toEqual(policy.body.refusals.map((r: any) => r.id));
    const later = await rt.get(`/refusals?since=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`, { as: '/systems/policy' });
    expect(later.body.refusals).toEqual([]);
    // An instant past 9999 in UTC ("+010000-…") would sort before every refusal and list them all.
    for (const bad of ['since=yesterday', 'since=2026-02-30', 'since=2026-11-01&limit=0', 'since=2026-11-01&cursor=nope', 'since=9999-12-31T23:59:59-23:59', 'since=0050-01-01']) {
      const out = await rt.get(`/refusals?${bad}`, { as: '/systems/policy' });
      expect([bad, out.status]).toEqual([bad, 400]);
    }
    expect((await rt.get('/refusals?since=2026-11-01')).status).toBe(400); // the auditor names the source
  });

  it('lets a source read only its own events, receipts and refusals; the auditor reads all', async () => {
    const profile = variant('gov.person.profile.updated', 'resident', { asOf: '2026-11-02' });
    await accepted([profile]);
    await rt.drain();
    const path = `/events/${profile.id}?source=${encodeURIComponent(profile.source)}`;
    for (const p of [path, `/events/${profile.id}/receipt?source=${encodeURIComponent(profile.source)}`, '/refusals?source=%2Fsystems%2Fdata-sharing&since=2026-11-01']) {
      const out = await rt.get(p, { as: '/systems/credit' });
      expect([p, out.status]).toEqual([p, 403]);
      expect(out.body.error).toBe('/systems/credit may read only its own events and receipts, not those of /systems/data-sharing');
    }
    const own = await rt.get(path, { as: '/systems/data-sharing' });
    expect(own.status).toBe(200);
    expect(own.body.event.data.idNumber).toBe(ZHANG);
    // Without source, a source reads its own.
    expect((await rt.get(`/events/${profile.id}`, { as: '/systems/data-sharing' })).status).toBe(200);
    expect((await rt.get(path)).body.event.data).toMatchObject({ idNumber: ZHANG, name: '张伟', birthDate: '1990-03-07' });
  });

  it('masks person data for readers not entitled to it', async () => {
    // The credit system (not entitled on this stage) reads its own event about a person: masked.
    const credit = variant('gov.credit.updated', 'person-good-standing', { asOf: '2026-11-03' });
    await accepted([credit]);
    await rt.drain();
    const own = await rt.get(`/events/${credit.id}`, { as: '/systems/credit' });
    expect(own.status).toBe(200);
    expect(own.body.event.data.subjectId).toBe(`440305********${ZHANG.slice(-4)}`);
    expect(JSON.stringify(own.body)).not.toContain(ZHANG);
    expect((await rt.get(`/credit/${ZHANG}`, { as: '/systems/credit' })).status).toBe(403);
    expect((await rt.get(`/credit/${EXPORTER}`, { as: '/systems/credit' })).status).toBe(200);
    // A review channel reads a case: the applicant's ID number is masked; the department sees it.
    const seen = await rt.get('/cases/FD-C1', { as: '/systems/review-channel' });
    expect(seen.status).toBe(200);
    expect(seen.body.case.applicantId).toMatch(/^440306\*{8}\d{3}[\dX]$/);
    expect(JSON.stringify(seen.body)).not.toContain('440306200002290711');
    expect((await rt.get('/cases/FD-C1', { as: '/systems/department' })).body.case.applicantId).toBe('440306200002290711');
  });

  it('names the dishonest exclusion first in every policy it applies to, even when criteria fail too', async () => {
    const dishonestLarge = variant('gov.enterprise.profile.updated', 'small-exporter', { creditCode: DISHONEST, name: '某个体工商户', size: 'large', asOf: '2026-11-01' });
    await accepted([dishonestLarge]);
    await accepted([sample('gov.credit.updated', 'dishonest-business')]);
    await rt.drain();
    const calc = (await rt.get(`/enterprises/${DISHONEST}/policies`)).body;
    expect(calc.dishonest).toBe(true);
    const p = calc.policies.find((x: any) => x.policyId === 'POL-2026-EXPORT-INS');
    expect(p.explanation).toMatchObject({
      excluded: 'dishonest',
      outcome: 'excluded',
      reason: 'DISHONEST',
      exclusions: ['dishonest'],
      criteriaOutcome: 'ineligible',
      failed: [expect.objectContaining({ id: 'C-SIZE' })],
    });
    expect(Object.keys(p.explanation)[0]).toBe('excluded');
    const honest = (await rt.get(`/enterprises/${EXPORTER}/policies`)).body.policies.find((x: any) => x.policyId === 'POL-2026-EXPORT-INS');
    expect(honest.explanation).toMatchObject({ outcome: 'eligible', exclusions: [], criteriaOutcome: 'eligible' });
    expect(honest.explanation.excluded).toBeUndefined();
  });

  it('answers every 100-event post with 202 while the consumers work through a backlog, and records every event', async () => {
    const app = sample('gov.application.submitted', 'instant-weather-certificate');
    const done = sample('gov.case.completed', 'window-case');
    const apps = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({ ...app, id: `${prefix}-${i}`, data: { ...app.data, applicationId: `${prefix}-A${i}` } }));
    const cases = Array.from({ length: 400 }, (_, i) => ({ ...done, id: `fd-backlog-case-${i}`, data: { ...done.data, caseId: `FD-BC${i}` } }));
    // The backlog: 1,200 events posted four requests at a time, as fast as the API takes them.
    const backlog = [...apps('fd-backlog', 800), ...cases];
    const batches = Array.from({ length: backlog.length / 100 }, (_, k) => backlog.slice(k * 100, k * 100 + 100));
    for (let k = 0; k < batches.length; k += 4) {
      for (const out of await Promise.all(batches.slice(k, k + 4).map((b) => rt.post(b)))) expect(out.status).toBe(202);
    }
    // Posts while it drains, each answered once: no retry hides a 5xx here.
    const probes = apps('fd-probe', 500);
    for (let k = 0; k < 5; k++) {
      const queued = Object.values((await rt.dev('GET', '/_dev/queues')).body as Record<string, { visible: number; inFlight: number }>).reduce((n, q) => n + q.visible + q.inFlight, 0);
      const out = await rt.post(probes.slice(k * 100, k * 100 + 100), { retries: 0 });
      expect([k, out.status, out.body.accepted?.length]).toEqual([k, 202, 100]);
      if (k === 0) expect(queued).toBeGreaterThan(100);
    }
    await rt.drain(180_000);
    for (const e of [probes[0], probes[499], backlog[1199]]) expect((await receipt(e)).outcome).toBe('applied');
    const depths = (await rt.dev('GET', '/_dev/queues')).body as Record<string, { dlq: number }>;
    for (const [q, d] of Object.entries(depths)) expect([q, d.dlq]).toEqual([q, 0]);
  }, 240_000);
});
