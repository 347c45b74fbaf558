import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { decisionAudit } from '#approval/domain/audit';
import { decide } from '#approval/domain/decide';
import { approvalFigures } from '#approval/domain/figures';
import { factsOf } from '#approval/domain/replay';
import { DICTIONARY_1 } from '#approval/store/dictionary';
import { currentOf, decodeBody, decodeVersion, encodeBody } from '#approval/store/items';
import { pack, unpack } from '#approval/store/packing';
import { criminalApp, criminalRecordItem, inputFor, posterApp, posterItem, weatherApp, weatherItem } from './fixtures';

// The store keeps the full decision once (V#, compressed when large) and a small DECISION summary that the
// figures route and the monthly report read: these are the pure parts of that layout (the rest is checked
// against DynamoDB Local in tests/adapter/approval-store.test.ts).
describe('approval store items', () => {
  const decisions = [
    decide(inputFor(weatherApp(), weatherItem)),
    decide(inputFor(posterApp({ applicationId: 'P-3', materials: [{ code: 'APPLY', provided: true }] }), posterItem)),
    decide(inputFor(criminalApp(), criminalRecordItem)),
  ];

  it.each(decisions.map((d) => [d.outcome, d] as const))('round-trips a %s decision through the body encoding', (_o, d) => {
    expect(decodeBody(encodeBody(d) as Record<string, unknown>)).toEqual(JSON.parse(JSON.stringify(d)));
  });

  it('packs a large body and leaves a small one as JSON text', () => {
    const large = encodeBody(decisions[0]);
    expect('bodyZ' in large).toBe(true);
    const packed = (large as { bodyZ: Uint8Array }).bodyZ;
    expect(packed[0]).toBe(1);
    expect(packed.byteLength).toBeLessThan(Buffer.byteLength(JSON.stringify(decisions[0])) / 3);
    expect(JSON.parse(unpack(packed).json).applicationId).toBe(decisions[0]!.applicationId);
    expect(encodeBody({ a: 1 })).toEqual({ body: '{"a":1}' });
  });

  it('keeps in the current-state summary everything the figures read, and no trace', () => {
    const summaries = decisions.map(currentOf);
    expect(approvalFigures(summaries)).toEqual(approvalFigures(decisions));
    for (const s of summaries) expect(s).not.toHaveProperty('trace');
    const pending = summaries[1]!;
    expect(pending.supplementDue).toEqual(decisions[1]!.supplementDue);
    expect(Buffer.byteLength(JSON.stringify(summaries[0]))).toBeLessThan(1024);
  });
});

describe('packed first versions', () => {
  const inputs = [
    inputFor(weatherApp(), weatherItem),
    inputFor(posterApp({ applicationId: 'P-3', materials: [{ code: 'APPLY', provided: true }] }), posterItem),
    inputFor(criminalApp(), criminalRecordItem),
  ];

  it.each(inputs.map((input) => [input.item?.itemCode, input] as const))('keeps the %s decision and its facts in one stream, read back as they were', (_code, input) => {
    const decision = decide(input);
    const facts = factsOf(input);
    const stored = encodeBody(decision, facts);
    expect(Object.keys(stored)).toEqual(['bodyZ']);
    expect(decodeVersion(stored)).toEqual({ decision: JSON.parse(JSON.stringify(decision)), facts: JSON.parse(JSON.stringify(facts)) });
  });

  it('stores them in at most three quarters of the bytes of the form before (a gzip body, the facts deflated against it)', () => {
    for (const input of inputs) {
      const decision = decide(input);
      const json = JSON.stringify(decision);
      const before = gzipSync(json).byteLength + deflateRawSync(JSON.stringify(factsOf(input)), { level: 9, dictionary: Buffer.from(json) }).byteLength;
      const after = (encodeBody(decision, factsOf(input)) as { bodyZ: Uint8Array }).bodyZ.byteLength;
      expect(after).toBeLessThan(0.75 * before);
    }
  });

  it('still reads a version written before packing: a gzip body with facts deflated against it, or JSON text', () => {
    const input = inputs[1]!;
    const decision = decide(input);
    const json = JSON.stringify(decision);
    const facts = factsOf(input);
    const old = { bodyGz: gzipSync(json), facts: deflateRawSync(JSON.stringify(facts), { level: 9, dictionary: Buffer.from(json) }) };
    expect(decodeVersion(old)).toEqual({ decision: JSON.parse(json), facts: JSON.parse(JSON.stringify(facts)) });
    expect(decodeVersion({ body: json })).toEqual({ decision: JSON.parse(json) });
    expect(decodeBody({ bodyGz: gzipSync('{"a":1}') })).toEqual({ a: 1 });
  });

  it('refuses a packed body that names a dictionary this code does not have', () => {
    const packed = pack('{"a":1}');
    packed[0] = 9;
    expect(() => unpack(packed)).toThrow('a packed body names dictionary 9, which this code does not have');
  });

  // Every item packed with dictionary 1 is read back with it: its text may never change.
  it('keeps dictionary 1 byte for byte', () => {
    expect(createHash('sha256').update(DICTIONARY_1, 'utf8').digest('hex')).toBe('d5e6a15f389dee994174e8592d247ddcb677303a17d08193ece854118e407c6c');
  });

  it('holds no item\'s text: none of the sample items\' names, materials or rules is in the dictionary', () => {
    const dir = 'events/samples/gov.catalog.item.published';
    const texts = new Set<string>();
    const collect = (v: unknown, key = ''): void => {
      if (typeof v === 'string' && ['name', 'description', 'itemName', 'certificateType'].includes(key)) texts.add(v);
      else if (Array.isArray(v)) v.forEach((x) => collect(x, key));
      else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) collect(x, k);
    };
    for (const file of readdirSync(dir)) collect(JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')));
    for (const input of inputs) collect(input.item);
    expect(texts.size).toBeGreaterThan(20);
    expect([...texts].filter((t) => DICTIONARY_1.includes(t))).toEqual([]);
  });
});

describe('audit lines', () => {
  it('a decision\'s line has its reason codes, keyed by its cause, and neither the trace nor the messages', () => {
    const d = decide(inputFor(posterApp({ applicationId: 'P-3', materials: [{ code: 'APPLY', provided: true }] }), posterItem));
    const entry = decisionAudit(d, { source: '/gov/one', id: 'e-1', type: 'gov.application.submitted' }, 'decided', d.updatedAt);
    expect(entry).toMatchObject({ subject: 'application:P-3', actor: '/gov/one', causeId: '/gov/one#e-1', why: 'MATERIALS_PENDING' });
    expect(entry.details).toMatchObject({ reasonCodes: d.reasons.map((r) => r.code), sequence: 1, outcome: d.outcome });
    expect(JSON.stringify(entry)).not.toContain('"trace"');
    expect(JSON.stringify(entry)).not.toContain(d.reasons[0]!.message);
  });
});
