import fc from 'fast-check';
import { compareDates, dayOf, instantOf, isDateString } from '#rules/dates';
import { compileCondition, type Condition, type Facts } from '#rules';
import { leafMaker } from './fixtures';

/**
 * The regex + Date.parse implementation the hand-written scanner replaced, kept verbatim as the oracle:
 * the scanner must accept, reject and order every string exactly as it did.
 */
const legacy = (() => {
  const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|([+-])(\d{2}):(\d{2}))$/;
  const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const dim = (y: number, m: number) => (m === 2 ? (isLeap(y) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31);
  const digit = (s: string, i: number) => {
    const c = s.charCodeAt(i) - 48;
    return c >= 0 && c <= 9 ? c : -100_000; // fixed: a non-digit 4th year character (e.g. 202x) once read as year 1020
  };
  const packed = (s: string) => {
    if (s.length < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return NaN;
    const y = digit(s, 0) * 1000 + digit(s, 1) * 100 + digit(s, 2) * 10 + digit(s, 3);
    const m = digit(s, 5) * 10 + digit(s, 6);
    const d = digit(s, 8) * 10 + digit(s, 9);
    if (y < 0 || m < 1 || m > 12 || d < 1 || d > dim(y, m)) return NaN;
    return y * 10000 + m * 100 + d;
  };
  const civil = (y: number, m: number, d: number) => {
    const yy = m <= 2 ? y - 1 : y;
    const era = Math.floor(yy / 400);
    const yoe = yy - era * 400;
    const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
    return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
  };
  const validTime = (s: string) => {
    const m = RFC3339.exec(s);
    if (!m) return false;
    if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) return false;
    return !(m[9] !== undefined && (Number(m[10]) > 23 || Number(m[11]) > 59));
  };
  const isInstant = (s: string) => s.length > 10 && RFC3339.test(s) && validTime(s);
  const dayOf = (s: string) => {
    if (s.length !== 10 && !isInstant(s)) return NaN;
    const p = packed(s);
    return p !== p ? NaN : civil(Math.floor(p / 10000), Math.floor(p / 100) % 100, p % 100);
  };
  const instantOf = (s: string) =>
    s.length <= 10 || !isInstant(s) || packed(s) !== packed(s) ? NaN : Date.parse(s.toUpperCase());
  return { dayOf, instantOf, packed };
})();

/** Strings around the valid shapes: valid parts, out-of-range parts, and single-character damage. */
const pad = (n: number, w: number) => String(n).padStart(w, '0');
const nearDate = fc
  .tuple(
    fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(1900, 2000, 2024, 2025, 2100)),
    fc.integer({ min: 0, max: 13 }),
    fc.integer({ min: 0, max: 32 }),
  )
  .map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`);
const nearTime = fc
  .tuple(
    fc.integer({ min: 0, max: 25 }),
    fc.integer({ min: 0, max: 61 }),
    fc.integer({ min: 0, max: 61 }),
    fc.option(fc.stringMatching(/^[0-9]{0,11}$/), { nil: undefined }),
    fc.oneof(
      fc.constantFrom('Z', 'z', ''),
      fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 })).map(
        ([sign, h, m]) => `${sign}${pad(h, 2)}:${pad(m, 2)}`,
      ),
    ),
    fc.constantFrom('T', 't', ' '),
  )
  .map(([h, mi, s, frac, zone, t]) => `${t}${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${frac === undefined ? '' : `.${frac}`}${zone}`);
const damaged = (s: string) =>
  fc.tuple(fc.nat(s.length), fc.constantFrom('', 'x', '/', ':', '-', '0', '9', ' ', '１')).map(
    ([i, c]) => s.slice(0, i) + c + s.slice(i + 1),
  );
const candidate = fc.oneof(
  nearDate,
  fc.tuple(nearDate, nearTime).map(([d, t]) => d + t),
  nearDate.chain(damaged),
  fc.tuple(nearDate, nearTime).chain(([d, t]) => damaged(d + t)),
  fc.string({ maxLength: 30 }),
);

describe('date scanning matches the regex implementation it replaced', () => {
  it('gives the same day and instant for every near-valid or damaged string', () => {
    fc.assert(
      fc.property(candidate, (s) => {
        expect(dayOf(s)).toBe(legacy.dayOf(s));
        expect(instantOf(s)).toBe(legacy.instantOf(s));
        expect(isDateString(s)).toBe(legacy.dayOf(s) === legacy.dayOf(s));
      }),
      { numRuns: 10_000 },
    );
  });

  it('orders pairs exactly as before', () => {
    const valid = candidate.filter((s) => legacy.dayOf(s) === legacy.dayOf(s));
    fc.assert(
      fc.property(valid, valid, (a, b) => {
        const ia = legacy.instantOf(a);
        const ib = legacy.instantOf(b);
        const expected = ia === ia && ib === ib ? ia - ib : legacy.dayOf(a) - legacy.dayOf(b);
        expect(compareDates(a, b)).toBe(expected);
      }),
      { numRuns: 5_000 },
    );
  });

  it.each([
    ['2025-10-09', 20370, NaN],
    ['2024-02-29', 19782, NaN],
    ['2025-10-09T10:00:00+08:00', 20370, Date.UTC(2025, 9, 9, 2)],
    ['2025-10-09t02:00:00z', 20370, Date.UTC(2025, 9, 9, 2)],
    ['2025-01-01T00:00:00.5Z', 20089, Date.UTC(2025, 0, 1) + 500],
    ['2025-01-01T00:00:00.12Z', 20089, Date.UTC(2025, 0, 1) + 120],
    ['2025-01-01T00:00:00.123456789Z', 20089, Date.UTC(2025, 0, 1) + 123], // truncated, as Date.parse does
    ['1969-12-31T23:59:59.9991Z', -1, -1],
    ['0000-01-01T00:00:00+23:59', -719528, Date.parse('0000-01-01T00:00:00+23:59')],
    ['2025-02-29', NaN, NaN],
    ['2025-10-09T24:00:00Z', NaN, NaN],
    ['2025-10-09T10:00:00', NaN, NaN], // no offset
    ['2025-10-09T10:00:00.Z', NaN, NaN],
    ['2025-10-09T10:00:00.1234567890Z', NaN, NaN], // more than nine fraction digits
    ['202x-01-01', NaN, NaN], // a letter in the year is not a date (was once read as 1020)
    ['200x-05-01', NaN, NaN],
    ['2025-10-09T10:00:00+24:00', NaN, NaN],
    ['2025-10-09T10:00:00+0800', NaN, NaN],
    ['2025-10-09 10:00:00Z', NaN, NaN],
    ['2025-1-09', NaN, NaN],
    ['', NaN, NaN],
  ])('%s → day %d, ms %d', (s, day, ms) => {
    expect(dayOf(s)).toBe(day);
    expect(instantOf(s)).toBe(ms);
  });
});

const leaf = leafMaker('M');

describe('ageAtLeast against a reference that counts anniversaries', () => {
  /**
   * Independent of the engine's packed arithmetic: the birthday of `years` is the same month and day that
   * many years on, or the month's last day when there is none; a birth instant counts on its date in
   * Shanghai (UTC+8, no daylight saving since 1991, which every instant below is after).
   */
  const utc = (y: number, m: number, d: number) => new Date(0).setUTCFullYear(y, m - 1, d); // Date.UTC reads 0–99 as 1900–1999
  const dim = (y: number, m: number) => new Date(utc(y, m + 1, 0)).getUTCDate();
  const birthDay = (s: string): [number, number, number] | null => {
    const day = legacy.dayOf(s);
    if (day !== day) return null;
    const ms = legacy.instantOf(s);
    const d = new Date(ms === ms ? ms + 8 * 3_600_000 : day * 86_400_000);
    return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
  };
  const reference = (birth: string, now: string, years: number): boolean | null => {
    const b = birthDay(birth);
    if (b === null) return null;
    const [y, m, d] = b;
    const due = [y + years, m, Math.min(d, dim(y + years, m))];
    const n = now.slice(0, 10).split('-').map(Number);
    return n[0]! * 10000 + n[1]! * 100 + n[2]! >= due[0]! * 10000 + due[1]! * 100 + due[2]!;
  };
  const birth = fc.oneof(
    nearDate,
    fc.constantFrom('2008-02-29', '2004-02-29', '2000-02-29', '1900-02-28', '2008-02-28', '2008-03-01'),
    fc.tuple(nearDate, nearTime).map(([d, t]) => d + t).filter((s) => s.slice(0, 4) >= '1992' && s.slice(0, 4) <= '9900'),
    nearDate.chain(damaged),
  );
  /** A `now` within two days of the birthday of `years` (where answers flip), or any date for a birth that is none. */
  const nowNear = (b: string, years: number, offset: number): string => {
    const born = birthDay(b);
    const [y, m, d] = born === null ? [2026, 11, 3] : [born[0] + years, born[1], Math.min(born[2], dim(born[0] + years, born[1]))];
    const at = new Date(utc(y, m, d) + offset * 86_400_000);
    return `${pad(at.getUTCFullYear(), 4)}-${pad(at.getUTCMonth() + 1, 2)}-${pad(at.getUTCDate(), 2)}T12:00:00+08:00`;
  };

  it('gives the reference answer for date-only births, instants, 29 February and damaged strings', () => {
    const compiled = new Map([0, 1, 16, 18, 60, 80].map((y) => [y, compileCondition(leaf('applicant.birthDate', 'ageAtLeast', y))]));
    fc.assert(
      fc.property(birth, fc.constantFrom(...compiled.keys()), fc.integer({ min: -2, max: 2 }), (b, years, offset) => {
        const born = birthDay(b);
        fc.pre(born === null || born[0] + years < 9999); // a now past the year 9999 is not a date
        const n = nowNear(b, years, offset);
        fc.pre(/^\d{4}-/.test(n)); // nor one before the year 0 (a birth on 0000-01-01 or 02, two days back)
        expect([b, n, compiled.get(years)!.evaluate({ applicant: { birthDate: b }, now: n })]).toEqual([b, n, reference(b, n, years)]);
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('the remembered `now`', () => {
  const age18 = compileCondition(leaf('applicant.birthDate', 'ageAtLeast', 18));
  const beforeNow = compileCondition(leaf('form.d', 'before', 'now'));
  const both: Condition = { all: [leaf('applicant.birthDate', 'ageAtLeast', 18), leaf('form.d', 'before', 'now')] };
  const bothCompiled = compileCondition(both);
  const facts = (now: unknown, birthDate: unknown, d: unknown): Facts => ({ now, applicant: { birthDate }, form: { d } });

  it('gives the right answer when two `now` values alternate', () => {
    const early = '2025-10-09T10:00:00+08:00';
    const late = '2025-10-10T10:00:00+08:00';
    for (let i = 0; i < 4; i += 1) {
      for (const c of [age18, bothCompiled]) {
        expect(c.evaluate(facts(early, '2007-10-10', '2025-10-09T09:00:00+08:00'))).toBe(false);
        expect(c.evaluate(facts(late, '2007-10-10', '2025-10-09T09:00:00+08:00'))).toBe(true);
      }
      expect(beforeNow.evaluate(facts(early, '', '2025-10-09T10:30:00+08:00'))).toBe(false);
      expect(beforeNow.evaluate(facts(late, '', '2025-10-09T10:30:00+08:00'))).toBe(true);
      expect(beforeNow.explain(facts(early, '', '2025-10-09T10:30:00+08:00')).result).toBe(false);
      expect(beforeNow.explain(facts(late, '', '2025-10-09T10:30:00+08:00')).result).toBe(true);
    }
  });

  it('treats an equal string built separately as the same `now`, and an instant and a date differently', () => {
    const now = ['2025-10-09', 'T02:00:00Z'].join('');
    expect(beforeNow.evaluate(facts(now, '', '2025-10-09T09:59:59+08:00'))).toBe(true);
    expect(beforeNow.evaluate(facts(now.slice(0, 10), '', '2025-10-09T09:59:59+08:00'))).toBe(false); // same day
    expect(beforeNow.evaluate(facts(now, '', '2025-10-09T10:00:00+08:00'))).toBe(false); // same instant
  });

  it.each([
    ['an invalid now', 'not a date', '2007-10-09', '2025-01-01'],
    ['an impossible now', '2025-02-30T10:00:00+08:00', '2007-10-09', '2025-01-01'],
    ['a now without offset', '2025-10-09T10:00:00', '2007-10-09', '2025-01-01'],
    ['a numeric now', 20251009, '2007-10-09', '2025-01-01'],
    ['an invalid fact date', '2025-10-09T10:00:00+08:00', '2007-02-30', '2025-13-01'],
    ['a fact instant without offset', '2025-10-09T10:00:00+08:00', '2007-10-09T00:00:00', '2025-01-01T00:00:00'],
  ])('is unknown with %s, also right after a valid one was remembered', (_, now, birthDate, d) => {
    const valid = facts('2025-10-09T10:00:00+08:00', '2007-10-09', '2025-01-01');
    const invalid = facts(now, birthDate, d);
    for (const c of [age18, beforeNow, bothCompiled]) {
      expect(c.evaluate(valid)).toBe(true);
      expect(c.evaluate(invalid)).toBeNull();
      expect(c.explain(invalid).result).toBeNull();
      expect(c.evaluate(valid)).toBe(true); // and an invalid now does not poison the next valid one
    }
  });
});
