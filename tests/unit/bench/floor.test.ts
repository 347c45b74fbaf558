/**
 * The design's floor (bench/runtime/floor.ts): its write units per event type, and the items per event of a
 * day's mix that the pipeline section turns into the rate no design writing those items can pass.
 */
import { dayFloor, floorLines, floorUnitsOf } from '#bench/runtime/floor';

const COMMITMENT = 'gov.application.submitted (commitment-no-criminal-record)';
const PENDING = 'gov.application.submitted (pending-materials)';

describe('the floor per event type', () => {
  it('counts the ingest record 1, an item inside a transaction 2 and an index entry 1', () => {
    const lines = floorLines([
      { label: 'gov.enterprise.profile.updated', wcu: 6 },
      { label: COMMITMENT, wcu: 26.8 },
      { label: PENDING, wcu: 19 },
      { label: 'gov.case.completed', wcu: 8.96 },
      { label: 'gov.review.submitted', wcu: 10.04 },
      { label: 'gov.policy.published (per enterprise matched)', wcu: 0.95 },
    ]);
    const rows = lines.join('\n').split('\n');
    const floorOf = (label: string) => rows.find((l) => l.startsWith(`| ${label} |`))?.split(' | ')[2];
    expect(floorOf('gov.enterprise.profile.updated')).toBe('6');
    expect(floorOf(COMMITMENT)).toBe('11');
    expect(floorOf(PENDING)).toBe('7');
    expect(floorOf('gov.case.completed')).toBe('7');
    expect(floorOf('gov.review.submitted')).toBe('7');
    expect(floorUnitsOf(PENDING)).toBe(7);
    // No floor is claimed for a type it does not know.
    expect(rows.some((l) => l.includes('gov.policy.published'))).toBe(false);
    expect(floorUnitsOf('gov.policy.published (per enterprise matched)')).toBeUndefined();
  });
});

describe('the floor of a day', () => {
  it('weights each type by its count, a type without a floor writing nothing', () => {
    const floor = dayFloor({
      [COMMITMENT]: 2, // ingest + 5 in transactions: the application's 3 and the review case's 2
      [PENDING]: 1, // ingest + 3
      'gov.case.completed': 1, // ingest + 3
      'gov.review.submitted': 1, // ingest + 3
      'gov.enterprise.profile.updated': 1, // ingest + 2
      'gov.policy.published': 1, // unknown: nothing
    });
    expect(floor.unknown).toBe(1);
    expect(floor.ingest).toBeCloseTo(6 / 7, 12);
    expect(floor.transaction).toBeCloseTo((2 * 5 + 3 + 3 + 3 + 2) / 7, 12);
  });

  it('is zero for an empty day', () => {
    expect(dayFloor({})).toEqual({ ingest: 0, transaction: 0, unknown: 0 });
  });
});
