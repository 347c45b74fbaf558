import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { InboundType } from '#topology';
import { validateData } from '#contract/envelope';
import { makeCreditCode, makeIdNumber } from '#contract/identifiers';

type Data = Record<string, any>;

const dataOf = (rel: string): Data =>
  (JSON.parse(readFileSync(fileURLToPath(new URL(`../../../events/samples/${rel}`, import.meta.url)), 'utf8')) as { data: Data }).data;

const SAMPLE: Record<InboundType, string> = {
  'gov.catalog.item.published': 'gov.catalog.item.published/outdoor-advertising.json',
  'gov.catalog.bundle.published': 'gov.catalog.bundle.published/business-start-up.json',
  'gov.policy.published': 'gov.policy.published/export-credit-insurance.json',
  'gov.policy.withdrawn': 'gov.policy.withdrawn/withdraw-social-insurance.json',
  'gov.policy.confirmed': 'gov.policy.confirmed/one-click-confirmation.json',
  'gov.policy.disbursed': 'gov.policy.disbursed/premium-paid.json',
  'gov.policy.objection.filed': 'gov.policy.objection.filed/third-party.json',
  'gov.policy.objection.resolved': 'gov.policy.objection.resolved/upheld.json',
  'gov.policy.recovered': 'gov.policy.recovered/overpayment.json',
  'gov.enterprise.profile.updated': 'gov.enterprise.profile.updated/small-exporter.json',
  'gov.person.profile.updated': 'gov.person.profile.updated/resident.json',
  'gov.licence.issued': 'gov.licence.issued/resident-id-card.json',
  'gov.licence.revoked': 'gov.licence.revoked/licence-cancelled.json',
  'gov.credit.updated': 'gov.credit.updated/good-standing.json',
  'gov.application.submitted': 'gov.application.submitted/instant-outdoor-advertising.json',
  'gov.application.materials.supplemented': 'gov.application.materials.supplemented/consent-supplied.json',
  'gov.application.verification.reported': 'gov.application.verification.reported/truthful.json',
  'gov.application.reviewed': 'gov.application.reviewed/rejected.json',
  'gov.case.completed': 'gov.case.completed/window-case.json',
  'gov.review.submitted': 'gov.review.submitted/good-review.json',
  'gov.rectification.updated': 'gov.rectification.updated/return-visit.json',
  'gov.hardcase.reported': 'gov.hardcase.reported/hotline.json',
  'gov.hardcase.updated': 'gov.hardcase.updated/escalate.json',
};

const ID = makeIdNumber('440305', '19900307', '123');
const BAD_ID = `${ID.slice(0, 17)}${ID[17] === '0' ? '1' : '0'}`;
const CODE = makeCreditCode('91440300MA5G2K8L1');
const BAD_CODE = `${CODE.slice(0, 17)}${CODE[17] === '0' ? '1' : '0'}`;
const ID_MSG = /valid 18-character ID number/;
const CODE_MSG = /valid 18-character unified social credit code/;

/** The paths named (one, or every field that could have been given), and the first error's message. */
type Case = [InboundType, string, (d: Data) => void, string | string[], RegExp];

const BUNDLE = 'gov.catalog.bundle.published' as const;

const cases: Case[] = [
  // 一件事 bundles: the field that causes each problem is named
  [BUNDLE, 'duplicate item code', (d) => (d.items[3].itemCode = 'QYKB-YZKZ'), 'data.items[3].itemCode', /duplicate item code "QYKB-YZKZ" \(first at items\[1\]\)/],
  [BUNDLE, 'after naming an item outside the bundle', (d) => (d.items[4].after = ['QYKB-SLDJ', 'QYKB-GJJ']), 'data.items[4].after[1]', /"QYKB-GJJ", which is not an item of this bundle/],
  [BUNDLE, 'after following itself', (d) => (d.items[0].after = ['QYKB-SLDJ']), 'data.items[0].after[0]', /cycle of after: QYKB-SLDJ → QYKB-SLDJ/],
  [BUNDLE, 'after cycle through two items', (d) => (d.items[0].after = ['QYKB-YZKZ']), 'data.items[1].after[0]', /cycle of after: QYKB-SLDJ → QYKB-YZKZ → QYKB-SLDJ/],
  [BUNDLE, 'appliesWhen with a bad operator', (d) => (d.items[2].appliesWhen.op = 'equals'), 'data.items[2].appliesWhen.op', /eq/],
  [BUNDLE, 'appliesWhen with a fact outside its roots', (d) => (d.items[3].appliesWhen.any[1].fact = 'person.birthDate'), 'data.items[3].appliesWhen.any[1].fact', /answers, applicant, enterprise, form, licence, credit, now/],
  [BUNDLE, 'appliesWhen asking an answer no question asks', (d) => (d.items[3].appliesWhen.any[0].fact = 'answers.staffCount'), 'data.items[3].appliesWhen.any[0].fact', /no question with id "staffCount"/],
  [BUNDLE, 'questions missing while appliesWhen reads answers', (d) => delete d.questions, 'data.questions', /is required: appliesWhen reads answers.needsInvoice, answers.hiresStaff/],
  [BUNDLE, 'misspelt required', (d) => (d.items[1].requred = true), 'data.items[1].requred', /not a known field/],
  [BUNDLE, 'no items', (d) => (d.items = []), 'data.items', /at least 1/],
  [BUNDLE, 'duplicate question id', (d) => d.questions.push({ ...d.questions[0] }), 'data.questions[2].id', /duplicate question id "needsInvoice"/],
  [BUNDLE, 'question id that is not a path segment', (d) => d.questions.push({ id: 'needs.invoice', text: '?', kind: 'boolean' }), 'data.questions[2].id', /answers.<id>/],
  [BUNDLE, 'choice question without options', (d) => (d.questions[0].kind = 'choice'), 'data.questions[0].options', /required when kind is choice/],
  [BUNDLE, 'promisedDays 0', (d) => (d.promisedDays = 0), 'data.promisedDays', /at least 1/],
  // Service items
  ['gov.catalog.item.published', 'missing itemCode', (d) => delete d.itemCode, 'data.itemCode', /required/],
  ['gov.catalog.item.published', 'unknown applicantKind', (d) => (d.applicantKind = 'organisation'), 'data.applicantKind', /one of "person", "enterprise", "any"/],
  ['gov.catalog.item.published', 'unknown mode', (d) => (d.mode = 'auto'), 'data.mode', /one of "instant", "commitment", "manual"/],
  ['gov.catalog.item.published', 'fractional legalDays', (d) => (d.legalDays = 2.5), 'data.legalDays', /integer/],
  ['gov.catalog.item.published', 'negative promisedDays', (d) => (d.promisedDays = -1), 'data.promisedDays', /at least 0/],
  ['gov.catalog.item.published', 'misspelt material flag', (d) => (d.materials[2].tolerble = true), 'data.materials[2].tolerble', /not a known field/],
  ['gov.catalog.item.published', 'bad minTrustLevel', (d) => (d.materials[0].minTrustLevel = 'C'), 'data.materials[0].minTrustLevel', /"A", "B"/],
  ['gov.catalog.item.published', 'duplicate material code', (d) => (d.materials[1].code = 'M-LICENCE'), 'data.materials[1].code', /duplicate material code "M-LICENCE"/],
  ['gov.catalog.item.published', 'too many materials', (d) => (d.materials = Array.from({ length: 201 }, (_, i) => ({ code: `M${i}`, name: '材料' }))), 'data.materials', /at most 200 items/],
  ['gov.catalog.item.published', 'rules fact outside item roots', (d) => (d.rules.all[0].fact = 'person.birthDate'), 'data.rules.all[0].fact', /applicant, enterprise, form, licence, credit, now/],
  ['gov.catalog.item.published', 'rules missing', (d) => delete d.rules, 'data.rules', /required/],
  ['gov.catalog.item.published', 'bad credit handling', (d) => (d.credit.dishonest = 'ignore'), 'data.credit.dishonest', /"manual", "reject"/],
  ['gov.catalog.item.published', 'version 0', (d) => (d.version = 0), 'data.version', /at least 1/],
  ['gov.catalog.item.published', 'active as a string', (d) => (d.active = 'true'), 'data.active', /boolean/],
  ['gov.catalog.item.published', 'name too long', (d) => (d.name = '审'.repeat(201)), 'data.name', /at most 200 characters/],
  // Policies
  ['gov.policy.published', 'unknown kind', (d) => (d.kind = 'loan'), 'data.kind', /"grant", "confirm"/],
  ['gov.policy.published', 'criteria using an applicant fact', (d) => (d.criteria.all[1].fact = 'applicant.birthDate'), 'data.criteria.all[1].fact', /enterprise, person, credit, now/],
  ['gov.policy.published', 'negative benefit amount', (d) => (d.benefit.amount = -20000), 'data.benefit.amount', /at least 0/],
  ['gov.policy.published', 'benefit without description', (d) => delete d.benefit.description, 'data.benefit.description', /required/],
  ['gov.policy.published', 'validTo not a date', (d) => (d.validTo = '2026-13-01'), 'data.validTo', /date "YYYY-MM-DD" or an RFC 3339/],
  ['gov.policy.published', 'validTo before validFrom', (d) => (d.validTo = '2025-12-31'), 'data.validTo', /not be before validFrom/],
  ['gov.policy.published', 'no channels', (d) => (d.channels = []), 'data.channels', /at least 1 item/],
  ['gov.policy.published', 'budget as a string', (d) => (d.budget = '3144万'), 'data.budget', /number/],
  ['gov.policy.published', 'publicity of 0 working days', (d) => (d.publicity = { workingDays: 0 }), 'data.publicity.workingDays', /at least 1/],
  ['gov.policy.published', 'publicity of half a day', (d) => (d.publicity = { workingDays: 2.5 }), 'data.publicity.workingDays', /integer/],
  ['gov.policy.published', 'publicity as a number', (d) => (d.publicity = 5), 'data.publicity', /object/],
  ['gov.policy.objection.filed', 'no subject', (d) => delete d.creditCode, ['data.creditCode', 'data.subjectId'], /required \(or subjectId\)/],
  ['gov.policy.objection.filed', 'unknown by', (d) => (d.by = 'anonymous'), 'data.by', /"self", "thirdParty"/],
  ['gov.policy.objection.filed', 'bad credit code', (d) => (d.creditCode = BAD_CODE), 'data.creditCode', CODE_MSG],
  ['gov.policy.objection.filed', 'facts on a third-party objection', (d) => (d.facts = { 'enterprise.size': 'small' }), 'data.facts', /only allowed when by is self/],
  ['gov.policy.objection.filed', 'fact outside the enterprise and the person', (d) => ((d.by = 'self'), (d.facts = { 'credit.rating': 'A' })), 'data.facts', /fact paths under enterprise or person/],
  ['gov.policy.objection.filed', 'a person fact beside one outside', (d) => ((d.by = 'self'), (d.facts = { 'person.residenceDistrict': '440305', 'personal.income': 1 })), 'data.facts', /fact paths under enterprise or person/],
  ['gov.policy.objection.filed', 'missing reason', (d) => delete d.reason, 'data.reason', /required/],
  ['gov.policy.objection.resolved', 'upheld as a string', (d) => (d.upheld = 'yes'), 'data.upheld', /boolean/],
  ['gov.policy.objection.resolved', 'missing objectionId', (d) => delete d.objectionId, 'data.objectionId', /required/],
  ['gov.policy.recovered', 'no subject', (d) => delete d.creditCode, ['data.creditCode', 'data.subjectId'], /required \(or subjectId\)/],
  ['gov.policy.recovered', 'subjectId not equal to creditCode', (d) => (d.subjectId = makeCreditCode('91440300MA5H7R3N0')), 'data.subjectId', /must equal creditCode/],
  ['gov.policy.recovered', 'unknown reason', (d) => (d.reason = 'error'), 'data.reason', /"fraud", "overpayment", "other"/],
  ['gov.policy.recovered', 'zero amount', (d) => (d.amount = 0), 'data.amount', /greater than 0|> ?0|positive/],
  ['gov.policy.recovered', 'amount as a string', (d) => (d.amount = '2650.5元'), 'data.amount', /number/],
  ['gov.policy.recovered', 'at without offset', (d) => (d.at = '2026-11-25 10:00'), 'data.at', /RFC 3339/],
  ['gov.policy.recovered', 'bad subjectId', (d) => ((d.subjectId = '440305199003071237'), delete d.creditCode), 'data.subjectId', /valid ID number or unified social credit code/],
  ['gov.policy.withdrawn', 'missing policyId', (d) => delete d.policyId, 'data.policyId', /required/],
  ['gov.policy.confirmed', 'bad credit code', (d) => (d.creditCode = BAD_CODE), 'data.creditCode', CODE_MSG],
  ['gov.policy.confirmed', 'at without offset', (d) => (d.at = '2026-11-04 10:12:30'), 'data.at', /RFC 3339/],
  ['gov.policy.disbursed', 'missing amount', (d) => delete d.amount, 'data.amount', /required/],
  ['gov.policy.disbursed', 'infinite amount', (d) => (d.amount = Number.POSITIVE_INFINITY), 'data.amount', /number/],
  // profiles, licences, credit
  ['gov.enterprise.profile.updated', 'ID number as credit code', (d) => (d.creditCode = ID), 'data.creditCode', CODE_MSG],
  ['gov.enterprise.profile.updated', 'unknown size', (d) => (d.size = 'tiny'), 'data.size', /"large", "medium", "small", "micro"/],
  ['gov.enterprise.profile.updated', 'fractional employees', (d) => (d.employees = 26.5), 'data.employees', /integer/],
  ['gov.enterprise.profile.updated', 'negative exports', (d) => (d.exportValueUsd = -1), 'data.exportValueUsd', /at least 0/],
  ['gov.enterprise.profile.updated', 'unknown tax rating', (d) => (d.taxCreditRating = 'E'), 'data.taxCreditRating', /"A", "B", "M", "C", "D"/],
  ['gov.enterprise.profile.updated', 'missing asOf', (d) => delete d.asOf, 'data.asOf', /required/],
  ['gov.person.profile.updated', 'bad ID number', (d) => (d.idNumber = BAD_ID), 'data.idNumber', ID_MSG],
  ['gov.person.profile.updated', 'birthDate with a time', (d) => (d.birthDate = '1990-03-07T00:00:00+08:00'), 'data.birthDate', /YYYY-MM-DD/],
  ['gov.person.profile.updated', 'birthDate not on the calendar', (d) => (d.birthDate = '1990-02-30'), 'data.birthDate', /YYYY-MM-DD/],
  ['gov.licence.issued', 'bad holder', (d) => (d.holderId = 'ABC'), 'data.holderId', /ID number or unified social credit code/],
  ['gov.licence.issued', 'trust level C', (d) => (d.trustLevel = 'C'), 'data.trustLevel', /"A", "B"/],
  ['gov.licence.issued', 'validUntil as a timestamp', (d) => (d.validUntil = '2036-03-10T00:00:00+08:00'), 'data.validUntil', /YYYY-MM-DD/],
  ['gov.licence.issued', 'attributes an array', (d) => (d.attributes = ['x']), 'data.attributes', /object/],
  ['gov.licence.revoked', 'missing revokedAt', (d) => delete d.revokedAt, 'data.revokedAt', /required/],
  ['gov.credit.updated', 'rating E', (d) => (d.rating = 'E'), 'data.rating', /"A", "B", "C", "D"/],
  ['gov.credit.updated', 'dishonest as 0', (d) => (d.dishonest = 0), 'data.dishonest', /boolean/],
  ['gov.credit.updated', 'missing falseCommitment', (d) => delete d.falseCommitment, 'data.falseCommitment', /required/],
  ['gov.credit.updated', 'bad subject', (d) => (d.subjectId = BAD_CODE), 'data.subjectId', /ID number or unified social credit code/],
  // Applications
  ['gov.application.submitted', 'enterprise with an ID number', (d) => (d.applicant.id = ID), 'data.applicant.id', /credit code .* for an enterprise/],
  ['gov.application.submitted', 'person with a credit code', (d) => (d.applicant = { kind: 'person', id: CODE, name: '张伟' }), 'data.applicant.id', /ID number .* for a person/],
  ['gov.application.submitted', 'unknown applicant kind', (d) => (d.applicant.kind = 'organisation'), 'data.applicant.kind', /"person", "enterprise"/],
  ['gov.application.submitted', 'material code missing', (d) => delete d.materials[2].code, 'data.materials[2].code', /required/],
  ['gov.application.submitted', 'provided as a string', (d) => (d.materials[1].provided = 'yes'), 'data.materials[1].provided', /boolean/],
  ['gov.application.submitted', 'form an array', (d) => (d.form = []), 'data.form', /object/],
  ['gov.application.submitted', 'commitment without signedAt', (d) => (d.commitment = {}), 'data.commitment.signedAt', /required/],
  ['gov.application.submitted', 'submittedAt on Nov 31', (d) => (d.submittedAt = '2026-11-31T10:15:00+08:00'), 'data.submittedAt', /RFC 3339/],
  ['gov.application.submitted', 'too many form fields', (d) => (d.form = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`f${i}`, i]))), 'data.form', /at most 200 fields/],
  // What one decision stores must fit one DynamoDB item: the open objects it draws on are bounded in bytes.
  ['gov.application.submitted', 'a form over 32 KB', (d) => (d.form = { note: 'x'.repeat(32 * 1024) }), 'data.form', /must be at most 32768 bytes as JSON; it is 32779/],
  ['gov.application.submitted', 'answers over 8 KB', (d) => ((d.answers = { note: '字'.repeat(3000) }), (d.bundleCode = 'YJS-1'), delete d.itemCode), 'data.answers', /must be at most 8192 bytes as JSON/],
  ['gov.application.materials.supplemented', 'a supplement form over 32 KB', (d) => (d.form = { note: '字'.repeat(11_000) }), 'data.form', /must be at most 32768 bytes as JSON/],
  ['gov.licence.issued', 'attributes over 16 KB', (d) => (d.attributes = { scope: '经营'.repeat(3000) }), 'data.attributes', /must be at most 16384 bytes as JSON/],
  ['gov.enterprise.profile.updated', 'extra fields over 16 KB', (d) => (d.notes = 'x'.repeat(16 * 1024)), 'data', /the profile, with its extra fields, must be at most 16384 bytes as JSON/],
  ['gov.person.profile.updated', 'extra fields over 16 KB', (d) => (d.household = { members: Array.from({ length: 400 }, (_, i) => `成员${i}${'户'.repeat(10)}`) }), 'data', /the profile, with its extra fields, must be at most 16384 bytes as JSON/],
  ['gov.application.submitted', 'both itemCode and bundleCode', (d) => (d.bundleCode = 'YJS-QYKB'), 'data.bundleCode', /must not be given with itemCode/],
  ['gov.application.submitted', 'neither itemCode nor bundleCode', (d) => delete d.itemCode, 'data.itemCode', /is required \(or bundleCode/],
  ['gov.application.submitted', 'answers without bundleCode', (d) => (d.answers = { needsInvoice: true }), 'data.answers', /only for a bundle application/],
  ['gov.application.materials.supplemented', 'no materials', (d) => (d.materials = []), 'data.materials', /at least one material \(or give answers or form, for a bundle\)/],
  ['gov.application.verification.reported', 'truthful as a string', (d) => (d.truthful = 'false'), 'data.truthful', /boolean/],
  ['gov.application.verification.reported', 'missing note', (d) => delete d.note, 'data.note', /required/],
  ['gov.application.reviewed', 'outcome not a person\'s', (d) => (d.outcome = 'MANUAL_REVIEW'), 'data.outcome', /"APPROVED", "REJECTED"/],
  ['gov.application.reviewed', 'a rejection without reasons', (d) => (d.reasons = []), 'data.reasons', /at least one reason when outcome is REJECTED/],
  ['gov.application.reviewed', 'a reason not text', (d) => (d.reasons = [42]), 'data.reasons[0]', /string/],
  ['gov.application.reviewed', 'an empty reason', (d) => (d.reasons = ['']), 'data.reasons[0]', /must not be empty/],
  ['gov.application.reviewed', 'missing staffId', (d) => delete d.staffId, 'data.staffId', /required/],
  ['gov.application.reviewed', 'at without offset', (d) => (d.at = '2026-11-06 10:18'), 'data.at', /RFC 3339/],
  ['gov.application.reviewed', 'itemCode as a number', (d) => (d.itemCode = 7), 'data.itemCode', /string/],
  // Reviews and rectification
  ['gov.case.completed', 'bad applicantId', (d) => (d.applicantId = BAD_ID), 'data.applicantId', /ID number or unified social credit code/],
  ['gov.case.completed', 'missing completedAt', (d) => delete d.completedAt, 'data.completedAt', /required/],
  ['gov.review.submitted', 'level 0', (d) => (d.level = 0), 'data.level', /at least 1/],
  ['gov.review.submitted', 'level 4.5', (d) => (d.level = 4.5), 'data.level', /integer/],
  ['gov.review.submitted', 'indicators a string', (d) => (d.indicators = 'EFFICIENT'), 'data.indicators', /array/],
  ['gov.review.submitted', 'empty indicator code', (d) => (d.indicators = ['EFFICIENT', '']), 'data.indicators[1]', /empty/],
  ['gov.review.submitted', 'reviewer not an identifier', (d) => (d.reviewerId = 'wx_openid_123'), 'data.reviewerId', /ID number, unified social credit code or phone/],
  ['gov.review.submitted', 'comment too long', (d) => (d.comment = '差'.repeat(2001)), 'data.comment', /at most 2000 characters/],
  ['gov.rectification.updated', 'unknown action', (d) => (d.action = 'reopen'), 'data.action', /"acknowledge"/],
  ['gov.rectification.updated', 'returnVisit without satisfied', (d) => delete d.satisfied, 'data.satisfied', /required when action is returnVisit/],
  ['gov.rectification.updated', 'satisfied on another action', (d) => (d.action = 'close'), 'data.satisfied', /only allowed when action is returnVisit/],
  ['gov.rectification.updated', 'actor without staffId', (d) => delete d.actor.staffId, 'data.actor.staffId', /required/],
  // 办不成事
  ['gov.hardcase.reported', 'unknown channel', (d) => (d.channel = 'wechat'), 'data.channel', /"window", "hotline", "online"/],
  ['gov.hardcase.reported', 'bad phone', (d) => (d.contactPhone = '12345'), 'data.contactPhone', /mobile number or a fixed-line number/],
  ['gov.hardcase.reported', 'missing description', (d) => delete d.description, 'data.description', /required/],
  ['gov.hardcase.updated', 'unknown action', (d) => (d.action = 'reopen'), 'data.action', /"contact"/],
  ['gov.hardcase.updated', 'escalate without escalatedTo', (d) => delete d.escalatedTo, 'data.escalatedTo', /required when action is escalate/],
  ['gov.hardcase.updated', 'unknown cause', (d) => (d.cause = 'weather'), 'data.cause', /"policyGap"/],
  // A case is accepted before it is completed, compared as instants (here 11:18:01 in Shanghai, written in UTC).
  ['gov.case.completed', 'acceptedAt after completedAt', (d) => (d.acceptedAt = '2026-11-06T03:18:01Z'), 'data.acceptedAt', /must not be after completedAt \(2026-11-06T11:18:00\+08:00\)/],
  // Declared facts of a self-objection are kept in its record: no larger than a profile.
  ['gov.policy.objection.filed', 'declared facts over 16 KB', (d) => ((d.by = 'self'), (d.facts = { 'enterprise.note': 'x'.repeat(16 * 1024) })), 'data.facts', /must be at most 16384 bytes as JSON/],
];

describe('data of every inbound type', () => {
  it.each(Object.entries(SAMPLE))('%s: the base sample is valid', (type, rel) => {
    const result = validateData(type as InboundType, dataOf(rel));
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('covers every inbound type with at least one field error', () => {
    expect(new Set(cases.map((c) => c[0]))).toEqual(new Set(Object.keys(SAMPLE)));
  });

  it.each(cases)('%s: %s', (type, _name, mutate, path, message) => {
    const data = dataOf(SAMPLE[type]);
    mutate(data);
    const result = validateData(type, data);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.path)).toEqual([path].flat());
    expect(result.errors[0]?.message).toMatch(message);
  });

  it('keeps fields it does not name on profiles and data objects', () => {
    const data = dataOf(SAMPLE['gov.enterprise.profile.updated']);
    const result = validateData('gov.enterprise.profile.updated', { ...data, listedOn: 'SZSE' });
    expect(result.ok && (result.data as Record<string, unknown>).listedOn).toBe('SZSE');
  });

  it('accepts every rectification action, with satisfied only on returnVisit', () => {
    const base = dataOf(SAMPLE['gov.rectification.updated']);
    for (const action of ['acknowledge', 'claimInvalid', 'rectify', 'claimUnfixable', 'requestExtension', 'close', 'approveInvalid',
      'rejectInvalid', 'approveUnfixable', 'rejectUnfixable', 'approveExtension', 'rejectExtension']) {
      const { satisfied: _s, ...rest } = base;
      expect(validateData('gov.rectification.updated', { ...rest, action }).ok).toBe(true);
    }
    expect(validateData('gov.rectification.updated', { ...base, satisfied: false }).ok).toBe(true);
  });

  it("accepts a person's self-objection declaring person facts", () => {
    const { creditCode: _c, ...base } = dataOf('gov.policy.objection.filed/self-declared-facts.json');
    const data = { ...base, subjectId: ID, facts: { 'person.residenceDistrict': '440305', 'person.birthDate': '1945-03-07' } };
    const result = validateData('gov.policy.objection.filed', data);
    expect(result.ok ? [] : result.errors).toEqual([]);
    expect(result.ok && (result.data as Data).facts).toEqual({ 'person.residenceDistrict': '440305', 'person.birthDate': '1945-03-07' });
  });

  it('accepts a phone number or a credit code as reviewerId', () => {
    const base = dataOf(SAMPLE['gov.review.submitted']);
    for (const reviewerId of ['13812345678', '0755-12345678', CODE, ID]) {
      expect(validateData('gov.review.submitted', { ...base, reviewerId }).ok).toBe(true);
    }
  });

  describe('a value shaped like an ID number, in a field taking an ID number or a credit code', () => {
    // Both pass the MOD 31 credit-code check; as ID numbers one has a wrong check digit, the other is born in 2030.
    const WRONG_CHECK = '440305199003070031';
    const BORN_2030 = '440305203001010076';
    const TODAY = { today: '2026-11-10' };
    /** Every field that takes an ID number or a credit code (reviewerId also a phone number). */
    const fields: Array<[InboundType, string, (d: Data, v: string) => void]> = [
      ['gov.licence.issued', 'data.holderId', (d, v) => (d.holderId = v)],
      ['gov.credit.updated', 'data.subjectId', (d, v) => (d.subjectId = v)],
      ['gov.case.completed', 'data.applicantId', (d, v) => (d.applicantId = v)],
      ['gov.policy.recovered', 'data.subjectId', (d, v) => ((d.subjectId = v), delete d.creditCode)],
      ['gov.review.submitted', 'data.reviewerId', (d, v) => (d.reviewerId = v)],
    ];
    const errorsOf = (type: InboundType, set: (d: Data, v: string) => void, value: string, options = {}) => {
      const data = dataOf(SAMPLE[type]);
      set(data, value);
      const result = validateData(type, data, 'data', options);
      return result.ok ? [] : result.errors;
    };

    it.each(fields)('%s: refuses one with a wrong check digit at %s, though it passes the credit-code check', (type, path, set) => {
      expect(errorsOf(type, set, WRONG_CHECK)).toEqual([
        { path, message: expect.stringMatching(/^must be a valid ID number.*: it has the region and birth date of an ID number, so it is checked as one, and its check digit is wrong$/) },
      ]);
    });

    it.each(fields)('%s: refuses one born after today at %s, though it passes the credit-code check', (type, path, set) => {
      expect(errorsOf(type, set, BORN_2030, TODAY)).toEqual([{ path, message: 'is an ID number whose birth date is after today' }]);
    });

    it.each(fields)('%s: still accepts a valid ID number and all-digit credit codes', (type, _path, set) => {
      for (const value of [ID, '11440305007497265X', '914403001000000020', makeIdNumber('440305', '20261110', '001')]) {
        expect(errorsOf(type, set, value, TODAY)).toEqual([]);
      }
    });
  });

  describe("a policy's validTo is compared with validFrom as moments, a date being its whole local day", () => {
    const POLICY = 'gov.policy.published' as const;
    const errorsOf = (validFrom: string, validTo: string, options = {}) => {
      const result = validateData(POLICY, { ...dataOf(SAMPLE[POLICY]), validFrom, validTo }, 'data', options);
      return result.ok ? [] : result.errors;
    };
    const BEFORE = [{ path: 'data.validTo', message: 'must not be before validFrom' }];

    it.each([
      ['an hour later, written in another offset', '2026-11-01T00:00:00+08:00', '2026-10-31T17:00:00Z'],
      ['the same moment', '2026-11-01T12:00:00+08:00', '2026-11-01T04:00:00Z'],
      ['the same day, date only', '2026-11-01', '2026-11-01'],
      ['a date-only start and an instant in its first local hour', '2026-11-01', '2026-10-31T17:00:00Z'],
      ['an instant start and the date-only end of its local day', '2026-11-01T10:00:00+08:00', '2026-11-01'],
    ])('accepts %s', (_name, validFrom, validTo) => {
      expect(errorsOf(validFrom, validTo)).toEqual([]);
    });

    it.each([
      ['three hours earlier the same day', '2026-11-01T12:00:00+08:00', '2026-11-01T09:00:00+08:00'],
      ['the day before, date only', '2026-11-01', '2026-10-31'],
      ['an instant just before the local day a date-only start names', '2026-11-01', '2026-10-31T15:59:59Z'],
      ['a date-only end before the local day of an instant start', '2026-11-01T00:30:00+08:00', '2026-10-31'],
    ])('refuses %s', (_name, validFrom, validTo) => {
      expect(errorsOf(validFrom, validTo)).toEqual(BEFORE);
    });

    it("reads a date-only bound in the stage's time zone", () => {
      // Local midnight of 11-01 is 10-31T16:00Z in Shanghai, 11-01T00:00Z in London.
      expect(errorsOf('2026-11-01', '2026-10-31T17:00:00Z', { timeZone: 'Asia/Shanghai' })).toEqual([]);
      expect(errorsOf('2026-11-01', '2026-10-31T17:00:00Z', { timeZone: 'Europe/London' })).toEqual(BEFORE);
    });
  });

  it('takes enterprise.* facts in item rules and bundle appliesWhen, as in policy criteria', () => {
    const item = dataOf(SAMPLE['gov.catalog.item.published']);
    item.rules.all[0] = { id: 'E-SIZE', description: '申请企业为小微企业', fact: 'enterprise.size', op: 'in', value: ['small', 'micro'] };
    const itemResult = validateData('gov.catalog.item.published', item);
    expect(itemResult.ok ? [] : itemResult.errors).toEqual([]);
    const bundle = dataOf(SAMPLE[BUNDLE]);
    bundle.items[3].appliesWhen.any[1].fact = 'enterprise.employees';
    const bundleResult = validateData(BUNDLE, bundle);
    expect(bundleResult.ok ? [] : bundleResult.errors).toEqual([]);
  });

  it('takes a case accepted at the instant it was completed, or before, whatever the offsets', () => {
    for (const acceptedAt of ['2026-11-06T03:18:00Z', '2026-11-06T11:17:59.999+08:00', '2026-11-05T22:18:00-05:00']) {
      const result = validateData('gov.case.completed', { ...dataOf(SAMPLE['gov.case.completed']), acceptedAt });
      expect([acceptedAt, result.ok ? [] : result.errors]).toEqual([acceptedAt, []]);
    }
  });

  it("refuses a person's birth date after the bureau's date of the check, as an ID number's", () => {
    const person = (birthDate: string) => ({ ...dataOf(SAMPLE['gov.person.profile.updated']), birthDate });
    const on = { today: '2026-11-10' };
    expect(validateData('gov.person.profile.updated', person('2026-11-10'), 'data', on).ok).toBe(true);
    const result = validateData('gov.person.profile.updated', person('2026-11-11'), 'data', on);
    expect(result.ok === false && result.errors).toEqual([{ path: 'data.birthDate', message: "must not be after the bureau's date of receipt: a birth date has happened" }]);
    // Outside the edge (no date given) only the form is checked.
    expect(validateData('gov.person.profile.updated', person('2062-03-01')).ok).toBe(true);
  });

  it('prefixes paths with data by default and with nothing when asked', () => {
    const result = validateData('gov.policy.withdrawn', {}, '');
    expect(result.ok === false && result.errors).toEqual([{ path: 'policyId', message: 'is required' }]);
  });

  it('rejects data that is not an object', () => {
    const result = validateData('gov.review.submitted', 'level 5');
    expect(result.ok === false && result.errors).toEqual([{ path: 'data', message: 'must be an object (got string)' }]);
  });
});
