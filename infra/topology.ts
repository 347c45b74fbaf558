/**
 * The one topology of CivicFlow: tables, queues (each with its DLQ), functions, HTTP routes,
 * event-source mappings and schedules. The CDK stacks (infra/stacks) and the local runtime
 * (local/) both read this file and nothing else, so the cloud and the laptop cannot drift.
 *
 * Plain data only: no CDK or SDK imports here, so the local runtime and the functions can read it.
 */

export type TableName = keyof typeof tables;
export type QueueName = keyof typeof queues;
export type FunctionName = keyof typeof functions;
export type ScheduleName = (typeof schedules)[number]['name'];

export interface TableSpec {
  /** What the table holds, and its data classification (SPEC §12). */
  readonly purpose: string;
  readonly classification: 'public' | 'internal' | 'personal';
  /** Time-to-live attribute (epoch seconds), if items expire. */
  readonly ttlAttribute?: string;
  /** Global secondary indexes: name → key attributes (all string keys). */
  readonly indexes?: Readonly<Record<string, { readonly pk: string; readonly sk: string }>>;
}

/** Every table has a string partition key `pk` and a string sort key `sk`. */
export const tables = {
  events: {
    purpose: 'Every accepted inbound event by (source, id): de-duplication at the edge and the archive from which nothing is lost.',
    classification: 'personal',
  },
  registry: {
    purpose: 'Reference data: service items (versioned), person and enterprise profiles, e-licences, credit records.',
    classification: 'personal',
    indexes: { gsi1: { pk: 'gsi1pk', sk: 'gsi1sk' } },
  },
  approvals: {
    purpose: '秒批 applications and their decisions, traces, deadlines and conflicts.',
    classification: 'personal',
    indexes: { byDue: { pk: 'duePk', sk: 'dueAt' } },
  },
  entitlements: {
    purpose: '免申即享 policies, entitlements per (policy, enterprise), budgets and per-policy figures.',
    classification: 'internal',
    indexes: { gsi1: { pk: 'gsi1pk', sk: 'gsi1sk' } },
  },
  reviews: {
    purpose: '好差评 cases, reviews, rectification cases and the aggregated figures.',
    classification: 'personal',
    indexes: { byDue: { pk: 'duePk', sk: 'dueAt' } },
  },
  audit: {
    purpose: 'Append-only audit trail of every decision and state change: who, what, when, why.',
    classification: 'personal',
  },
} as const satisfies Record<string, TableSpec>;

export interface QueueSpec {
  readonly purpose: string;
  /** Receives before a message moves to the queue's DLQ. */
  readonly maxReceiveCount: number;
  /** Seconds; at least 6 × the consuming function's timeout (checked by tests/infra). */
  readonly visibilityTimeoutSeconds: number;
  /** Retention in days (SQS allows 1 minute to 14 days). */
  readonly retentionDays: number;
}

export const queues = {
  registry: {
    purpose: 'Reference data events (items, profiles, licences, credit) for the registry.',
    maxReceiveCount: 5,
    visibilityTimeoutSeconds: 180,
    retentionDays: 14,
  },
  approval: {
    purpose: '秒批 application events: submissions, supplements, verification reports.',
    maxReceiveCount: 5,
    visibilityTimeoutSeconds: 180,
    retentionDays: 14,
  },
  policy: {
    purpose: '免申即享 policy events and per-enterprise re-match requests.',
    maxReceiveCount: 5,
    visibilityTimeoutSeconds: 360,
    retentionDays: 14,
  },
  match: {
    purpose: 'Slices of a policy-publish matching run, fanned out for parallel workers.',
    maxReceiveCount: 5,
    visibilityTimeoutSeconds: 360,
    retentionDays: 14,
  },
  notify: {
    purpose: 'Outbound notifications to the channel sender (messaging platform webhook).',
    maxReceiveCount: 8,
    visibilityTimeoutSeconds: 180,
    retentionDays: 14,
  },
  review: {
    purpose: '好差评 events: completed cases, reviews, rectification steps.',
    maxReceiveCount: 5,
    visibilityTimeoutSeconds: 180,
    retentionDays: 14,
  },
  outbound: {
    purpose: 'Outbound gov.* CloudEvents for upstream systems (decisions, entitlements, invitations, rectification steps, overdue flags).',
    maxReceiveCount: 10,
    visibilityTimeoutSeconds: 60,
    retentionDays: 14,
  },
} as const satisfies Record<string, QueueSpec>;

export type Access = 'read' | 'write' | 'readwrite';

export interface FunctionSpec {
  /** Handler module, relative to the repository root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly timeoutSeconds: number;
  readonly memoryMiB: number;
  /** Tables the function may touch, with the access it needs (least privilege, SPEC §12). */
  readonly tables: Readonly<Partial<Record<TableName, Access>>>;
  /** Queues the function may send to. */
  readonly sendsTo: readonly QueueName[];
  /** The queue this function consumes, if any (an SQS event-source mapping with partial batch responses). */
  readonly consumes?: {
    readonly queue: QueueName;
    readonly batchSize: number;
    readonly maxBatchingWindowSeconds: number;
    readonly maxConcurrency: number;
  };
  /** Needs the per-source signing keys (HTTP functions). */
  readonly readsSigningKeys?: boolean;
}

export const functions = {
  ingest: {
    entry: 'functions/ingest/handler.ts',
    description: 'POST /events: authenticates the source, validates CloudEvents, de-duplicates and routes them.',
    timeoutSeconds: 10,
    memoryMiB: 1024,
    tables: { events: 'readwrite' },
    sendsTo: ['registry', 'approval', 'policy', 'review'],
    readsSigningKeys: true,
  },
  query: {
    entry: 'functions/query/handler.ts',
    description: 'Read-only query routes for upstream systems and auditors.',
    timeoutSeconds: 10,
    memoryMiB: 1024,
    tables: { registry: 'read', approvals: 'read', entitlements: 'read', reviews: 'read', audit: 'read', events: 'read' },
    sendsTo: [],
    readsSigningKeys: true,
  },
  registry: {
    entry: 'functions/registry/handler.ts',
    description: 'Upserts reference data: service items, profiles, e-licences, credit records.',
    timeoutSeconds: 30,
    memoryMiB: 1024,
    tables: { registry: 'readwrite', audit: 'write' },
    sendsTo: ['policy', 'outbound'],
    consumes: { queue: 'registry', batchSize: 10, maxBatchingWindowSeconds: 1, maxConcurrency: 10 },
  },
  approval: {
    entry: 'functions/approval/handler.ts',
    description: '秒批: decides applications, re-decides supplements, handles verification reports.',
    timeoutSeconds: 30,
    memoryMiB: 1024,
    tables: { registry: 'readwrite', approvals: 'readwrite', audit: 'write' },
    sendsTo: ['review', 'outbound'],
    consumes: { queue: 'approval', batchSize: 10, maxBatchingWindowSeconds: 1, maxConcurrency: 20 },
  },
  approvalDeadlines: {
    entry: 'functions/approval/deadlines.ts',
    description: '秒批 schedule: terminates missed supplement deadlines and flags overdue verifications.',
    timeoutSeconds: 60,
    memoryMiB: 512,
    tables: { approvals: 'readwrite', audit: 'write' },
    sendsTo: ['outbound'],
  },
  policy: {
    entry: 'functions/policy/handler.ts',
    description: '免申即享: policy publish/withdraw, confirmations, disbursements, profile re-matches.',
    timeoutSeconds: 60,
    memoryMiB: 1024,
    tables: { registry: 'read', entitlements: 'readwrite', audit: 'write' },
    sendsTo: ['match', 'notify', 'outbound'],
    consumes: { queue: 'policy', batchSize: 10, maxBatchingWindowSeconds: 1, maxConcurrency: 10 },
  },
  match: {
    entry: 'functions/policy/match.ts',
    description: '免申即享: matches one slice of enterprise profiles against a published policy.',
    timeoutSeconds: 60,
    memoryMiB: 1769,
    tables: { registry: 'read', entitlements: 'readwrite', audit: 'write' },
    sendsTo: ['notify', 'outbound'],
    consumes: { queue: 'match', batchSize: 1, maxBatchingWindowSeconds: 0, maxConcurrency: 50 },
  },
  notify: {
    entry: 'functions/policy/notify.ts',
    description: '免申即享: delivers notifications to the channel sender and records delivery status.',
    timeoutSeconds: 30,
    memoryMiB: 512,
    tables: { entitlements: 'readwrite' },
    sendsTo: ['outbound'],
    consumes: { queue: 'notify', batchSize: 10, maxBatchingWindowSeconds: 1, maxConcurrency: 10 },
  },
  review: {
    entry: 'functions/review/handler.ts',
    description: '好差评: completed cases, reviews, rectification steps, figures.',
    timeoutSeconds: 30,
    memoryMiB: 1024,
    tables: { reviews: 'readwrite', audit: 'write' },
    sendsTo: ['outbound'],
    consumes: { queue: 'review', batchSize: 10, maxBatchingWindowSeconds: 1, maxConcurrency: 10 },
  },
  reviewSchedule: {
    entry: 'functions/review/schedule.ts',
    description: '好差评 schedule: invitations, 3-day reminders, 7-day defaults, overdue rectifications.',
    timeoutSeconds: 60,
    memoryMiB: 512,
    tables: { reviews: 'readwrite', audit: 'write' },
    sendsTo: ['outbound'],
  },
} as const satisfies Record<string, FunctionSpec>;

export interface RouteSpec {
  readonly method: 'GET' | 'POST';
  /** API Gateway path syntax: `{name}` is a path parameter. */
  readonly path: string;
  readonly function: FunctionName;
}

export const routes = [
  { method: 'POST', path: '/events', function: 'ingest' },
  { method: 'GET', path: '/events/{id}', function: 'query' },
  { method: 'GET', path: '/items/{itemCode}', function: 'query' },
  { method: 'GET', path: '/enterprises/{creditCode}/policies', function: 'query' },
  { method: 'GET', path: '/policies/{policyId}', function: 'query' },
  { method: 'GET', path: '/policies/{policyId}/entitlements', function: 'query' },
  { method: 'GET', path: '/applications/{applicationId}', function: 'query' },
  { method: 'GET', path: '/approval/figures', function: 'query' },
  { method: 'GET', path: '/reviews/figures', function: 'query' },
  { method: 'GET', path: '/reviews/ranking', function: 'query' },
  { method: 'GET', path: '/cases/{caseId}', function: 'query' },
  { method: 'GET', path: '/rectifications/{caseId}', function: 'query' },
] as const satisfies readonly RouteSpec[];

export interface ScheduleSpec {
  readonly name: string;
  readonly function: FunctionName;
  /** Rate in minutes (the local runtime fires it on a timer, or on demand). */
  readonly everyMinutes: number;
  readonly description: string;
}

export const schedules = [
  {
    name: 'approval-deadlines',
    function: 'approvalDeadlines',
    everyMinutes: 15,
    description: 'Supplement deadlines (TERMINATED) and overdue commitment verifications.',
  },
  {
    name: 'review-schedule',
    function: 'reviewSchedule',
    everyMinutes: 15,
    description: 'Review invitations, reminders, defaults and overdue rectifications.',
  },
] as const satisfies readonly ScheduleSpec[];

/** Which queue owns each inbound event type (SPEC §2). */
export const routing = {
  'gov.catalog.item.published': 'registry',
  'gov.enterprise.profile.updated': 'registry',
  'gov.person.profile.updated': 'registry',
  'gov.licence.issued': 'registry',
  'gov.licence.revoked': 'registry',
  'gov.credit.updated': 'registry',
  'gov.application.submitted': 'approval',
  'gov.application.materials.supplemented': 'approval',
  'gov.application.verification.reported': 'approval',
  'gov.policy.published': 'policy',
  'gov.policy.withdrawn': 'policy',
  'gov.policy.confirmed': 'policy',
  'gov.policy.disbursed': 'policy',
  'gov.case.completed': 'review',
  'gov.review.submitted': 'review',
  'gov.rectification.updated': 'review',
} as const satisfies Record<string, QueueName>;

export type InboundType = keyof typeof routing;

/** Environment variable names through which a function finds its resources. */
export const env = {
  table: (name: TableName) => `TABLE_${name.toUpperCase()}`,
  queueUrl: (name: QueueName) => `QUEUE_${name.toUpperCase()}_URL`,
} as const;
