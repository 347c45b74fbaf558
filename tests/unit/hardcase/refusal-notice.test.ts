import { decide } from '#approval';
import { buildRefusalNotice, DEFAULT_APPEAL_BODIES, refusalKind, type RefusalContext } from '#hardcase/domain/refusal-notice';
import { calendar, inputFor, PERSON, posterApp, posterItem, weatherApp, weatherItem } from '../approval/fixtures';

const NANSHAN: RefusalContext = {
  itemName: posterItem.name,
  departmentName: '深圳市南山区城市管理和综合执法局',
  appeal: { reconsiderationBody: '深圳市南山区人民政府', court: '深圳市南山区人民法院' },
};

// Missing materials and a failed rule, by an enterprise, decided 2026-11-18 10:00 Shanghai.
const rejected = decide(inputFor(posterApp({ materials: [], form: { areaSqm: 80, days: 15, location: '商业步行街', lit: false } }), posterItem));

describe('buildRefusalNotice', () => {
  it('writes every reason in Chinese, the legal basis and how to appeal, for a REJECTED decision', () => {
    expect(rejected.outcome).toBe('REJECTED');
    const notice = buildRefusalNotice(rejected, NANSHAN, calendar)!;
    expect(notice).toMatchObject({
      noticeNo: 'FDDF-APP-CG-1-1',
      kind: 'notPermitted',
      title: '不予行政许可决定书',
      date: '2026-11-18',
      applicant: '91440101MA5CXXXX0X',
      reasons: [
        { code: 'MATERIALS_MISSING', title: '申请材料不齐全', detail: '缺少以下材料，请一次性补齐后重新申请：宣传品设置申请表、宣传品样稿' },
        { code: 'RULE_FALSE', title: '不符合办理条件', detail: '不符合以下条件：宣传品面积不超过50平方米' },
      ],
      appeal: {
        reconsideration: { withinDays: 60, body: '深圳市南山区人民政府', basis: '《中华人民共和国行政复议法》第二十条' },
        litigation: { withinMonths: 6, court: '深圳市南山区人民法院', basis: '《中华人民共和国行政诉讼法》第四十六条' },
      },
    });
    expect(notice.text).toBe(
      [
        '不予行政许可决定书',
        '编号：FDDF-APP-CG-1-1',
        '',
        '申请人（证件号码 91440101MA5CXXXX0X）：',
        '您于 2026-11-18 提交的“在城市建筑物、设施上悬挂、张贴宣传品审批”（CG-017）申请（申请编号 APP-CG-1），经审查，决定不予许可。理由如下：',
        '一、申请材料不齐全：缺少以下材料，请一次性补齐后重新申请：宣传品设置申请表、宣传品样稿',
        '二、不符合办理条件：不符合以下条件：宣传品面积不超过50平方米',
        '依据：《中华人民共和国行政许可法》第三十二条、第三十八条第二款。',
        '如对本决定不服，可以自收到本告知书之日起60日内向深圳市南山区人民政府申请行政复议，也可以自收到本告知书之日起6个月内直接向深圳市南山区人民法院提起行政诉讼。',
        '如仍有困难，可拨打 12345 政务服务便民热线或到“办不成事”反映窗口反映，我们将协助解决。',
        '',
        '深圳市南山区城市管理和综合执法局',
        '2026-11-18',
      ].join('\n'),
    );
  });

  it('is the same notice for the same decision, and a new number for a later version', () => {
    expect(buildRefusalNotice(rejected, NANSHAN, calendar)).toEqual(buildRefusalNotice(rejected, NANSHAN, calendar));
    expect(buildRefusalNotice({ ...rejected, sequence: 2 }, NANSHAN, calendar)?.noticeNo).toBe('FDDF-APP-CG-1-2');
  });

  it('refuses to accept an unknown item, masking a person’s ID number, with the default appeal bodies', () => {
    const unknown = decide(inputFor(weatherApp({ itemCode: 'NOPE' }), undefined));
    const notice = buildRefusalNotice(unknown, { appeal: DEFAULT_APPEAL_BODIES }, calendar)!;
    expect(notice).toMatchObject({ kind: 'notAccepted', title: '不予受理告知书', applicant: '440106********1234', departmentCode: null });
    expect(notice.text).not.toContain(PERSON.id);
    expect(notice.text).toContain('决定不予受理');
    expect(notice.text).toContain('向本机关的本级人民政府申请行政复议');
    expect(notice.text).toContain('事项 NOPE');
  });

  it('lists missing materials once and asks for all of them when that is the only reason', () => {
    const missing = decide(inputFor(posterApp({ materials: [] }), posterItem));
    const notice = buildRefusalNotice(missing, NANSHAN, calendar)!;
    expect(notice.kind).toBe('materialsIncomplete');
    expect(notice.text).toContain('申请材料不齐全，暂不能受理');
    expect(notice.text).toContain('请补齐上述全部材料后重新提出申请。');
  });

  it('titles a reason it has no heading for as 审查意见, and gives no notice for another outcome', () => {
    const byReviewer = { ...rejected, reasons: [{ code: 'STAFF_DECISION' as never, message: '现场核查发现设置位置影响通行，电话13812345678' }] };
    const notice = buildRefusalNotice(byReviewer, NANSHAN, calendar)!;
    expect(notice.reasons).toEqual([{ code: 'STAFF_DECISION', title: '审查意见', detail: '现场核查发现设置位置影响通行，电话138****5678' }]);
    expect(buildRefusalNotice(decide(inputFor(weatherApp(), weatherItem)), NANSHAN, calendar)).toBeUndefined();
  });

  it('chooses the kind from the reason codes', () => {
    expect(refusalKind(['MATERIALS_MISSING', 'ITEM_INACTIVE'])).toBe('notAccepted');
    expect(refusalKind(['MATERIALS_MISSING'])).toBe('materialsIncomplete');
    expect(refusalKind(['CREDIT_DISHONEST'])).toBe('notPermitted');
    expect(refusalKind([])).toBe('notPermitted');
  });
});
