/**
 * The typed per-stage configuration, as every function reads it. The values of each stage are in
 * topology/stages.ts; the CDK app (or the local runtime) puts the stage's into `CIVICFLOW_CONFIG` (JSON).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { InboundType } from '#contract/inbound';

export interface CalendarConfig {
  /** Use the maintained public holiday dataset (`chinese-days`) as the base calendar. */
  readonly useChineseDays: boolean;
  /** Extra non-working dates (YYYY-MM-DD) on top of the base calendar. */
  readonly holidays: readonly string[];
  /** Extra working dates (YYYY-MM-DD, e.g. 调休 make-up weekends) on top of the base calendar. */
  readonly workdays: readonly string[];
}

export interface SourceConfig {
  /** Event types this source may post. */
  readonly types: readonly InboundType[];
}

export interface StageConfig {
  readonly stage: string;
  /** The district this stage serves (for reports). */
  readonly district: { readonly code: string; readonly name: string };
  readonly timeZone: string;
  readonly calendar: CalendarConfig;
  readonly deadlines: {
    /** 差评 rectification: working days from the review's submission. */
    readonly acknowledgeWorkingDays: number;
    readonly rectifyWorkingDays: number;
    readonly extensionWorkingDays: number;
    /** 好差评 invitations: natural days after completion. */
    readonly reminderNaturalDays: number;
    readonly defaultReviewNaturalDays: number;
  };
  /**
   * 办不成事 deadlines in working days from the report (0: the same working day, the next one when the
   * report came on a day off). Without it: contact 0, resolve 5, resolve 10 when several departments are involved.
   */
  readonly hardCase?: {
    readonly contactWorkingDays: number;
    readonly resolveWorkingDays: number;
    readonly resolveWorkingDaysMultiDepartment: number;
  };
  /**
   * 好差评 upward sync: the platform's profile (national, zhejiang, guangdong), the URL records are posted
   * to, and the three-digit data-source number the platform gave this bureau. The area code is
   * `district.code`; departments' credit codes come from the catalogue. Without it nothing is reported.
   * `oldestPendingAlarmSeconds`: how long a record may wait to reach the platform before the
   * `upward-oldest-pending` alarm fires (default 3600; read at synth time).
   */
  readonly upward?: { readonly profile: string; readonly url: string; readonly dataSource: string; readonly oldestPendingAlarmSeconds?: number };
  /** Upstream systems allowed to post, by CloudEvents `source`. */
  readonly sources: Readonly<Record<string, SourceConfig>>;
  /** Principals allowed to read the query routes (auditors, upstream systems). */
  readonly readers: readonly string[];
  /**
   * Query routes (route keys such as `GET /applications/{applicationId}`) a reader is limited to
   * (least privilege for people and systems too). A reader not listed here reads every query route (auditors).
   */
  readonly readerRoutes?: Readonly<Record<string, readonly string[]>>;
  /**
   * Readers entitled to person data (ID numbers, names of persons, birth dates, phone numbers) in query
   * answers; every other reader gets them masked. Without this list, readers that are not
   * upstream sources (auditors) are entitled.
   */
  readonly personDataReaders?: readonly string[];
  /**
   * 公示 lists name enterprises by name and credit code; a stage that must mask them says so here (absent:
   * unmasked, the usual practice for enterprises).
   */
  readonly publicity?: { readonly maskEnterprises?: boolean };
  /** 12345 work orders: forward each 差评 to the hotline as an outbound work order (`gov.workorder.forwarded`). */
  readonly forwardBadReviewsTo12345?: boolean;
  /**
   * 缺数清单: which department owns the data a decision lacked — by fact-path prefix (whole segments; the
   * longest wins), by e-licence type (for `licence.<type>.*` facts and materials an e-licence would waive),
   * by material code. Data nothing here names is shown as `unowned`; without the map, all of it is.
   */
  readonly dataOwners?: {
    readonly facts?: Readonly<Record<string, string>>;
    readonly licences?: Readonly<Record<string, string>>;
    readonly materials?: Readonly<Record<string, string>>;
  };
  /** Policy matching fan-out. */
  readonly matching: { readonly sliceSize: number };
  /** Where notifications go: a webhook URL, or `log` to only record them. */
  readonly notificationSender: { readonly kind: 'webhook'; readonly url: string } | { readonly kind: 'log' };
  readonly logRetentionDays: number;
  readonly alarmEmail?: string;
}

/**
 * The sections that say who may post and read. They are most of the configuration's size, and Lambda
 * refuses an environment over 4 KB, so no function carries them in `CIVICFLOW_CONFIG`: the functions that
 * serve HTTP routes (the front door, the query routes) get them compressed in `CIVICFLOW_ACCESS`
 * (gzip, base64: `echo "$CIVICFLOW_ACCESS" | base64 -d | gunzip` shows them), the others not at all.
 */
export const ACCESS_SECTIONS = ['sources', 'readers', 'readerRoutes', 'personDataReaders'] as const;
export type AccessSection = (typeof ACCESS_SECTIONS)[number];
export type AccessConfig = Pick<StageConfig, AccessSection>;
/** What every function may read of its stage's configuration. */
export type FunctionConfig = Omit<StageConfig, AccessSection>;

/** `CIVICFLOW_CONFIG` of a deployed function: the stage's configuration without the access sections. */
export function functionConfig(config: StageConfig): FunctionConfig {
  const trimmed: Record<string, unknown> = { ...config };
  for (const section of ACCESS_SECTIONS) delete trimmed[section];
  return trimmed as FunctionConfig;
}

/** `CIVICFLOW_ACCESS` of a function that serves HTTP: the access sections, gzip-compressed, base64. */
export function encodeAccess(config: StageConfig): string {
  const access = Object.fromEntries(ACCESS_SECTIONS.filter((k) => config[k] !== undefined).map((k) => [k, config[k]]));
  return gzipSync(JSON.stringify(access), { level: 9 }).toString('base64');
}

export function decodeAccess(encoded: string): AccessConfig {
  return JSON.parse(gunzipSync(Buffer.from(encoded, 'base64')).toString('utf8')) as AccessConfig;
}

let cached: StageConfig | undefined;
let cachedAccess: AccessConfig | undefined;

/** The stage configuration the CDK app (or the local runtime) put into `CIVICFLOW_CONFIG`. */
export function config(): FunctionConfig {
  if (!cached) {
    const raw = process.env.CIVICFLOW_CONFIG;
    if (!raw) throw new Error('CIVICFLOW_CONFIG is not set: functions get their stage configuration from it');
    cached = JSON.parse(raw) as StageConfig;
  }
  return cached;
}

/**
 * Who may post and read: from `CIVICFLOW_ACCESS` (deployed functions that serve HTTP), else from the
 * sections of `CIVICFLOW_CONFIG` (the local runtime, which runs every function with the whole configuration).
 */
export function accessConfig(): AccessConfig {
  if (!cachedAccess) {
    const encoded = process.env.CIVICFLOW_ACCESS;
    const access = encoded ? decodeAccess(encoded) : (config() as Partial<StageConfig>);
    if (access.sources === undefined || access.readers === undefined) {
      throw new Error('no access configuration (sources, readers): only functions that serve HTTP routes are deployed with CIVICFLOW_ACCESS');
    }
    cachedAccess = access as AccessConfig;
  }
  return cachedAccess;
}
