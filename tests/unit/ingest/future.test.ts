/**
 * An event's own time ("when it happened") may not lie after its receipt at the edge: a typo such as
 * `"asOf": "2062-03-01"` made every later real update "older" until 2062 (the record frozen), and a
 * submittedAt or a step's `at` ahead moved deadlines and figures. A timestamp may be at most CLOCK_SKEW_MINUTES
 * after the receipt (upstream clocks drift); a date-only value at most the bureau's local date of receipt.
 * Times that legitimately lie ahead (a licence's validUntil, a policy's window) are not touched.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCalendar } from '#calendar';
import { INBOUND_TYPES } from '#contract/inbound';
import { CLOCK_SKEW_MINUTES, CLOCK_SKEW_MS } from '#contract/timestamp';
import { screenEvents } from '#ingest/domain/screen';
import { CONTENT_TYPE_SINGLE } from '#ingest/domain/types';

const SAMPLES = join(import.meta.dirname, '../../../events/samples');
const calendar = createCalendar({ timeZone: 'Asia/Shanghai', useChineseDays: true, holidays: [], workdays: [] });

function samplesOf(type: string): Array<[string, Record<string, any>]> {
  return readdirSync(join(SAMPLES, type))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(join(SAMPLES, type, f), 'utf8'))]);
}
const sample = (type: string) => structuredClone(samplesOf(type)[0]![1]);

/**
 * The decision, per type: the fields saying when the event's occurrence happened (refused when after the
 * receipt), and the date or timestamp fields that are not the event's time (never refused for lying ahead;
 * most may: a licence's validUntil, a policy's window). The envelope's `time` is not checked: no consumer
 * reads it, the data says when the thing happened. Every date or timestamp of every sample's data must be in
 * one list.
 */
const HAPPENED: Record<string, readonly string[]> = {
  'gov.enterprise.profile.updated': ['data.asOf'],
  'gov.person.profile.updated': ['data.asOf'],
  'gov.credit.updated': ['data.asOf'],
  'gov.licence.issued': ['data.issuedAt'],
  'gov.licence.revoked': ['data.revokedAt'],
  'gov.application.submitted': ['data.submittedAt', 'data.commitment.signedAt'],
  'gov.application.reviewed': ['data.at'],
  'gov.case.completed': ['data.completedAt', 'data.acceptedAt'],
  'gov.policy.confirmed': ['data.at'],
  'gov.policy.disbursed': ['data.at'],
  'gov.policy.recovered': ['data.at'],
  'gov.review.submitted': ['data.submittedAt'],
  'gov.rectification.updated': ['data.at'],
  'gov.hardcase.reported': ['data.reportedAt'],
  'gov.hardcase.updated': ['data.at'],
};
const NOT_THE_EVENTS_TIME: Record<string, readonly string[]> = {
  'gov.licence.issued': ['data.validUntil'],
  'gov.policy.published': ['data.validFrom', 'data.validTo'],
  // A person's birth date is a fact about the person, not the time of the event: refused only when after the
  // bureau's date, with no clock skew, as an ID number's birth date is (tests/unit/contract/data.test.ts).
  'gov.person.profile.updated': ['data.birthDate'],
  // The form is the applicant's answers (here the date of the advertised event, ahead by nature).
  'gov.application.submitted': ['data.form.eventDate'],
};
const FIELDS = INBOUND_TYPES.flatMap((type) => (HAPPENED[type] ?? []).map((path) => [type, path] as const));

function set(event: Record<string, any>, path: string, value: unknown): void {
  const keys = path.split('.');
  let at = event;
  for (const k of keys.slice(0, -1)) at = at[k] ??= {};
  at[keys.at(-1)!] = value;
}

function screen(event: Record<string, any>, receivedAt: string) {
  const poster = {
    principal: event.source as string,
    allowed: new Set([event.type as string]),
    receivedAt,
    today: calendar.localDate(receivedAt),
    timeZone: 'Asia/Shanghai',
  };
  const out = screenEvents([event], CONTENT_TYPE_SINGLE, poster);
  return out.rejected.flatMap((r) => r.errors);
}

const at = (ms: number, offset = '+08:00') => {
  const shift = offset === 'Z' ? 0 : (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4))) * 60_000;
  return new Date(ms + shift).toISOString().replace('Z', offset === 'Z' ? 'Z' : offset);
};

/** Tuesday 2026-12-08, 10:00 in Shanghai: after every sample's own time. */
const RECEIVED = '2026-12-08T02:00:00.000Z';
const RECEIVED_MS = Date.parse(RECEIVED);

describe('an event\'s own time is not after its receipt', () => {
  it('every date and timestamp of every sample is decided: when it happened (checked) or not the event\'s time', () => {
    const undecided: string[] = [];
    const walk = (type: string, v: unknown, path: string) => {
      if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}(?:[Tt]|$)/.test(v)) {
        const decided = (HAPPENED[type] ?? []).includes(path) || (NOT_THE_EVENTS_TIME[type] ?? []).includes(path);
        if (!decided) undecided.push(`${type} ${path}`);
      } else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        for (const [k, child] of Object.entries(v)) walk(type, child, path === '' ? k : `${path}.${k}`);
      }
    };
    for (const type of INBOUND_TYPES) for (const [, e] of samplesOf(type)) walk(type, { data: e.data }, '');
    expect(undecided).toEqual([]);
  });

  it('every sample is accepted at a receipt after its own times', () => {
    for (const type of INBOUND_TYPES) for (const [f, e] of samplesOf(type)) expect([type, f, screen(e, RECEIVED)]).toEqual([type, f, []]);
  });

  it.each(FIELDS)(`%s: %s may be ${CLOCK_SKEW_MINUTES} minutes after the receipt, not a millisecond more`, (type, path) => {
    const event = sample(type);
    // A case is accepted no later than it is completed: completed at the edge of the tolerance too.
    if (path === 'data.acceptedAt') set(event, 'data.completedAt', at(RECEIVED_MS + CLOCK_SKEW_MS));
    // Just inside the tolerance, written in the bureau's offset and in UTC.
    set(event, path, at(RECEIVED_MS + CLOCK_SKEW_MS));
    expect(screen(event, RECEIVED)).toEqual([]);
    set(event, path, at(RECEIVED_MS + CLOCK_SKEW_MS, 'Z'));
    expect(screen(event, RECEIVED)).toEqual([]);
    // Just outside it, in any offset: compared as instants.
    for (const offset of ['+08:00', 'Z', '-05:00']) {
      set(event, path, at(RECEIVED_MS + CLOCK_SKEW_MS + 1, offset));
      expect([offset, screen(event, RECEIVED)]).toEqual([
        offset,
        [{ path, message: `is after the event was received (${RECEIVED}): it must say when something happened, at most ${CLOCK_SKEW_MINUTES} minutes ahead for clock skew` }],
      ]);
    }
    // Past it by less than a millisecond: compared to the last digit of the fraction.
    set(event, path, at(RECEIVED_MS + CLOCK_SKEW_MS).replace(/(\.\d{3})/, '$10001'));
    expect(screen(event, RECEIVED)).toEqual([{ path, message: expect.stringMatching(/^is after the event was received/) }]);
    // The typo of the story: a year decades ahead.
    set(event, path, '2062-03-01T09:00:00+08:00');
    expect(screen(event, RECEIVED)).toEqual([{ path, message: expect.stringMatching(/^is after the event was received/) }]);
  });

  it.each(['gov.enterprise.profile.updated', 'gov.person.profile.updated', 'gov.credit.updated'])(
    '%s: a date-only asOf may be the bureau\'s local date of receipt, not the next day, around local midnight',
    (type) => {
      const event = sample(type);
      const asOf = (value: string, receivedAt: string) => {
        set(event, 'data.asOf', value);
        return screen(event, receivedAt);
      };
      const refused = (today: string) => [
        { path: 'data.asOf', message: `is a date after the day the event was received (${today} in the bureau's time zone): it must say when something happened, not a later day` },
      ];
      // 00:30 on 2026-12-09 in Shanghai, still 2026-12-08 in UTC: the local day that has begun is taken.
      expect(asOf('2026-12-09', '2026-12-08T16:30:00.000Z')).toEqual([]);
      expect(asOf('2026-12-10', '2026-12-08T16:30:00.000Z')).toEqual(refused('2026-12-09'));
      // 23:59 on 2026-12-08 in Shanghai: the next local day is refused, though it begins a minute later.
      expect(asOf('2026-12-08', '2026-12-08T15:59:00.000Z')).toEqual([]);
      expect(asOf('2026-12-09', '2026-12-08T15:59:00.000Z')).toEqual(refused('2026-12-08'));
      expect(asOf('2062-03-01', RECEIVED)).toEqual(refused('2026-12-08'));
      // Midnight itself belongs to the new day.
      expect(asOf('2026-12-09', '2026-12-08T16:00:00.000Z')).toEqual([]);
    },
  );

  it('never refuses a time that may lie ahead: a licence\'s validUntil, a policy\'s window, a form\'s date', () => {
    const licence = sample('gov.licence.issued');
    set(licence, 'data.validUntil', '2062-03-01');
    expect(screen(licence, RECEIVED)).toEqual([]);
    for (const [validFrom, validTo] of [['2062-03-01', '2063-03-01'], ['2062-03-01T00:00:00+08:00', '9999-12-31']]) {
      const policy = sample('gov.policy.published');
      set(policy, 'data.validFrom', validFrom);
      set(policy, 'data.validTo', validTo);
      expect([validFrom, screen(policy, RECEIVED)]).toEqual([validFrom, []]);
    }
    const application = sample('gov.application.submitted');
    set(application, 'data.form.eventDate', '2062-03-01');
    expect(screen(application, RECEIVED)).toEqual([]);
  });

  it('names every field that lies ahead, each once; the envelope\'s time is not checked', () => {
    const application = sample('gov.application.submitted');
    set(application, 'time', '2062-03-01T09:00:00+08:00');
    set(application, 'data.submittedAt', '2062-03-01T09:00:00+08:00');
    set(application, 'data.commitment.signedAt', '2062-03-01T09:00:00+08:00');
    expect(screen(application, RECEIVED).map((e) => e.path).sort()).toEqual(['data.commitment.signedAt', 'data.submittedAt']);
    set(application, 'data.submittedAt', '2026-12-08T09:00:00+08:00');
    set(application, 'data.commitment.signedAt', '2026-12-08T09:00:00+08:00');
    expect(screen(application, RECEIVED)).toEqual([]);
  });

  it('checks nothing against a receipt outside the edge (no moment of receipt given)', () => {
    const credit = sample('gov.credit.updated');
    set(credit, 'data.asOf', '2062-03-01');
    const out = screenEvents([credit], CONTENT_TYPE_SINGLE, { principal: credit.source, allowed: new Set([credit.type]) });
    expect(out.rejected).toEqual([]);
  });
});
