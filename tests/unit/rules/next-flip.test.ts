import {
  compileCondition,
  nextFlip,
  withinWindow,
  WINDOW_LEAF_IDS,
  type Condition,
  type Facts,
  type NextFlip,
} from '#rules';
import { leafMaker } from './fixtures';

const leaf = leafMaker('NF');
const NOW = '2026-01-01T10:00:00+08:00';

/** The flip as the parts a test states: when (ISO UTC), the local date, from, to. */
const brief = (f: NextFlip | null) => f && { at: f.at, date: f.date, from: f.from, to: f.to };
/** Beijing local midnight of a date, as ISO UTC. */
const midnight = (date: string) => new Date(Date.parse(`${date}T00:00:00+08:00`)).toISOString();

describe('nextFlip: ageAtLeast', () => {
  const age80 = leaf('person.birthDate', 'ageAtLeast', 80);
  const born = (birthDate: unknown): Facts => ({ person: { birthDate } });

  it('flips to true at the start of the local birthday, and names the leaf', () => {
    const flip = nextFlip(age80, born('1946-05-01'), NOW);
    expect(brief(flip)).toEqual({ at: midnight('2026-05-01'), date: '2026-05-01', from: false, to: true });
    expect(flip?.at).toBe('2026-04-30T16:00:00.000Z');
    expect(flip?.timeZone).toBe('Asia/Shanghai');
    expect(flip?.leaves).toEqual([
      { path: '', id: age80.id, description: age80.description, fact: 'person.birthDate', op: 'ageAtLeast', value: 80, from: false, to: true },
    ]);
  });

  it('never flips once the age is reached (an age only grows)', () => {
    expect(nextFlip(age80, born('1946-01-01'), NOW)).toBeNull();
    expect(nextFlip(age80, born('1900-01-01'), NOW)).toBeNull();
  });

  it('reaches a 29 February birthday on 28 February of a common year', () => {
    expect(brief(nextFlip(age80, born('1944-02-29'), '2023-06-01T00:00:00Z'))).toEqual({
      at: midnight('2024-02-29'), // 1944 + 80 = 2024, a leap year: the 29th itself
      date: '2024-02-29',
      from: false,
      to: true,
    });
    expect(brief(nextFlip(age80, born('1948-02-29'), NOW))).toEqual({
      at: midnight('2028-02-29'),
      date: '2028-02-29',
      from: false,
      to: true,
    });
    expect(brief(nextFlip(leaf('person.birthDate', 'ageAtLeast', 18), born('2008-02-29'), NOW))).toEqual({
      at: midnight('2026-02-28'), // 2026 is common: the month's last day
      date: '2026-02-28',
      from: false,
      to: true,
    });
    expect(nextFlip(leaf('person.birthDate', 'ageAtLeast', 100), born('2000-02-29'), NOW)?.date).toBe('2100-02-28');
  });

  it('counts a birth instant by its local date', () => {
    // 1946-04-30T17:00Z was 01:00 on 1 May in Beijing.
    expect(nextFlip(age80, born('1946-04-30T17:00:00Z'), NOW)?.date).toBe('2026-05-01');
  });

  it('flips the other way under a not', () => {
    const under80 = { not: age80 };
    const flip = nextFlip(under80, born('1946-05-01'), NOW);
    expect(brief(flip)).toEqual({ at: midnight('2026-05-01'), date: '2026-05-01', from: true, to: false });
    expect(flip?.leaves.map((l) => [l.path, l.from, l.to])).toEqual([['not', false, true]]);
  });

  it('stays unknown, with no flip, when the birth date is missing or not a date', () => {
    expect(nextFlip(age80, born(undefined), NOW)).toBeNull();
    expect(nextFlip(age80, born('1946-13-01'), NOW)).toBeNull();
    expect(nextFlip(age80, born(19460501), NOW)).toBeNull();
    expect(nextFlip(age80, {}, NOW)).toBeNull();
  });

  it('is an age of 0 for `now` itself: never flips', () => {
    expect(nextFlip(leaf('now', 'ageAtLeast', 1), {}, NOW)).toBeNull();
  });
});

describe('nextFlip: dates against now', () => {
  it('before now (a date): true from the start of the day after', () => {
    const flip = nextFlip(leaf('form.eventDate', 'before', 'now'), { form: { eventDate: '2026-03-10' } }, NOW);
    expect(brief(flip)).toEqual({ at: midnight('2026-03-11'), date: '2026-03-11', from: false, to: true });
  });

  it('after now (a date): false from the start of that day', () => {
    const flip = nextFlip(leaf('licence.许可证.validUntil', 'after', 'now'), { licence: { 许可证: { validUntil: '2026-03-10' } } }, NOW);
    expect(brief(flip)).toEqual({ at: midnight('2026-03-10'), date: '2026-03-10', from: true, to: false });
  });

  it('before / after now (an instant): to the millisecond', () => {
    const t = '2026-03-10T09:30:00+08:00';
    expect(nextFlip(leaf('form.t', 'before', 'now'), { form: { t } }, NOW)?.at).toBe('2026-03-10T01:30:00.001Z');
    expect(nextFlip(leaf('form.t', 'after', 'now'), { form: { t } }, NOW)?.at).toBe('2026-03-10T01:30:00.000Z');
  });

  it('a date that is already past never flips back', () => {
    expect(nextFlip(leaf('form.d', 'before', 'now'), { form: { d: '2025-12-31' } }, NOW)).toBeNull();
    expect(nextFlip(leaf('form.d', 'after', 'now'), { form: { d: '2025-12-31' } }, NOW)).toBeNull();
  });

  it('now against itself never flips', () => {
    expect(nextFlip(leaf('now', 'before', 'now'), {}, NOW)).toBeNull();
  });

  it('a missing or unreadable fact stays unknown', () => {
    expect(nextFlip(leaf('form.d', 'before', 'now'), { form: {} }, NOW)).toBeNull();
    expect(nextFlip(leaf('form.d', 'before', 'now'), { form: { d: 'soon' } }, NOW)).toBeNull();
  });

  it.each<[string, unknown, string, boolean, boolean]>([
    ['after', '2026-03-10', midnight('2026-03-11'), false, true],
    ['before', '2026-03-10', midnight('2026-03-10'), true, false],
    ['gt', '2026-03-10', midnight('2026-03-11'), false, true],
    ['gte', '2026-03-10', midnight('2026-03-10'), false, true],
    ['lt', '2026-03-10', midnight('2026-03-10'), true, false],
    ['lte', '2026-03-10', midnight('2026-03-11'), true, false],
    ['gt', '2026-03-10T09:30:00+08:00', '2026-03-10T01:30:00.001Z', false, true],
    ['gte', '2026-03-10T09:30:00+08:00', '2026-03-10T01:30:00.000Z', false, true],
    ['lt', '2026-03-10T09:30:00+08:00', '2026-03-10T01:30:00.000Z', true, false],
    ['lte', '2026-03-10T09:30:00+08:00', '2026-03-10T01:30:00.001Z', true, false],
  ])('now %s %s flips at %s', (op, value, at, from, to) => {
    const flip = nextFlip(leaf('now', op as 'gt', value), {}, NOW);
    expect(flip && { at: flip.at, from: flip.from, to: flip.to }).toEqual({ at, from, to });
  });

  it('now between two dates: in at the start of the first, out after the last', () => {
    const c = leaf('now', 'between', ['2026-03-01', '2026-03-31']);
    expect(brief(nextFlip(c, {}, NOW))).toEqual({ at: midnight('2026-03-01'), date: '2026-03-01', from: false, to: true });
    expect(brief(nextFlip(c, {}, '2026-03-15T12:00:00+08:00'))).toEqual({
      at: midnight('2026-04-01'),
      date: '2026-04-01',
      from: true,
      to: false,
    });
    expect(nextFlip(c, {}, '2026-04-01T00:00:00+08:00')).toBeNull();
  });

  it('eq with the value "now" is the text "now", not the moment: no flip', () => {
    expect(nextFlip(leaf('form.x', 'eq', 'now'), { form: { x: 'later' } }, NOW)).toBeNull();
  });
});

describe('nextFlip: all, any, not and unknown facts', () => {
  const born = (birthDate: string, extra: Record<string, unknown> = {}): Facts => ({ person: { birthDate, ...extra } });
  const age60 = leaf('person.birthDate', 'ageAtLeast', 60);
  const resident = leaf('person.hukou', 'eq', '深圳');

  it('all: flips when the last time leaf turns, other parts holding', () => {
    const c: Condition = { all: [resident, age60, leaf('now', 'before', '2030-01-01')] };
    expect(nextFlip(c, born('1966-07-01', { hukou: '深圳' }), NOW)?.date).toBe('2026-07-01');
    // From then on it holds until the policy's end date is no longer in the future.
    expect(brief(nextFlip(c, born('1966-07-01', { hukou: '深圳' }), '2026-07-01T08:00:00+08:00'))).toEqual({
      at: midnight('2030-01-01'),
      date: '2030-01-01',
      from: true,
      to: false,
    });
  });

  it('all with a false static part never flips; any with a true static part never flips', () => {
    expect(nextFlip({ all: [resident, age60] }, born('1966-07-01', { hukou: '广州' }), NOW)).toBeNull();
    expect(nextFlip({ any: [resident, age60] }, born('1966-07-01', { hukou: '深圳' }), NOW)).toBeNull();
  });

  it('asking whether now exists is definite without a moment, so it does not cut the search short', () => {
    // Without a moment `not now exists` is true, which would settle the any; at every real moment it is
    // false, and the age decides.
    const c: Condition = { any: [{ not: leaf('now', 'exists', true) }, age60] };
    expect(brief(nextFlip(c, born('1966-07-01'), NOW))).toEqual({ at: midnight('2026-07-01'), date: '2026-07-01', from: false, to: true });
    expect(nextFlip({ all: [leaf('now', 'exists', true), age60] }, born('1966-07-01'), NOW)?.date).toBe('2026-07-01');
  });

  it('all with an unknown part: false turns unknown at the birthday, never true', () => {
    const flip = nextFlip({ all: [resident, age60] }, born('1966-07-01'), NOW);
    expect(brief(flip)).toEqual({ at: midnight('2026-07-01'), date: '2026-07-01', from: false, to: null });
    expect(nextFlip({ all: [resident, age60] }, born('1966-07-01'), NOW, { to: true })).toBeNull();
  });

  it('any with an unknown part: unknown turns true at the birthday', () => {
    expect(brief(nextFlip({ any: [resident, age60] }, born('1966-07-01'), NOW))).toEqual({
      at: midnight('2026-07-01'),
      date: '2026-07-01',
      from: null,
      to: true,
    });
  });

  it('skips a leaf change that changes nothing, and names only the leaves that turn at the flip', () => {
    const c: Condition = { all: [leaf('person.birthDate', 'ageAtLeast', 18), { not: leaf('person.birthDate', 'ageAtLeast', 65) }] };
    const flip = nextFlip(c, born('1961-09-09'), NOW); // 18 long ago; 65 on 2026-09-09
    expect(brief(flip)).toEqual({ at: midnight('2026-09-09'), date: '2026-09-09', from: true, to: false });
    expect(flip?.leaves.map((l) => l.path)).toEqual(['all[1].not']);
    // any[age ≥ 60, age ≥ 70]: the 70th birthday turns a leaf but not the result.
    const both: Condition = { any: [leaf('person.birthDate', 'ageAtLeast', 60), leaf('person.birthDate', 'ageAtLeast', 70)] };
    expect(nextFlip(both, born('1966-07-01'), NOW)?.date).toBe('2026-07-01');
    expect(nextFlip(both, born('1966-07-01'), '2026-07-02T00:00:00+08:00')).toBeNull();
  });

  it('`to: true` passes over flips to false on the way', () => {
    // In March by date, or from the 18th birthday on 2026-06-01.
    const c: Condition = { any: [leaf('now', 'between', ['2026-03-01', '2026-03-31']), leaf('person.birthDate', 'ageAtLeast', 18)] };
    const facts = born('2008-06-01');
    const mid = '2026-03-15T12:00:00+08:00';
    expect(nextFlip(c, facts, mid)?.date).toBe('2026-04-01');
    const flip = nextFlip(c, facts, mid, { to: true });
    expect(flip && { date: flip.date, from: flip.from, to: flip.to }).toEqual({ date: '2026-06-01', from: false, to: true });
    expect(nextFlip(c, facts, mid, { leaves: false })?.leaves).toEqual([]);
  });
});

describe('nextFlip: zones, inputs, compiled conditions', () => {
  it('finds local midnight in the compiled zone, across daylight saving', () => {
    const c = compileCondition(leaf('now', 'after', '2026-03-07'), { timeZone: 'America/New_York' });
    // 8 March 2026 starts at 00:00 EST (05:00Z); the clocks jump at 02:00 that day.
    expect(nextFlip(c, {}, '2026-03-01T00:00:00Z')?.at).toBe('2026-03-08T05:00:00.000Z');
    const summer = compileCondition(leaf('now', 'after', '2026-07-01'), { timeZone: 'America/New_York' });
    expect(nextFlip(summer, {}, '2026-03-01T00:00:00Z')?.at).toBe('2026-07-02T04:00:00.000Z');
    // Havana springs forward AT midnight: 8 March 2026 starts at 01:00 local, 05:00Z.
    const havana = compileCondition(leaf('now', 'gte', '2026-03-08'), { timeZone: 'America/Havana' });
    expect(nextFlip(havana, {}, '2026-03-01T00:00:00Z')?.at).toBe('2026-03-08T05:00:00.000Z');
  });

  it('takes the zone of an uncompiled condition from the options, and refuses a mismatch', () => {
    const c = leaf('now', 'after', '2026-03-07');
    expect(nextFlip(c, {}, '2026-03-01T00:00:00Z', { timeZone: 'Europe/London' })?.at).toBe('2026-03-08T00:00:00.000Z');
    const compiled = compileCondition(c);
    expect(() => nextFlip(compiled, {}, NOW, { timeZone: 'Europe/London' })).toThrow(/compiled for Asia\/Shanghai/);
    expect(nextFlip(compiled, {}, NOW, { timeZone: 'Asia/Shanghai' })?.date).toBe('2026-03-08');
  });

  it('takes now as an instant in any offset, a Date or epoch ms, and ignores facts.now', () => {
    const c = leaf('form.d', 'before', 'now');
    const facts = { form: { d: '2026-03-10' }, now: '2030-01-01T00:00:00Z' };
    const expected = midnight('2026-03-11');
    for (const now of ['2026-01-01T02:00:00Z', '2026-01-01T10:00:00+08:00', new Date('2026-01-01T02:00:00Z'), Date.parse('2026-01-01T02:00:00Z')]) {
      expect(nextFlip(c, facts, now)?.at).toBe(expected);
    }
  });

  it('is strictly after now: a flip at now itself is not the next one', () => {
    const c = leaf('now', 'gte', '2026-03-10');
    expect(nextFlip(c, {}, midnight('2026-03-10'))).toBeNull(); // already true at that instant, and stays
    expect(nextFlip(c, {}, new Date(Date.parse(midnight('2026-03-10')) - 1))?.at).toBe(midnight('2026-03-10'));
  });

  it.each([['2026-01-01'], ['not a date'], ['2026-01-01T10:00:00'], [Number.NaN]])('refuses now = %j', (now) => {
    expect(() => nextFlip(leaf('now', 'after', '2026-03-07'), {}, now)).toThrow(/now must be an RFC 3339 instant/);
  });
});

describe('withinWindow: a policy window folded into the condition', () => {
  const age80 = leaf('person.birthDate', 'ageAtLeast', 80);
  const window = { validFrom: '2026-07-01', validTo: '2026-12-31' };
  const born = (birthDate: string): Facts => ({ person: { birthDate } });

  it('flips on validFrom for someone already eligible, naming the window leaf', () => {
    const c = compileCondition(withinWindow(age80, window));
    const flip = nextFlip(c, born('1946-03-10'), NOW);
    expect(brief(flip)).toEqual({ at: midnight('2026-07-01'), date: '2026-07-01', from: false, to: true });
    expect(flip?.leaves.map((l) => l.id)).toEqual([WINDOW_LEAF_IDS.validFrom]);
  });

  it('flips on the birthday inside the window, and off after validTo (inclusive, local)', () => {
    const c = compileCondition(withinWindow(age80, window));
    expect(nextFlip(c, born('1946-09-09'), NOW)?.date).toBe('2026-09-09');
    const off = nextFlip(c, born('1946-09-09'), '2026-10-01T00:00:00+08:00');
    expect(brief(off)).toEqual({ at: midnight('2027-01-01'), date: '2027-01-01', from: true, to: false });
    expect(off?.leaves.map((l) => l.id)).toEqual([WINDOW_LEAF_IDS.validTo]);
  });

  it('never flips for a birthday after the window', () => {
    expect(nextFlip(compileCondition(withinWindow(age80, window)), born('1947-02-01'), NOW)).toBeNull();
  });

  it('takes instants exactly, is false (not unknown) outside the window, and keeps the criteria alone without a window', () => {
    const c = compileCondition(withinWindow(age80, { validFrom: '2026-07-01T09:00:00+08:00' }));
    expect(nextFlip(c, born('1946-03-10'), NOW)?.at).toBe('2026-07-01T01:00:00.000Z');
    expect(c.evaluate({ now: NOW, person: {} })).toBe(false);
    expect(withinWindow(age80, {})).toBe(age80);
  });
});
