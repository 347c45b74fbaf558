import * as z from 'zod/mini';
import {
  HARDCASE_ACTIONS,
  HARDCASE_CAUSES,
  HARDCASE_CHANNELS,
  hardCaseChannelProblem,
  hardCaseDataSchemas,
  hardCaseReportedSchema,
  hardCaseUpdatedSchema,
  type HardCaseReported,
  type HardCaseUpdated,
} from '#contract/hardcase';
import { errorMessage, toIssues, type Issue } from '#contract/issues';
import * as domain from '#hardcase/domain/index';

function problems(schema: z.ZodMiniType, data: unknown): Issue[] {
  const parsed = schema.safeParse(data, { error: errorMessage });
  return parsed.success ? [] : toIssues(parsed.error.issues, 'data');
}

describe('gov.hardcase.reported data', () => {
  const valid = {
    caseId: 'BBCS-20261109-0012',
    channel: 'window',
    applicationId: 'SQ-20261103-000187',
    itemCode: 'CG-0107',
    description: '两次补正后仍被告知材料不全',
    reportedAt: '2026-11-09T09:20:00+08:00',
    departmentCode: '440305-CGJ',
    contactPhone: '13812345678',
  };

  it('takes a report with its optional fields, and without them', () => {
    expect(problems(hardCaseReportedSchema, valid)).toEqual([]);
    expect(problems(hardCaseReportedSchema, { caseId: 'X', channel: 'online', description: '无法核验身份', reportedAt: '2026-11-10T20:45:12+08:00' })).toEqual([]);
  });

  it('names each bad field', () => {
    const bad = { ...valid, channel: 'fax', description: '', reportedAt: '2026-11-09 09:20', contactPhone: '12345' };
    expect(problems(hardCaseReportedSchema, bad).map((i) => i.path).sort()).toEqual(['data.channel', 'data.contactPhone', 'data.description', 'data.reportedAt']);
    const { caseId: _c, ...noId } = valid;
    expect(problems(hardCaseReportedSchema, noId)).toEqual([{ path: 'data.caseId', message: 'is required' }]);
  });

  it('keeps a source to its own channels', () => {
    expect(hardCaseChannelProblem('/systems/hotline-12345', 'window')).toBe('source /systems/hotline-12345 reports cases on hotline, not window');
    expect(hardCaseChannelProblem('/systems/window-acceptance', 'online')).toBeUndefined();
    expect(hardCaseChannelProblem('/systems/department', 'window')).toBe('source /systems/department does not report 办不成事 cases');
  });
});

describe('gov.hardcase.updated data', () => {
  const base = { caseId: 'HC-1', actor: { departmentCode: 'D', staffId: 'S' }, at: '2026-11-09T10:05:00+08:00' };

  it.each([
    ['a return visit without satisfied', { action: 'returnVisit' }, ['data.satisfied']],
    ['satisfied on another action', { action: 'contact', satisfied: true }, ['data.satisfied']],
    ['an escalation without a target', { action: 'escalate' }, ['data.escalatedTo']],
    ['a target without an escalation', { action: 'resolve', escalatedTo: '专班' }, ['data.escalatedTo']],
    ['involving no department', { action: 'involveDepartments' }, ['data.departments']],
    ['an empty department list', { action: 'contact', departments: [] }, ['data.departments']],
    ['an unknown action and cause', { action: 'solve', cause: 'luck' }, ['data.action', 'data.cause']],
  ])('refuses %s, naming the field', (_name, extra, paths) => {
    expect(problems(hardCaseUpdatedSchema, { ...base, ...extra }).map((i) => i.path).sort()).toEqual(paths);
  });

  it('takes departments with a contact or an escalation', () => {
    expect(problems(hardCaseUpdatedSchema, { ...base, action: 'contact', departments: ['D1'] })).toEqual([]);
    expect(problems(hardCaseUpdatedSchema, { ...base, action: 'escalate', escalatedTo: '区专班', departments: ['D1', 'D2'] })).toEqual([]);
  });
});

describe('the contract and the domain', () => {
  it('share one vocabulary of channels, actions and causes', () => {
    expect(HARDCASE_CHANNELS).toEqual(domain.HARDCASE_CHANNELS);
    expect(HARDCASE_ACTIONS).toEqual(domain.HARDCASE_ACTIONS);
    expect(HARDCASE_CAUSES).toEqual(domain.HARDCASE_CAUSES);
  });

  it('parses into the domain’s inputs as they are (checked by the compiler)', () => {
    const report: domain.HardCaseReport = hardCaseReportedSchema.parse({ caseId: 'X', channel: 'online', description: 'd', reportedAt: '2026-11-10T20:45:12+08:00' }) satisfies HardCaseReported;
    const update: domain.HardCaseUpdate = hardCaseUpdatedSchema.parse({ caseId: 'X', action: 'close', actor: { departmentCode: 'D', staffId: 'S' }, at: '2026-11-10T21:00:00+08:00' }) satisfies HardCaseUpdated;
    expect([report.channel, update.action]).toEqual(['online', 'close']);
  });

  it('can be published as JSON Schema', () => {
    for (const schema of Object.values(hardCaseDataSchemas)) {
      const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { required?: string[] };
      expect(json.required).toEqual(expect.arrayContaining(['caseId']));
    }
  });
});
