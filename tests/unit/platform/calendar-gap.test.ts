/** The deadline schedule's check of the stage's calendar: the first year within 90 days it has no holidays for. */
import { stages } from '#topology/stages';
import { DATASET_YEARS } from '#calendar/dataset';

process.env.CIVICFLOW_CONFIG = JSON.stringify(stages.local);
const { CALENDAR_LOOKAHEAD_DAYS, stageCalendarGap } = await import('#platform/calendar');

const last = Math.max(...Object.keys(DATASET_YEARS).map(Number));

describe('stageCalendarGap', () => {
  it('is none in the middle of a year the dataset has', () => {
    expect(stageCalendarGap(`${last}-06-01T10:00:00+08:00`)).toBeUndefined();
  });

  it('names the next year once the look-ahead reaches it, on the local date', () => {
    expect(CALENDAR_LOOKAHEAD_DAYS).toBe(90);
    // 3 October local + 90 days is 1 January; at 23:30 UTC on 2 October it is already 3 October in Shanghai.
    expect(stageCalendarGap(`${last}-10-02T23:30:00Z`)).toBe(last + 1);
    expect(stageCalendarGap(`${last}-10-02T12:00:00Z`)).toBeUndefined();
  });
});
