import fc from 'fast-check';
import { canonicalJson, classifySubmission, contentHash, isSameApplication } from '#approval/domain/conflict';
import { decide } from '#approval/domain/decide';
import type { Application } from '#approval/domain/types';
import { inputFor, weatherApp, weatherItem } from './fixtures';

/** The same JSON content with every object's keys in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .reverse()
      .map(([k, v]) => [k, reverseKeys(v)]),
  );
}

describe('contentHash', () => {
  it('does not depend on key order', () => {
    const a = weatherApp();
    expect(contentHash(reverseKeys(a) as Application)).toBe(contentHash(a));
  });

  it('holds for any JSON content (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(canonicalJson(reverseKeys(v))).toBe(canonicalJson(v));
      }),
    );
  });

  it.each([
    ['a form value', weatherApp({ form: { weatherDate: '2026-11-10', purpose: '司法诉讼' } })],
    ['a material', weatherApp({ materials: [] })],
    ['the applicant', weatherApp({ applicant: { kind: 'person', id: '440106199001011234', name: '李四' } })],
    ['the submission time', weatherApp({ submittedAt: '2026-11-18T01:59:59Z' })],
  ])('changes with %s', (_name, changed) => {
    expect(contentHash(changed)).not.toBe(contentHash(weatherApp()));
  });

  it('treats an undefined field as absent', () => {
    expect(contentHash({ ...weatherApp(), commitment: undefined })).toBe(contentHash(weatherApp()));
  });
});

describe('same application decided once; a conflict is recorded, not decided', () => {
  const stored = decide(inputFor(weatherApp(), weatherItem));

  it('isSameApplication: same id and content', () => {
    expect(isSameApplication(weatherApp(), reverseKeys(weatherApp()) as Application)).toBe(true);
    expect(isSameApplication(weatherApp(), weatherApp({ channel: '自助终端' }))).toBe(false);
    expect(isSameApplication(weatherApp(), weatherApp({ applicationId: 'OTHER' }))).toBe(false);
  });

  it.each([
    ['nothing stored yet', undefined, weatherApp(), 'decide'],
    ['a redelivery', stored, reverseKeys(weatherApp()) as Application, 'duplicate'],
    ['same id, different content', stored, weatherApp({ form: { weatherDate: '2026-11-11', purpose: '保险理赔' } }), 'conflict'],
  ] as const)('%s → %s', (_name, existing, application, expected) => {
    expect(classifySubmission(existing, application)).toBe(expected);
  });
});
