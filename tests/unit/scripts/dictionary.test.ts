/**
 * `npm run dictionary`: the recipe of a preset dictionary for packed decision versions, and the candidate
 * it builds from the code and samples as they are: small enough for deflate's window, free of any item's
 * text and applicant's data, and packing every sample at least as small as the dictionary in use.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dictionaryInUse } from '#approval/store/packing';
import { codeLiterals, dictionaryModule, dictionaryParts, packedBytes, skeleton, WINDOW_BYTES } from '#scripts/dictionary/build';
import { dictionarySamples } from '#scripts/dictionary/samples';
import { candidateParts, codeOfDictionary } from '#scripts/dictionary';

describe('the recipe', () => {
  it('takes the Chinese wording of strings and template parts once each, in order, and the other string literals as constants', () => {
    const { fragments, constants } = codeLiterals([
      { path: 'a.ts', text: "const a = `证照 ${no} 已过期（有效期至 ${until}）`; const b = 'APPROVED'; type O = 'pass' | 'fail'; const c = `x${1}y`;" },
      { path: 'b.ts', text: "// 注释不算\nconst d = '已过期（有效期至 '; const e = '证照 '; const f = '';" },
    ]);
    expect(fragments).toEqual(['证照 ', ' 已过期（有效期至 ', '）', '已过期（有效期至 ']);
    expect([...constants].sort()).toEqual(['APPROVED', 'fail', 'pass']);
  });

  it('keeps a value\'s keys in order, zeroes numbers, empties every string the code does not spell, and cuts arrays to two', () => {
    const value = { outcome: 'APPROVED', applicantId: '440305199003071236', latencyMs: 812, ok: true, none: null, skip: undefined, list: [{ op: 'lte', value: 5 }, { op: 'in', value: ['a', 'b', 'c'] }, { op: 'gt' }] };
    const shape = skeleton(value, new Set(['APPROVED', 'lte', 'in']));
    expect(JSON.stringify(shape)).toBe('{"outcome":"APPROVED","applicantId":"","latencyMs":0,"ok":true,"none":null,"list":[{"op":"lte","value":0},{"op":"in","value":["",""]}]}');
  });

  it('puts the wording first and each sample\'s body before its facts, and refuses a dictionary deflate could not use whole', () => {
    expect(dictionaryParts(['甲', '乙'], new Set(['x']), [{ label: 's', body: { a: 'x' }, facts: { b: 1 } }, { label: 't', body: [2] }])).toEqual(['甲乙', '{"a":"x"}', '{"b":0}', '[0]']);
    const big = { label: 'big', body: Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`key${i}`, 1])) };
    expect(() => dictionaryParts([], new Set(), [big, big])).toThrow(/over deflate's 32768-byte window/);
  });

  it('writes the parts as the constant packing.ts would be given, read back to the same text', () => {
    const module = dictionaryModule(2, ['核查期限', '{"a":""}']);
    expect(module.split('\n')[0]).toBe('export const DICTIONARY_2: string = [');
    const parts = module.split('\n').slice(1, -2).map((line) => JSON.parse(line.trim().replace(/,$/, '')) as string);
    expect(parts.join('')).toBe('核查期限{"a":""}');
  });
});

describe('the candidate from the code and samples as they are', () => {
  const samples = dictionarySamples();
  const parts = candidateParts(samples);
  const candidate = parts.join('');

  it('is built alike every time, and fits deflate\'s window', () => {
    expect(candidateParts()).toEqual(parts);
    expect(Buffer.byteLength(candidate, 'utf8')).toBeLessThanOrEqual(WINDOW_BYTES);
  });

  it('decides every sample application and a five-child bundle, each shape once', () => {
    expect(samples.map((s) => s.label)).toEqual(['commitment-no-criminal-record', 'instant-outdoor-advertising', 'instant-weather-certificate', 'pending-materials', '企业开办 bundle']);
    expect(samples.map((s) => (s.body as { outcome?: string; status?: string }).outcome ?? (s.body as { status: string }).status)).toEqual([
      'APPROVED_ON_COMMITMENT',
      'APPROVED',
      'APPROVED',
      'ACCEPTED_PENDING_MATERIALS',
      'APPROVED',
    ]);
    expect((samples[4]!.body as { children: unknown[] }).children).toHaveLength(5);
  });

  it('holds no item\'s text and no applicant\'s data: its skeletons keep only strings the code spells, and no sample\'s text is in it', () => {
    const { constants } = codeOfDictionary();
    const kept = new Set<string>();
    const walk = (v: unknown): void => {
      if (typeof v === 'string' && v !== '') kept.add(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
    };
    for (const part of parts.slice(1)) walk(JSON.parse(part));
    expect(kept.size).toBeGreaterThan(10);
    expect([...kept].filter((v) => !constants.has(v))).toEqual([]);

    // What the samples hold (ids, names, forms, licence numbers, rule descriptions); the code's own literals aside.
    const texts = new Set<string>();
    const collect = (v: unknown): void => {
      if (typeof v === 'string' && v.length >= 2 && !constants.has(v) && !parts[0]!.includes(v)) texts.add(v);
      else if (Array.isArray(v)) v.forEach(collect);
      else if (v !== null && typeof v === 'object') Object.values(v).forEach(collect);
    };
    for (const type of ['gov.catalog.item.published', 'gov.application.submitted', 'gov.person.profile.updated', 'gov.enterprise.profile.updated', 'gov.licence.issued', 'gov.credit.updated']) {
      const dir = join('events/samples', type);
      for (const file of readdirSync(dir)) collect((JSON.parse(readFileSync(join(dir, file), 'utf8')) as { data: unknown }).data);
    }
    for (const s of samples) collect(s.body);
    expect(texts.size).toBeGreaterThan(100);
    expect([...texts].filter((t) => candidate.includes(`"${t}"`) || (/\d{6,}/.test(t) && candidate.includes(t)))).toEqual([]);
  });

  it('packs every sample at most three quarters of its size with no dictionary, and no larger than the dictionary in use does', () => {
    const inUse = dictionaryInUse().text;
    for (const s of samples) {
      const bytes = packedBytes(s, candidate);
      expect({ sample: s.label, fits: bytes <= 0.75 * packedBytes(s, undefined) && bytes <= packedBytes(s, inUse) }).toEqual({ sample: s.label, fits: true });
    }
  });
});
