import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod/mini';
import {
  HARDCASE_CHANNELS,
  HARDCASE_SOURCES,
  hardCaseChannelProblem,
  hardCaseDataSchemas,
  hardCaseReportedSchema,
  hardCaseUpdatedSchema,
} from '#contract/hardcase';
import { errorMessage, toIssues, type Issue } from '#contract/issues';
import { validateEvent } from '#contract/envelope';
import { createCalendar } from '#calendar';
import * as domain from '#hardcase/domain/index';

// The samples of the two 办不成事 types, beside every other type's in events/samples (samples.test.ts checks
// them as it checks all); this file checks what is particular to them: a report per channel, each from its
// channel's source, and one story told across the samples.
const SAMPLES = fileURLToPath(new URL('../../../events/samples/', import.meta.url));
const TYPES = ['gov.hardcase.reported', 'gov.hardcase.updated'] as const;

interface Sample {
  readonly file: string;
  readonly event: { id: string; source: string; type: string; time: string; specversion: string; data: Record<string, unknown> };
}

function samplesOf(type: string): Sample[] {
  return readdirSync(join(SAMPLES, type)).map((file) => ({ file, event: JSON.parse(readFileSync(join(SAMPLES, type, file), 'utf8')) }));
}

function problems(schema: z.ZodMiniType, data: unknown): Issue[] {
  const parsed = schema.safeParse(data, { error: errorMessage });
  return parsed.success ? [] : toIssues(parsed.error.issues, 'data');
}

describe('events/samples of the hard-case types', () => {
  it('has one report per channel and several kinds of update', () => {
    const channels = samplesOf('gov.hardcase.reported').map((s) => s.event.data.channel);
    expect(channels.sort()).toEqual([...HARDCASE_CHANNELS].sort());
    expect(new Set(samplesOf('gov.hardcase.updated').map((s) => s.event.data.action)).size).toBeGreaterThanOrEqual(5);
  });

  it.each(TYPES.flatMap((type) => samplesOf(type).map((s) => [`${type}/${s.file}`, type, s] as const)))(
    '%s is a valid event from a hard-case source',
    (_name, type, s) => {
      expect(s.event).toMatchObject({ specversion: '1.0', type });
      expect(Object.values(HARDCASE_SOURCES)).toContain(s.event.source);
      expect(s.event.time).toMatch(/^2026-11-\d\dT\d\d:\d\d:\d\d\+08:00$/);
      expect(problems(hardCaseDataSchemas[type], s.event.data)).toEqual([]);
      if (type === 'gov.hardcase.reported') expect(hardCaseChannelProblem(s.event.source, String(s.event.data.channel))).toBeUndefined();
    },
  );

  it('refuses at the edge a report on a channel that is not its source\'s, naming data.channel', () => {
    const window = samplesOf('gov.hardcase.reported').find((s) => s.event.data.channel === 'window')!.event;
    expect(validateEvent(window).ok).toBe(true);
    const fromHotline = validateEvent({ ...window, source: HARDCASE_SOURCES.hotline });
    expect(fromHotline.ok ? [] : fromHotline.errors).toEqual([
      { path: 'data.channel', message: 'source /systems/hotline-12345 reports cases on hotline, not window' },
    ]);
    const fromCatalog = validateEvent({ ...window, source: '/systems/catalog' });
    expect(fromCatalog.ok ? [] : fromCatalog.errors.map((e) => e.path)).toEqual(['data.channel']);
  });

  it('uses (source, id) pairs no other sample uses', () => {
    const keys = TYPES.flatMap((type) =>
      readdirSync(join(SAMPLES, type)).map((file) => {
        const e = JSON.parse(readFileSync(join(SAMPLES, type, file), 'utf8')) as { source: string; id: string };
        return `${e.source} ${e.id}`;
      }),
    );
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('tells one story: replayed in time order through the domain, the window case closes and the hotline case is escalated', () => {
    const calendar = createCalendar({ timeZone: 'Asia/Shanghai', useChineseDays: true });
    const events = TYPES.flatMap((t) => samplesOf(t)).map((s) => s.event).sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
    const cases = new Map<string, domain.HardCase>();
    for (const e of events) {
      if (e.type === 'gov.hardcase.reported') {
        const report = hardCaseReportedSchema.parse(e.data);
        cases.set(report.caseId, domain.openHardCase({ ...report, origin: 'reported' }, calendar, domain.DEFAULT_HARDCASE_CONFIG).hardCase);
        continue;
      }
      const update = hardCaseUpdatedSchema.parse(e.data);
      const result = domain.applyHardCaseUpdate(cases.get(update.caseId)!, update, calendar, domain.DEFAULT_HARDCASE_CONFIG);
      if (!result.ok) throw new Error(`${e.id}: ${result.reason}`);
      cases.set(update.caseId, result.next);
    }
    expect(cases.get('BBCS-20261109-0012')).toMatchObject({ state: 'CLOSED', outcome: 'RESOLVED', overdue: {} });
    expect(cases.get('12345-20261111-0457')).toMatchObject({ state: 'ESCALATED', departments: ['440305-CGJ', '440305-GTJ'], cause: 'crossDepartment' });
    expect(cases.get('BBCS-20261110-0013')?.state).toBe('RECEIVED');
  });
});

