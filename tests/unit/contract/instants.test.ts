/**
 * compareInstants: two RFC 3339 timestamps ordered as the instants they name, whatever offset each is written
 * in, to the last digit of either fraction (Date.parse keeps milliseconds only), a leap second read as the
 * edge keeps it; NaN when either names no instant.
 */
import { compareInstants } from '#contract/instants';

const SUBMITTED = '2026-11-18T01:59:58.500Z';
const SUBMITTED_SHANGHAI = '2026-11-18T09:59:58.500+08:00';
const MS_BEFORE_SHANGHAI = '2026-11-18T09:59:58.499+08:00';

describe('compareInstants', () => {
  it('orders timestamps as instants, whatever their offsets, to the last digit of the fraction', () => {
    expect(compareInstants(SUBMITTED, SUBMITTED_SHANGHAI)).toBe(0);
    expect(compareInstants(MS_BEFORE_SHANGHAI, SUBMITTED)).toBeLessThan(0);
    // As strings, "2026-11-18T09…" sorts after "2026-11-18T02…"; as instants it is before.
    expect('2026-11-18T09:59:00+08:00' > '2026-11-18T02:00:00Z').toBe(true);
    expect(compareInstants('2026-11-18T09:59:00+08:00', '2026-11-18T02:00:00Z')).toBeLessThan(0);
    expect(compareInstants('2026-11-17T20:00:00-06:00', '2026-11-18T01:59:59Z')).toBeGreaterThan(0);
    // Below the millisecond, which Date.parse drops.
    expect(compareInstants('2026-11-18T01:59:58.5000001Z', '2026-11-18T01:59:58.5005Z')).toBeLessThan(0);
    expect(compareInstants('2026-11-18T01:59:58.5005Z', '2026-11-18T01:59:58.5Z')).toBeGreaterThan(0);
    expect(compareInstants('2026-11-18T01:59:58.500000Z', '2026-11-18T01:59:58.5Z')).toBe(0);
    expect(compareInstants('2026-11-18T01:59:58Z', '2026-11-18T01:59:58.000Z')).toBe(0);
    // A leap second is the last instant of its minute, as the edge keeps it.
    expect(compareInstants('2026-12-31T23:59:60Z', '2026-12-31T23:59:59.999999999Z')).toBe(0);
    expect(compareInstants('2026-12-31T23:59:60Z', '2027-01-01T00:00:00Z')).toBeLessThan(0);
    expect(compareInstants('2026-11-18t09:59:58.5+08:00', '2026-11-18t01:59:58.500z')).toBe(0); // t and z as RFC 3339 allows
    expect(compareInstants('not a time', SUBMITTED)).toBeNaN();
    expect(compareInstants('2026-11-18T01:59:58', SUBMITTED)).toBeNaN(); // no offset: no instant
  });
});
