/**
 * Property tests of the edge and the rules engine against hostile input: the
 * validators and the engine answer every input with a result, never an exception, and what is generated
 * valid always passes.
 */
import fc from 'fast-check';
import { isInboundType, validateEvent } from '#contract/envelope';
import { isValidIdNumber, makeIdNumber } from '#contract/identifiers';
import { compileCondition, type Condition } from '#rules';
import { validateCondition } from '#rules/validate';
import { OPERATORS, FACT_ROOTS } from '#rules/types';
import { ingest } from '#ingest/service';
import type { IngestPorts } from '#ingest/ports';
import { defaultSources } from '#topology/stages';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const RUNS = { numRuns: 300 };
const SAMPLES_DIR = resolve(import.meta.dirname, '../../../events/samples');
// The inbound samples: internal events (civicflow.*) are never posted.
const samples: any[] = readdirSync(SAMPLES_DIR).filter(isInboundType).flatMap((type) =>
  readdirSync(join(SAMPLES_DIR, type)).map((f) => JSON.parse(readFileSync(join(SAMPLES_DIR, type, f), 'utf8'))),
);

function expectWellFormedResult(result: ReturnType<typeof validateEvent>): void {
  if (result.ok) return;
  expect(result.errors.length).toBeGreaterThan(0);
  for (const e of result.errors) {
    expect(typeof e.path).toBe('string');
    expect(typeof e.message).toBe('string');
    expect(e.message.length).toBeGreaterThan(0);
  }
}

/** Sets `value` at a random path of a deep copy of `base` (or deletes the key when value is undefined). */
function mutate(base: any, path: readonly string[], value: unknown): any {
  const copy = structuredClone(base);
  let node = copy;
  for (let i = 0; i < path.length - 1; i++) {
    if (node === null || typeof node !== 'object') return copy;
    node = node[path[i]!];
  }
  if (node === null || typeof node !== 'object') return copy;
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

function pathsOf(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  return [prefix, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...prefix, k]))].filter((p) => p.length > 0);
}

describe('validateEvent', () => {
  it('never throws on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (raw) => {
        const result = validateEvent(raw);
        expectWellFormedResult(result);
        expect(result.ok).toBe(false);
      }),
      RUNS,
    );
  });

  it('never throws on arbitrary objects shaped like events, with hostile strings and values', () => {
    const hostile = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 50 }),
      fc.constantFrom('__proto__', 'constructor', "'; DROP TABLE x; --", '<script>', '\u0000', '\ud800', '💥'.repeat(100)),
      fc.double(),
      fc.bigInt().map((b) => Number(b)),
      fc.constant(null),
      fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 5 }),
      fc.dictionary(fc.string({ maxLength: 8 }), fc.anything({ maxDepth: 2 }), { maxKeys: 5 }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.nat(), fc.option(hostile, { nil: undefined }), (base, pick, value) => {
        const paths = pathsOf(base);
        const raw = mutate(base, paths[pick % paths.length]!, value);
        expectWellFormedResult(validateEvent(raw));
      }),
      RUNS,
    );
  });

  it('names the field: a sample with one required data field removed fails at that path', () => {
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.nat(), (base, pick) => {
        const keys = Object.keys(base.data);
        const key = keys[pick % keys.length]!;
        const result = validateEvent(mutate(base, ['data', key], undefined));
        // Optional fields may go; a required one must be named.
        if (!result.ok) expect(result.errors.map((e) => e.path)).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^data\\.${key}`))]));
      }),
      RUNS,
    );
  });

  const code = fc.stringMatching(/^[A-Za-z0-9-]{1,64}$/);
  const moment = fc
    .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString());
  const idNumber = fc
    .tuple(fc.date({ min: new Date('1930-01-01T00:00:00Z'), max: new Date('2010-12-31T00:00:00Z'), noInvalidDate: true }), fc.integer({ min: 0, max: 999 }))
    .map(([d, n]) => makeIdNumber('440305', d.toISOString().slice(0, 10).replace(/-/g, ''), String(n).padStart(3, '0')));
  const phone = fc.tuple(fc.integer({ min: 3, max: 9 }), fc.integer({ min: 0, max: 999_999_999 })).map(([a, b]) => `1${a}${String(b).padStart(9, '0')}`);

  it('passes every generated valid review and completed case', () => {
    const review = fc.record({
      specversion: fc.constant('1.0'),
      id: code,
      source: fc.constant('/systems/review-channel'),
      type: fc.constant('gov.review.submitted'),
      time: moment,
      data: fc.record(
        {
          reviewId: code,
          caseId: code,
          itemCode: code,
          departmentCode: code,
          staffId: code,
          channel: code,
          level: fc.integer({ min: 1, max: 5 }),
          reviewerId: fc.oneof(idNumber, phone),
          submittedAt: moment,
          comment: fc.string({ maxLength: 200 }),
        },
        { requiredKeys: ['reviewId', 'caseId', 'itemCode', 'departmentCode', 'channel', 'level', 'reviewerId', 'submittedAt'] },
      ),
    });
    const completed = fc.record({
      specversion: fc.constant('1.0'),
      id: code,
      source: fc.constant('/systems/department'),
      type: fc.constant('gov.case.completed'),
      time: moment,
      data: fc.record({ caseId: code, itemCode: code, departmentCode: code, applicantId: idNumber, channel: code, completedAt: moment }),
    });
    fc.assert(
      fc.property(fc.oneof(review, completed), (event) => {
        const result = validateEvent(event);
        expect(result.ok ? [] : result.errors).toEqual([]);
      }),
      RUNS,
    );
  });

  it('rejects every ID number whose check digit is changed', () => {
    fc.assert(
      fc.property(idNumber, fc.constantFrom(...'0123456789X'), (id, c) => {
        fc.pre(c !== id[17]);
        expect(isValidIdNumber(id)).toBe(true);
        expect(isValidIdNumber(id.slice(0, 17) + c)).toBe(false);
      }),
      RUNS,
    );
  });
});

describe('ingest', () => {
  const ports: IngestPorts = {
    record: async (events, receivedAt) => events.map(() => ({ outcome: 'new' as const, receivedAt })),
    enqueue: async () => undefined,
  };
  it('answers any body and content type with a status and a body, never an exception', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? '')),
        fc.constantFrom(undefined, '', 'application/cloudevents+json', 'application/cloudevents-batch+json; charset=utf-8', 'text/plain', 'APPLICATION/CLOUDEVENTS+JSON'),
        fc.constantFrom(...Object.keys(defaultSources), '/systems/nobody'),
        async (body, contentType, principal) => {
          const out = await ingest({ principal, contentType, body: Buffer.from(body), sources: defaultSources, receivedAt: '2026-11-02T00:00:00Z' }, ports);
          expect([202, 400, 403, 413]).toContain(out.status);
          if (out.status !== 202) expect(typeof out.body.error).toBe('string');
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('rules engine', () => {
  it('validateCondition never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 5 }), (raw) => {
        const issues = validateCondition(raw);
        expect(Array.isArray(issues)).toBe(true);
      }),
      RUNS,
    );
  });

  const fact = fc.tuple(fc.constantFrom(...FACT_ROOTS), fc.constantFrom('a', 'b', 'age', 'x.y')).map(([r, p]) => (r === 'now' ? 'now' : `${r}.${p}`));
  const value = fc.oneof(
    fc.integer({ min: -5, max: 5 }),
    fc.string({ maxLength: 4 }),
    fc.boolean(),
    fc.constantFrom('2025-01-01', 'now', '2025-06-30T12:00:00+08:00'),
    fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.string({ maxLength: 3 })), { maxLength: 3 }),
    fc.tuple(fc.integer({ min: -5, max: 0 }), fc.integer({ min: 0, max: 5 })),
  );
  let n = 0;
  const { condition } = fc.letrec<{ condition: unknown; leaf: unknown }>((tie) => ({
    leaf: fc.record({ fact, op: fc.constantFrom(...OPERATORS), value: fc.option(value, { nil: undefined }) }).map((l) => ({ id: `R-${++n}`, description: '规则', ...l })),
    condition: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      tie('leaf'),
      fc.record({ all: fc.array(tie('condition'), { minLength: 1, maxLength: 3 }) }),
      fc.record({ any: fc.array(tie('condition'), { minLength: 1, maxLength: 3 }) }),
      fc.record({ not: tie('condition') }),
    ),
  }));
  const facts = fc.dictionary(fc.constantFrom(...FACT_ROOTS), fc.oneof(fc.anything({ maxDepth: 3 }), fc.dictionary(fc.constantFrom('a', 'b', 'age', 'x'), fc.anything({ maxDepth: 2 }))));

  it('compiles every condition validateCondition accepts, and evaluates and explains any facts to true, false or unknown', () => {
    let compiled = 0;
    fc.assert(
      fc.property(condition, fc.array(facts, { minLength: 1, maxLength: 3 }), (c, factSets) => {
        const issues = validateCondition(c);
        if (issues.length > 0) {
          expect(() => compileCondition(c as Condition)).toThrow();
          return;
        }
        compiled++;
        const rules = compileCondition(c as Condition);
        for (const f of factSets) {
          const result = rules.evaluate(f as never);
          expect([true, false, null]).toContain(result);
          expect(rules.explain(f as never).result).toBe(result);
        }
      }),
      { numRuns: 1500 },
    );
    // The generator reaches the interesting part: valid conditions, not only rejections. About one generated
    // condition in ten is valid, so 1,500 runs give ~150; the bound leaves room for chance (500 runs once gave 47).
    expect(compiled).toBeGreaterThan(50);
  });
});
