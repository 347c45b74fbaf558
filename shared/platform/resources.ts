/**
 * The names of CivicFlow's resources, the one place shared code learns them: the tables and queues (their
 * specs live in topology/index.ts, which declares exactly these names), the queue that owns each inbound
 * event type, and the environment variables through which a function finds a resource's physical name.
 *
 * Shared code and functions never import topology/: it is deployment wiring. The routing is here rather
 * than there because functions need it at run time (ingest routes inbound events, producers of internal
 * events send them by type), and a Lambda environment (4 KB, mostly the stage configuration) has no room
 * to carry it.
 */
import type { InboundType } from '#contract/inbound';
import type { InternalType } from '#contract/internal';

export const TABLE_NAMES = ['events', 'registry', 'approvals', 'entitlements', 'reviews', 'hardcases', 'audit', 'receipts', 'reports', 'simulations'] as const;
export type TableName = (typeof TABLE_NAMES)[number];

export const QUEUE_NAMES = ['registry', 'approval', 'policy', 'match', 'notify', 'review', 'hardcase', 'outbound', 'simulation'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** Which queue owns each inbound event type: exhaustive over the contract's types. */
export const routing = {
  'gov.catalog.item.published': 'registry',
  'gov.catalog.bundle.published': 'registry',
  'gov.enterprise.profile.updated': 'registry',
  'gov.person.profile.updated': 'registry',
  'gov.licence.issued': 'registry',
  'gov.licence.revoked': 'registry',
  'gov.credit.updated': 'registry',
  'gov.application.submitted': 'approval',
  'gov.application.materials.supplemented': 'approval',
  'gov.application.verification.reported': 'approval',
  'gov.application.reviewed': 'approval',
  'gov.policy.published': 'policy',
  'gov.policy.withdrawn': 'policy',
  'gov.policy.confirmed': 'policy',
  'gov.policy.disbursed': 'policy',
  'gov.policy.objection.filed': 'policy',
  'gov.policy.objection.resolved': 'policy',
  'gov.policy.recovered': 'policy',
  'gov.case.completed': 'review',
  'gov.review.submitted': 'review',
  'gov.rectification.updated': 'review',
  'gov.hardcase.reported': 'hardcase',
  'gov.hardcase.updated': 'hardcase',
} as const satisfies Record<InboundType, QueueName>;

/** The inbound types a queue carries. */
export type InboundTypesOf<Q extends QueueName> = { [T in InboundType]: (typeof routing)[T] extends Q ? T : never }[InboundType];

export function inboundTypesOf<Q extends QueueName>(queue: Q): InboundTypesOf<Q>[] {
  return (Object.keys(routing) as InboundType[]).filter((t): t is InboundTypesOf<Q> => routing[t] === queue);
}

/** Which queue carries each internal event type: its consumer's. */
export const internalRouting = {
  'civicflow.case.opened': 'review',
  'civicflow.enterprise.rematch': 'policy',
  'civicflow.policy.match-slice': 'match',
  'civicflow.entitlement.notify': 'notify',
  'civicflow.credit.marked': 'registry',
  'civicflow.application.decided': 'hardcase',
  'civicflow.simulation.slice': 'simulation',
} as const satisfies Record<InternalType, QueueName>;

/** The internal types a queue carries. */
export type InternalTypesOf<Q extends QueueName> = { [T in InternalType]: (typeof internalRouting)[T] extends Q ? T : never }[InternalType];

/** Environment variable names through which a function finds its resources. */
export const env = {
  table: (name: TableName) => `TABLE_${name.toUpperCase()}`,
  queueUrl: (name: QueueName) => `QUEUE_${name.toUpperCase()}_URL`,
  /** Receives before the queue moves a message to its DLQ: a consumer's last attempt can say so (set for consumers). */
  maxReceives: (name: QueueName) => `MAX_RECEIVES_${name.toUpperCase()}`,
  /**
   * The longest a message can take to be processed once queued — the queue's visibility timeout × its
   * maxReceiveCount: set for a function that waits for the queue's messages sent before a deadline.
   */
  deliverySeconds: (name: QueueName) => `DELIVERY_SECONDS_${name.toUpperCase()}`,
} as const;

/** A required environment variable, with a message that says what is missing. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}

/** The physical name of a table, as the deployment (or the local runtime) set it. */
export const tableName = (name: TableName): string => requireEnv(env.table(name));

/** The URL of a queue, as the deployment (or the local runtime) set it. */
export const queueUrl = (name: QueueName): string => requireEnv(env.queueUrl(name));

/** The queue's maxReceiveCount, for a consumer of that queue. */
export function maxReceivesOf(name: QueueName): number {
  const value = Number(requireEnv(env.maxReceives(name)));
  if (!Number.isInteger(value) || value < 1) throw new Error(`Environment variable ${env.maxReceives(name)} is not a positive integer`);
  return value;
}

/** The queue's longest delivery in seconds (env.deliverySeconds), or `fallback` when the deployment set none. */
export function deliverySecondsOf(name: QueueName, fallback: number): number {
  const raw = process.env[env.deliverySeconds(name)];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`Environment variable ${env.deliverySeconds(name)} is not a non-negative number of seconds`);
  return value;
}
