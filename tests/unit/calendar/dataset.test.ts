import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeDataset, encodeDataset } from '#calendar/dataset-codec';
import { DATASET_SOURCE, DATASET_YEARS } from '#calendar/dataset';

const ROOT = join(import.meta.dirname, '../../..');
const readJson = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8'));
const table = readJson('node_modules/chinese-days/dist/chinese-days.json') as { holidays: object; workdays: object };
const version = (readJson('node_modules/chinese-days/package.json') as { version: string }).version;
const REGENERATE = 'shared/calendar/dataset.ts is stale: run `npm run calendar:dataset`';

describe('the compact holiday dataset', () => {
  it('was generated from the installed chinese-days', () => {
    expect([DATASET_SOURCE, REGENERATE]).toEqual([`chinese-days@${version}`, REGENERATE]);
  });

  it('holds exactly the package\'s holidays and working weekends', () => {
    const { holidays, workdays } = decodeDataset(DATASET_YEARS);
    expect([...holidays].sort()).toEqual(Object.keys(table.holidays).sort());
    expect([...workdays].sort()).toEqual(Object.keys(table.workdays).sort());
    expect(holidays.size).toBeGreaterThan(600);
    expect(workdays.has('2026-01-04')).toBe(true); // a 调休 Sunday
    expect(holidays.has('2026-02-17')).toBe(true); // 春节
  });

  it('round-trips through the codec, and refuses what is not a date', () => {
    const years = encodeDataset(['2025-10-01', '2024-02-10', '2025-01-01'], ['2025-09-28']);
    expect(years).toEqual({ 2024: '0210|', 2025: '01011001|0928' });
    const back = decodeDataset(years);
    expect([...back.holidays].sort()).toEqual(['2024-02-10', '2025-01-01', '2025-10-01']);
    expect([...back.workdays]).toEqual(['2025-09-28']);
    expect(() => encodeDataset(['2025-1-01'], [])).toThrow('calendar dataset: not a date "YYYY-MM-DD": "2025-1-01"');
  });
});
