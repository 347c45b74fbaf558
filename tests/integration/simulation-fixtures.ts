/**
 * What the simulation integration tests share: the period they simulate and a draft whose slices finish
 * quickly.
 */

export const FROM = '2026-11-01T00:00:00+08:00';
export const TO = '2026-11-06T00:00:00+08:00';

/**
 * A draft of an item no application was made for: its slices replay nothing, and finish quickly. `tag` goes
 * into its name, so a file's drafts are told from another's.
 */
export const quickDraft = (itemCode: string, tag: string, promisedDays = 3) => ({
  itemCode,
  name: `临时宣传品设置审批（${tag}）`,
  departmentCode: '440305-CGJ',
  applicantKind: 'enterprise',
  mode: 'instant',
  promisedDays,
  legalDays: 20,
  materials: [{ code: 'M-FORM', name: '设置申请表', declared: true }],
  rules: { all: [{ id: 'R-DAYS', description: '悬挂期限为1至30日', fact: 'form.durationDays', op: 'between', value: [1, 30] }] },
  certificateType: '临时宣传品设置许可',
  version: 2,
  active: true,
});
