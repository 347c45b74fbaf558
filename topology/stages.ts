/**
 * The configuration of each stage (values; the type is shared/platform/stage-config.ts). The CDK app passes
 * the stage's configuration to the functions as the `CIVICFLOW_CONFIG` environment variable (JSON); the
 * local runtime does the same with the `local` stage.
 */
import type { SourceConfig, StageConfig } from '#platform/stage-config';
import { ITEM_FACT_ROOTS, POLICY_FACT_ROOTS } from '#contract/schemas';
import { routes, routing } from './index';

export type { CalendarConfig, SourceConfig, StageConfig } from '#platform/stage-config';

/** The default source permissions: which upstream system may post which event types. */
export const defaultSources: Record<string, SourceConfig> = {
  '/systems/catalog': { types: ['gov.catalog.item.published', 'gov.catalog.bundle.published'] },
  '/systems/policy': {
    types: [
      'gov.policy.published',
      'gov.policy.withdrawn',
      'gov.policy.confirmed',
      'gov.policy.disbursed',
      'gov.policy.objection.filed',
      'gov.policy.objection.resolved',
      'gov.policy.recovered',
    ],
  },
  '/systems/data-sharing': { types: ['gov.enterprise.profile.updated', 'gov.person.profile.updated'] },
  '/systems/e-licence': { types: ['gov.licence.issued', 'gov.licence.revoked'] },
  '/systems/credit': { types: ['gov.credit.updated'] },
  // The acceptance system also carries the 办不成事 window in the hall and the portal's online entry.
  '/systems/window-acceptance': {
    types: ['gov.application.submitted', 'gov.application.materials.supplemented', 'gov.hardcase.reported', 'gov.hardcase.updated'],
  },
  '/systems/department': {
    types: ['gov.application.verification.reported', 'gov.application.reviewed', 'gov.case.completed', 'gov.rectification.updated'],
  },
  '/systems/review-channel': { types: ['gov.review.submitted'] },
  '/systems/hotline-12345': { types: ['gov.hardcase.reported', 'gov.hardcase.updated', 'gov.rectification.updated'] },
};

/** Every source reads its own events, their receipts and its refusals (never another source's). */
const OWN_EVENTS = ['GET /events/{id}', 'GET /events/{id}/receipt', 'GET /refusals'] as const;

/** What each upstream system needs to read back: its own receipts, and the answers to what it sends. */
export const defaultReaderRoutes: Record<string, readonly string[]> = {
  '/systems/catalog': [...OWN_EVENTS, 'GET /items/{itemCode}', 'GET /bundles/{bundleCode}'],
  '/systems/policy': [
    ...OWN_EVENTS,
    'GET /policies/{policyId}',
    'GET /policies/{policyId}/entitlements',
    'GET /enterprises/{creditCode}/policies',
  ],
  '/systems/data-sharing': [...OWN_EVENTS],
  '/systems/e-licence': [...OWN_EVENTS],
  '/systems/credit': [...OWN_EVENTS, 'GET /credit/{subjectId}'],
  '/systems/window-acceptance': [
    ...OWN_EVENTS,
    'GET /items/{itemCode}',
    'GET /bundles/{bundleCode}',
    'GET /applications/{applicationId}',
    'GET /credit/{subjectId}',
    'GET /hardcases/{caseId}',
    'GET /hardcases',
  ],
  '/systems/department': [
    ...OWN_EVENTS,
    'GET /applications/{applicationId}',
    'GET /credit/{subjectId}',
    'GET /cases/{caseId}',
    'GET /rectifications/{caseId}',
    'GET /reviews/figures',
    'GET /reviews/ranking',
    'GET /hardcases/{caseId}',
  ],
  '/systems/review-channel': [...OWN_EVENTS, 'GET /cases/{caseId}'],
  '/systems/hotline-12345': [...OWN_EVENTS, 'GET /hardcases/{caseId}', 'GET /hardcases', 'GET /rectifications/{caseId}'],
};

/**
 * Who sees person data unmasked by default: the auditors and the systems that hold it themselves (they
 * send ID numbers and act on persons' applications, cases, licences and credit). The catalog, the policy
 * system and the review channels get it masked.
 */
export const defaultPersonDataReaders: readonly string[] = [
  '/auditors/district',
  '/systems/data-sharing',
  '/systems/e-licence',
  '/systems/credit',
  '/systems/window-acceptance',
  '/systems/department',
];

/**
 * 缺数清单: who owns the data a decision lacked. The district's data-sharing platform holds the
 * shared profiles; market supervision registers enterprises and issues the business licence; public
 * security issues the ID card; tax, commerce and human resources hold the figures they collect.
 */
export const defaultDataOwners: NonNullable<StageConfig['dataOwners']> = {
  facts: {
    applicant: '440305-ZWFWJ',
    'applicant.birthDate': '440305-GAJ',
    credit: '440305-ZWFWJ',
    enterprise: '440305-SJJ',
    'enterprise.employees': '440305-RSJ',
    'enterprise.exportValueUsd': '440305-SWJ',
    'enterprise.taxCreditRating': '440305-SWJ-TAX',
  },
  licences: { 营业执照: '440305-SJJ', 居民身份证: '440305-GAJ' },
};

const base: Omit<StageConfig, 'stage'> = {
  district: { code: '440305', name: '南山区' },
  timeZone: 'Asia/Shanghai',
  calendar: { useChineseDays: true, holidays: [], workdays: [] },
  deadlines: {
    acknowledgeWorkingDays: 1,
    rectifyWorkingDays: 5,
    extensionWorkingDays: 5,
    reminderNaturalDays: 3,
    defaultReviewNaturalDays: 7,
  },
  hardCase: { contactWorkingDays: 0, resolveWorkingDays: 5, resolveWorkingDaysMultiDepartment: 10 },
  sources: defaultSources,
  readers: ['/auditors/district', ...Object.keys(defaultSources)],
  readerRoutes: defaultReaderRoutes,
  personDataReaders: defaultPersonDataReaders,
  matching: { sliceSize: 2000 },
  dataOwners: defaultDataOwners,
  notificationSender: { kind: 'log' },
  logRetentionDays: 400,
};

export const stages: Record<string, StageConfig> = {
  local: { ...base, stage: 'local', logRetentionDays: 7 },
  dev: { ...base, stage: 'dev', logRetentionDays: 30 },
  prod: { ...base, stage: 'prod', alarmEmail: 'ops@example.gov.cn' },
};

export function stageConfig(stage: string): StageConfig {
  const config = stages[stage];
  if (!config) throw new Error(`Unknown stage "${stage}"; known stages: ${Object.keys(stages).join(', ')}`);
  validateStageConfig(config);
  return config;
}

/** Fails loudly at synth time (and at local start) on a configuration that cannot work. */
export function validateStageConfig(config: StageConfig): void {
  for (const [source, { types }] of Object.entries(config.sources)) {
    for (const type of types) {
      if (!(type in routing)) throw new Error(`config.sources["${source}"] names unknown type "${type}"`);
    }
  }
  // '@…' entries of the signing-keys secret are the functions' own keys (the cursor key), no principal's.
  for (const principal of [...Object.keys(config.sources), ...config.readers]) {
    if (principal.startsWith('@')) throw new Error(`config principal "${principal}" may not start with "@" (reserved for the functions' own keys)`);
  }
  const routeKeys = new Set<string>(routes.map((r) => `${r.method} ${r.path}`));
  for (const [reader, keys] of Object.entries(config.readerRoutes ?? {})) {
    if (!config.readers.includes(reader)) throw new Error(`config.readerRoutes names "${reader}", which is not among config.readers`);
    for (const key of keys) {
      if (!routeKeys.has(key) || key.startsWith('POST ')) throw new Error(`config.readerRoutes["${reader}"] names unknown query route "${key}"`);
    }
  }
  for (const reader of config.personDataReaders ?? []) {
    if (!config.readers.includes(reader)) throw new Error(`config.personDataReaders names "${reader}", which is not among config.readers`);
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: config.timeZone });
  } catch {
    throw new Error(`config.timeZone "${config.timeZone}" is not an IANA time zone`);
  }
  const dateRe = /^\d{4}-\d{2}-\d{2}$/;
  for (const d of [...config.calendar.holidays, ...config.calendar.workdays]) {
    if (!dateRe.test(d)) throw new Error(`config.calendar date "${d}" is not YYYY-MM-DD`);
  }
  // Every 差评's deadlines and every case's invitations are counted with these: a count the calendar cannot
  // take (working days start at 1; 0 is not "the same day" here) would fail each of them for ever.
  for (const [key, days] of Object.entries(config.deadlines)) {
    if (!Number.isInteger(days) || days < 1 || days > 365) throw new Error(`config.deadlines.${key} must be a whole number of days from 1 to 365`);
  }
  for (const [key, days] of Object.entries(config.hardCase ?? {})) {
    if (!Number.isInteger(days) || days < 0 || days > 365) throw new Error(`config.hardCase.${key} must be a whole number of working days from 0 to 365`);
  }
  const oldestPending = config.upward?.oldestPendingAlarmSeconds;
  // Under a minute would alarm on the sender's own cadence; past 14 days a record has long been parked.
  if (oldestPending !== undefined && (!Number.isInteger(oldestPending) || oldestPending < 60 || oldestPending > 14 * 86_400)) {
    throw new Error(`config.upward.oldestPendingAlarmSeconds must be whole seconds from 60 to 1209600; got ${JSON.stringify(oldestPending)}`);
  }
  validateDataOwners(config.dataOwners);
  if (config.matching.sliceSize < 1 || config.matching.sliceSize > 100_000) {
    throw new Error('config.matching.sliceSize must be between 1 and 100000');
  }
}

const DATA_ROOTS: ReadonlySet<string> = new Set([...ITEM_FACT_ROOTS, ...POLICY_FACT_ROOTS].filter((r) => r !== 'now'));

/** Every key of the data-owner map names data a rule can lack, and every value is a department code. */
function validateDataOwners(owners: StageConfig['dataOwners']): void {
  for (const [section, map] of Object.entries(owners ?? {})) {
    if (!['facts', 'licences', 'materials'].includes(section)) {
      throw new Error(`config.dataOwners.${section} is not a section; use facts, licences or materials`);
    }
    for (const [key, department] of Object.entries(map as Record<string, unknown>)) {
      const where = `config.dataOwners.${section}["${key}"]`;
      if (typeof department !== 'string' || !/^\S{1,64}$/.test(department)) throw new Error(`${where} must be a department code (1 to 64 characters, no spaces)`);
      if (key.trim() === '' || key.length > 200) throw new Error(`${where}: the key must be 1 to 200 characters`);
      if (section !== 'facts') continue;
      const segments = key.split('.');
      if (!DATA_ROOTS.has(segments[0]!) || segments.some((s) => s === '')) {
        throw new Error(`${where}: a fact prefix is whole path segments starting with one of ${[...DATA_ROOTS].join(', ')}`);
      }
    }
  }
}
