/**
 * The design's floor (bench/runtime/floor.ts): its write units per event type, and the items per event of a
 * day's mix that the pipeline section turns into the rate no design writing those items can pass.
 */
import { dayFloor, floorAtCost, floorLines, floorUnitsOf } from '#bench/runtime/floor';

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

describe('the floor at the day\'s cost per item', () => {
  it('prices each floor item at its kind\'s cost and turns the stand-in\'s cores into events/s', () => {
    // 1 ingest record at 0.6 ms and 3.6 transaction items at 0.75 ms: 3.3 ms of the stand-in per event.
    const at = floorAtCost({ ingest: 1, transaction: 3.6 }, { ingest: 0.6, transaction: 0.75 }, 0.9);
    expect(at.msPerEvent).toBeCloseTo(3.3, 12);
    expect(at.eventsPerSecond).toBeCloseTo(900 / 3.3, 9);
    // Dearer transaction items lower the rate; more cores raise it.
    expect(floorAtCost({ ingest: 1, transaction: 3.6 }, { ingest: 0.6, transaction: 0.9 }, 0.9).eventsPerSecond).toBeLessThan(at.eventsPerSecond);
    expect(floorAtCost({ ingest: 1, transaction: 3.6 }, { ingest: 0.6, transaction: 0.75 }, 1.8).eventsPerSecond).toBeCloseTo(2 * at.eventsPerSecond, 9);
  });

  it('is unbounded for a floor of nothing', () => {
    expect(floorAtCost({ ingest: 0, transaction: 0 }, { ingest: 0.6, transaction: 0.75 }, 0.9)).toEqual({ msPerEvent: 0, eventsPerSecond: Infinity });
  });
});
