import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { routing } from '#topology';
import { INBOUND_TYPES, validateEvent } from '#contract/envelope';
import { isValidCreditCode, isValidIdNumber, isValidPhone } from '#contract/identifiers';
import { internalSchemaFor, schemaFor } from '#scripts/gen-schemas';
import { applicationDecidedEvent, benefitFraudMarkedEvent, caseOpenedEvent, creditMarkedEvent, entitlementNotifyEvent, enterpriseRematchEvent, INTERNAL_TYPES, isInternalType, matchSliceEvent, simulationSliceEvent, type InternalEvent } from '#contract/internal';
import { internalDataSchemas } from '#contract/internal-schemas';
import { parseQueued } from '#contract/queued';

const EVENTS = fileURLToPath(new URL('../../../events/', import.meta.url));
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

/** The default source of each event type (the 办不成事 types have two: the hotline and the acceptance system's window and portal). */
const DEFAULT_SOURCE: Record<string, string | readonly string[]> = {
  'gov.catalog.item.published': '/systems/catalog',
  'gov.catalog.bundle.published': '/systems/catalog',
  'gov.policy.published': '/systems/policy',
  'gov.policy.withdrawn': '/systems/policy',
  'gov.policy.confirmed': '/systems/policy',
  'gov.policy.disbursed': '/systems/policy',
  'gov.policy.objection.filed': '/systems/policy',
  'gov.policy.objection.resolved': '/systems/policy',
  'gov.policy.recovered': '/systems/policy',
  'gov.enterprise.profile.updated': '/systems/data-sharing',
  'gov.person.profile.updated': '/systems/data-sharing',
  'gov.licence.issued': '/systems/e-licence',
  'gov.licence.revoked': '/systems/e-licence',
  'gov.credit.updated': '/systems/credit',
  'gov.application.submitted': '/systems/window-acceptance',
  'gov.application.materials.supplemented': '/systems/window-acceptance',
  'gov.application.verification.reported': '/systems/department',
  'gov.application.reviewed': '/systems/department',
  'gov.case.completed': '/systems/department',
  'gov.rectification.updated': '/systems/department',
  'gov.review.submitted': '/systems/review-channel',
  'gov.hardcase.reported': ['/systems/hotline-12345', '/systems/window-acceptance'],
  'gov.hardcase.updated': ['/systems/hotline-12345', '/systems/window-acceptance'],
};

const samplesOf = (types: readonly string[]) =>
  readdirSync(join(EVENTS, 'samples'))
    .filter((type) => types.includes(type))
    .flatMap((type) =>
      readdirSync(join(EVENTS, 'samples', type)).map((file) => ({
        type,
        file,
        event: readJson(join(EVENTS, 'samples', type, file)) as Record<string, unknown>,
      })),
    );
/** The inbound samples (gov.*): what upstream systems post. */
const samples = samplesOf(readdirSync(join(EVENTS, 'samples')).filter((type) => !isInternalType(type)));
/** The internal samples (civicflow.*): what CivicFlow's functions send each other. */
const internalSamples = samplesOf(INTERNAL_TYPES);

describe('events/samples', () => {
  it('has at least one sample for every inbound type, and no folder for an unknown type', () => {
    expect(new Set(samples.map((s) => s.type))).toEqual(new Set(Object.keys(routing)));
  });

  it.each(samples.map((s) => [`${s.type}/${s.file}`, s] as const))('%s is a valid event', (_name, s) => {
    const result = validateEvent(s.event);
    expect(result.ok ? [] : result.errors).toEqual([]);
    expect(result.ok && result.event.type).toBe(s.type);
  });

  it.each(samples.map((s) => [`${s.type}/${s.file}`, s] as const))('%s comes from the default source for its type', (_name, s) => {
    expect([DEFAULT_SOURCE[s.type]].flat()).toContain(s.event.source);
    expect(String(s.event.time)).toMatch(/^2026-11-/);
  });

  it('uses unique (source, id) pairs', () => {
    const keys = samples.map((s) => `${String(s.event.source)} ${String(s.event.id)}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('uses identifiers with valid check digits wherever an identifier appears', () => {
    const fields = ['creditCode', 'idNumber', 'holderId', 'subjectId', 'applicantId', 'reviewerId'];
    let checked = 0;
    for (const { event } of samples) {
      const data = event.data as Record<string, unknown>;
      for (const f of fields) {
        if (typeof data[f] !== 'string') continue;
        const v = data[f];
        expect(isValidIdNumber(v) || isValidCreditCode(v) || isValidPhone(v)).toBe(true);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(15);
  });

  it('covers the sample service items and policies', () => {
    const names = samples.map((s) => (s.event.data as { name?: unknown }).name);
    for (const name of [
      '气象证明出具',
      '在城市建筑物、设施上悬挂、张贴宣传品审批',
      '无犯罪记录证明',
      '小微出口企业出口信用保险',
      '残疾人就业保障金免征',
      '小微企业社保补贴',
    ]) {
      expect(names).toContain(name);
    }
    const modes = samples
      .filter((s) => s.type === 'gov.catalog.item.published')
      .map((s) => (s.event.data as { mode: string }).mode);
    expect(new Set(modes)).toEqual(new Set(['instant', 'commitment', 'manual']));
    const levels = samples
      .filter((s) => s.type === 'gov.review.submitted')
      .map((s) => (s.event.data as { level: number }).level);
    expect(levels.some((l) => l <= 2)).toBe(true);
    expect(levels.some((l) => l >= 3)).toBe(true);
  });
});

describe('events/invalid', () => {
  const files = readdirSync(join(EVENTS, 'invalid')).filter((f) => !f.endsWith('.expected.json'));

  it('has invalid samples, each with its expectation', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(files)('%s is rejected at the expected paths', (file) => {
    const event = readJson(join(EVENTS, 'invalid', file)) as { id?: unknown };
    const { paths } = readJson(join(EVENTS, 'invalid', file.replace(/\.json$/, '.expected.json'))) as { paths: string[] };
    const result = validateEvent(event);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(new Set(result.errors.map((e) => e.path))).toEqual(new Set(paths));
    expect(result.id).toBe(event.id);
    for (const e of result.errors) expect(e.message.length).toBeGreaterThan(5);
  });
});

describe('events/schemas', () => {
  it.each([...INBOUND_TYPES])('%s.schema.json is what scripts/gen-schemas.ts generates now', (type) => {
    const committed = readJson(join(EVENTS, 'schemas', `${type}.schema.json`));
    expect(committed).toEqual(JSON.parse(JSON.stringify(schemaFor(type))));
  });

  it('says in the schema that check digits are enforced only by the service', () => {
    const schema = JSON.stringify(readJson(join(EVENTS, 'schemas', 'gov.credit.updated.schema.json')));
    expect(schema).toContain('Check digits are enforced by the service');
  });

  it('describes conditions with the fact roots of their kind', () => {
    const item = readJson(join(EVENTS, 'schemas', 'gov.catalog.item.published.schema.json')) as {
      $defs: { Leaf: { properties: { fact: { pattern: string } } } };
    };
    const policy = readJson(join(EVENTS, 'schemas', 'gov.policy.published.schema.json')) as typeof item;
    expect(item.$defs.Leaf.properties.fact.pattern).toContain('applicant|enterprise|form|licence|credit|now');
    expect(policy.$defs.Leaf.properties.fact.pattern).toContain('enterprise|person|credit|now');
  });
});

describe('events/samples of internal events (civicflow.*)', () => {
  /** What the consumer of each type does with a message: parse it with the type's schema. */
  const consumerParse = (event: unknown) => parseQueued(event, { inbound: [], internal: internalDataSchemas });

  it('has a sample for every internal type (one per kind of a credit mark)', () => {
    expect(new Set(internalSamples.map((s) => s.type))).toEqual(new Set(INTERNAL_TYPES));
    expect(internalSamples.filter((s) => s.type === 'civicflow.credit.marked').map((s) => (s.event as { data: { kind: string } }).data.kind).sort()).toEqual(['benefitFraud', 'falseCommitment']);
  });

  it.each(internalSamples.map((s) => [`${s.type}/${s.file}`, s] as const))('%s parses as its consumer parses it, unchanged', (_name, s) => {
    const parsed = consumerParse(s.event);
    expect(parsed).toEqual({ ok: true, event: s.event });
    expect(parsed.ok && parsed.event.type).toBe(s.type);
  });

  it.each(internalSamples.map((s) => [`${s.type}/${s.file}`, s] as const))('%s is what its builder makes of its data', (_name, s) => {
    const e = s.event as InternalEvent;
    const rebuilt = ((): InternalEvent => {
      switch (e.type) {
        case 'civicflow.case.opened': {
          const { origin: _origin, ...data } = e.data;
          return caseOpenedEvent(data);
        }
        case 'civicflow.enterprise.rematch':
          return enterpriseRematchEvent(e.data.creditCode, e.data.cause, e.time);
        case 'civicflow.policy.match-slice':
          return matchSliceEvent(e.data, e.time);
        case 'civicflow.entitlement.notify':
          return entitlementNotifyEvent(e.data.policyId, e.data.creditCode, e.time);
        case 'civicflow.credit.marked': {
          if (e.data.kind === 'benefitFraud') {
            const { kind: _kind, ...data } = e.data;
            return benefitFraudMarkedEvent(data);
          }
          const { kind: _kind, ...data } = e.data;
          return creditMarkedEvent(data);
        }
        case 'civicflow.application.decided':
          return applicationDecidedEvent(e.data);
        case 'civicflow.simulation.slice':
          return simulationSliceEvent(e.data, e.time);
      }
    })();
    expect(rebuilt).toEqual(s.event);
  });

  it.each(internalSamples.map((s) => [`${s.type}/${s.file}`, s] as const))('%s is refused at POST /events: not an inbound type', (_name, s) => {
    const result = validateEvent(s.event);
    expect(result.ok ? [] : result.errors.map((e) => e.path)).toContain('type');
  });

  it('refuses a message whose data breaks its schema, naming the field', () => {
    const sample = internalSamples.find((s) => s.type === 'civicflow.credit.marked' && s.file.includes('untruthful'))!.event as { data: Record<string, unknown> };
    const broken = { ...sample, data: { ...sample.data, at: 'yesterday', applicationId: undefined } };
    const parsed = consumerParse(broken);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.problem).toMatch(/data\.applicationId: .*; data\.at: /);
  });

  it.each([...INTERNAL_TYPES])('%s.schema.json is what scripts/gen-schemas.ts generates now', (type) => {
    const committed = readJson(join(EVENTS, 'schemas', `${type}.schema.json`));
    expect(committed).toEqual(JSON.parse(JSON.stringify(internalSchemaFor(type))));
  });
});
