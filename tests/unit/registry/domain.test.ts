import { asOfStamp, compareAsOf, replacesStored, staleOutcome, subMillisecond } from '#registry/domain/as-of';
import { falseCommitmentMarksOf, foldCredit } from '#registry/domain/credit';
import { becomesCurrent, conflictOutcome, versionArrival, versionOutcome } from '#registry/domain/item';
import { revocationInstant, revocationStands, revokedBefore, storedLicence } from '#registry/domain/licence';
import { ENTERPRISE_SHARDS, shardOf } from '#registry/domain/shards';
import type { CreditRecord, Licence } from '#contract/schemas';

describe('registry domain: newer asOf wins', () => {
  const at = asOfStamp('2026-11-01T00:00:00.000Z');

  it('replaces nothing stored, an older or an equal record, never a newer one', () => {
    expect(replacesStored(at, undefined)).toBe(true);
    expect(replacesStored(at, { ms: at.ms - 1 })).toBe(true);
    // Equal rewrites the same record: a redelivery that crashed after writing re-runs what follows.
    expect(replacesStored(at, { ms: at.ms })).toBe(true);
    expect(replacesStored(at, { ms: at.ms + 1 })).toBe(false);
  });

  it('keeps the fraction below the millisecond and compares by it within one millisecond', () => {
    const fine = asOfStamp('2026-11-01T00:00:00.123Z', '2026-11-01T08:00:00.12345600+08:00');
    expect(fine).toEqual({ at: '2026-11-01T00:00:00.123456Z', ms: Date.parse('2026-11-01T00:00:00.123Z'), sub: '456' });
    expect(asOfStamp('2026-10-31T16:00:00.000Z', '2026-11-01')).toEqual({ at: '2026-10-31T16:00:00.000Z', ms: Date.parse('2026-10-31T16:00:00.000Z'), sub: '' });
    expect(subMillisecond('2026-11-01T00:00:00.1Z')).toBe('');
    expect(subMillisecond('2026-11-01T00:00:00.123000Z')).toBe('');
    expect(subMillisecond('2026-11-01T00:00:00.1230009+08:00')).toBe('0009');
    expect(replacesStored(fine, { ms: fine.ms, sub: '456' })).toBe(true);
    expect(replacesStored(fine, { ms: fine.ms, sub: '4559' })).toBe(true);
    expect(replacesStored(fine, { ms: fine.ms, sub: '45600001' })).toBe(false);
    expect(replacesStored(fine, { ms: fine.ms, sub: '5' })).toBe(false);
    // A record stored without the digits below its millisecond has none.
    expect(replacesStored(fine, { ms: fine.ms })).toBe(true);
    expect(replacesStored(asOfStamp('2026-11-01T00:00:00.123Z'), { ms: fine.ms, sub: '456' })).toBe(false);
    expect(compareAsOf({ ms: 1, sub: '' }, { ms: 1 })).toBe(0);
  });

  it('says STALE with both asOf values, or only its own when the stored one is unknown', () => {
    expect(staleOutcome(at, '2026-11-02')).toEqual({
      outcome: 'kind',
      kind: 'STALE',
      reason: "asOf 2026-11-01T00:00:00.000Z is older than the stored record's (2026-11-02); the stored record stands",
      details: { asOf: '2026-11-01T00:00:00.000Z', storedAsOf: '2026-11-02' },
    });
    expect(staleOutcome(at, undefined)).toMatchObject({ reason: "asOf 2026-11-01T00:00:00.000Z is older than the stored record's; the stored record stands", details: { asOf: at.at } });
    expect(staleOutcome(at, undefined).details).not.toHaveProperty('storedAsOf');
  });
});

describe('registry domain: the credit fold', () => {
  const upstream: CreditRecord = { subjectId: 'S-1', asOf: '2026-10-01', rating: 'A', dishonest: false, falseCommitment: false };
  const mark = { at: '2026-11-21T07:30:00.000Z', applicationId: 'APP-1' };
  const second = { at: '2026-11-22T07:30:00.000Z', applicationId: 'APP-2' };

  it('leaves an upstream record without a mark as it is', () => {
    expect(foldCredit('S-1', upstream, [])).toEqual(upstream);
  });

  it('folds our mark into the upstream record, which keeps its own fields', () => {
    expect(foldCredit('S-1', { ...upstream, dishonest: true }, [mark])).toEqual({ ...upstream, dishonest: true, falseCommitment: true, falseCommitmentMarks: [mark] });
  });

  it('folds every mark, one per application: two revoked applications leave two marks', () => {
    expect(foldCredit('S-1', upstream, [mark, second])).toEqual({ ...upstream, falseCommitment: true, falseCommitmentMarks: [mark, second] });
  });

  it('makes a record of the marks alone: no rating (a rule on it is unknown), asOf the first mark, not dishonest', () => {
    const folded = foldCredit('S-2', undefined, [mark, second]);
    expect(folded).toEqual({ subjectId: 'S-2', asOf: mark.at, dishonest: false, falseCommitment: true, falseCommitmentMarks: [mark, second] });
    expect(folded).not.toHaveProperty('rating');
  });
});

describe('registry domain: the stored false-commitment marks', () => {
  const first = { at: '2026-11-21T07:30:00.000Z', applicationId: 'APP-1' };
  const second = { at: '2026-11-22T07:30:00.000Z', applicationId: 'APP-2' };

  it('reads the map by application, oldest first (ties by application)', () => {
    expect(falseCommitmentMarksOf({ 'APP-2': second, 'APP-1': first }, undefined)).toEqual([first, second]);
    const tie = { at: first.at, applicationId: 'APP-0' };
    expect(falseCommitmentMarksOf({ 'APP-1': first, 'APP-0': tie }, undefined)).toEqual([tie, first]);
  });

  it('still reads the single mark of an item written before the map, alone or beside the map', () => {
    expect(falseCommitmentMarksOf(undefined, first)).toEqual([first]);
    expect(falseCommitmentMarksOf({ 'APP-2': second }, first)).toEqual([first, second]);
  });

  it('keeps the single mark when the map names its application again (a redelivery after the change): it was written first', () => {
    const redelivered = { at: '2026-12-01T00:00:00.000Z', applicationId: 'APP-1' };
    expect(falseCommitmentMarksOf({ 'APP-1': redelivered, 'APP-2': second }, first)).toEqual([first, second]);
  });

  it('holds no mark when nothing is stored, and ignores what is not a mark', () => {
    expect(falseCommitmentMarksOf(undefined, undefined)).toEqual([]);
    expect(falseCommitmentMarksOf({}, null)).toEqual([]);
    expect(falseCommitmentMarksOf({ junk: 'x', other: { at: 1 } }, 'x')).toEqual([]);
  });
});

describe('registry domain: service item versions', () => {
  it('tells a first arrival, a redelivery, a replay and a conflict apart', () => {
    expect(versionArrival(undefined, 'h1', 'src#1')).toBe('first');
    expect(versionArrival({ hash: 'h1', cause: 'src#1' }, 'h1', 'src#1')).toBe('again');
    expect(versionArrival({ hash: 'h1', cause: 'src#1' }, 'h1', 'src#2')).toBe('replay');
    // A version stored before versions recorded their event is not a replay.
    expect(versionArrival({ hash: 'h1' }, 'h1', 'src#2')).toBe('again');
    expect(versionArrival({ hash: 'h1', cause: 'src#1' }, 'h2', 'src#1')).toBe('conflict');
    expect(versionArrival({}, 'h2', 'src#1')).toBe('conflict');
  });

  it('makes a version current unless a newer one is', () => {
    expect(becomesCurrent(2, undefined)).toBe(true);
    expect(becomesCurrent(2, 2)).toBe(true);
    expect(becomesCurrent(2, 1)).toBe(true);
    expect(becomesCurrent(1, 2)).toBe(false);
  });

  it('answers applied (with whether it became current), REPLAY or VERSION_CONFLICT', () => {
    expect(versionOutcome('first', 'QX', 3, false)).toEqual({ outcome: 'applied', details: { current: false } });
    expect(versionOutcome('again', 'QX', 3, true)).toEqual({ outcome: 'applied', details: { current: true } });
    expect(versionOutcome('replay', 'QX', 3, true)).toMatchObject({ kind: 'REPLAY', reason: 'service item QX version 3 was published before with the same content' });
    expect(conflictOutcome('QX', 3)).toMatchObject({ kind: 'VERSION_CONFLICT', reason: 'service item QX version 3 was published before with other content; the first stands' });
  });
});

describe('registry domain: licences', () => {
  const issued = { licenceNo: 'L-1', licenceType: '居民身份证', holderId: 'H', issuer: 'x', issuedAt: '2020-01-01T00:00:00Z', trustLevel: 'L3' } as unknown as Licence;

  it('stores a revocation as an ISO UTC instant', () => {
    expect(revocationInstant('2026-11-12T16:00:00+08:00')).toBe('2026-11-12T08:00:00.000Z');
  });

  it('keeps the earliest revocation: a later or repeated one changes nothing', () => {
    expect(revocationStands('2026-11-12T08:00:00.000Z', undefined)).toBe(true);
    expect(revocationStands('2026-11-12T08:00:00.000Z', '2026-11-20T02:00:00.000Z')).toBe(true);
    expect(revocationStands('2026-11-20T02:00:00.000Z', '2026-11-12T08:00:00.000Z')).toBe(false);
    expect(revocationStands('2026-11-12T08:00:00.000Z', '2026-11-12T08:00:00.000Z')).toBe(false);
    expect(revokedBefore('L-1', '2026-11-12T08:00:00.000Z')).toMatchObject({ kind: 'DUPLICATE', reason: 'licence L-1 was already revoked at 2026-11-12T08:00:00.000Z', details: { revokedAt: '2026-11-12T08:00:00.000Z' } });
    expect(revokedBefore('L-1', undefined)).toMatchObject({ reason: 'licence L-1 was already revoked', details: { revokedAt: null } });
  });

  it('folds a revocation into the issued licence, and nothing when there is none', () => {
    expect(storedLicence(issued, '2026-11-12T08:00:00.000Z')).toEqual({ ...issued, revokedAt: '2026-11-12T08:00:00.000Z' });
    expect(storedLicence(issued, undefined)).toEqual(issued);
  });
});

describe('registry domain: enterprise shards', () => {
  it('puts every credit code in one of the shards, the same one each time', () => {
    const codes = Array.from({ length: 500 }, (_, i) => `91440101MA${String(i).padStart(8, '0')}`);
    const shards = codes.map(shardOf);
    expect(shards.every((s) => Number.isInteger(s) && s >= 0 && s < ENTERPRISE_SHARDS)).toBe(true);
    expect(codes.map(shardOf)).toEqual(shards);
    // Spread: 500 codes reach most of the 64 shards.
    expect(new Set(shards).size).toBeGreaterThan(48);
  });
});
