/**
 * A hard case as GET /hardcases/{caseId} answers it, for a reader not entitled to person data: the contact
 * phone (mobile or fixed line) and any mobile or ID number in the description are masked; the rest stays.
 */
import { stages } from '#topology/stages';
import { createCalendar } from '#calendar';
import { makeIdNumber } from '#contract/identifiers';
import { DEFAULT_HARDCASE_CONFIG, openHardCase } from '#hardcase/domain/index';

process.env.CIVICFLOW_CONFIG = JSON.stringify(stages.local);
const { entitledToPersonData, maskPersonData } = await import('#query/privacy');

const calendar = createCalendar({ timeZone: 'Asia/Shanghai', useChineseDays: true });
const ID = makeIdNumber('440305', '19900307', '123');
const open = (contactPhone: string) =>
  openHardCase(
    { caseId: 'HC-1', origin: 'reported', channel: 'hotline', description: `申请人 ${ID}，电话 13812345678，反映材料被退回`, reportedAt: '2026-11-11T06:02:30.000Z', contactPhone },
    calendar,
    DEFAULT_HARDCASE_CONFIG,
  ).hardCase;

describe('a hard case on the read side', () => {
  it('entitles the acceptance system, not the hotline (its own work-order system holds the phones)', () => {
    expect([entitledToPersonData('/systems/window-acceptance'), entitledToPersonData('/systems/hotline-12345')]).toEqual([true, false]);
  });

  it('masks the contact phone and the person data in the description for anyone else', () => {
    const mobile = maskPersonData(open('13812345678')) as Record<string, unknown>;
    expect(mobile.contactPhone).toBe('138****5678');
    expect(mobile.description).toBe(`申请人 ${ID.slice(0, 6)}********${ID.slice(-4)}，电话 138****5678，反映材料被退回`);
    expect(mobile).toMatchObject({ caseId: 'HC-1', channel: 'hotline', state: 'RECEIVED' });
    expect((maskPersonData(open('0755-26551234')) as Record<string, unknown>).contactPhone).toBe('0755-****1234');
  });
});
