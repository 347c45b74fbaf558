/** The keys of the approvals table (the layout is documented at the top of store.ts). */
import { tableName } from '#platform/resources';
import { DECISION_SHARDS } from '../lean';
import type { DueKind } from '../domain/lifecycle';
import type { OutboxRef } from '../ports';

/** Read when called: the physical name comes from the environment the function (or test) runs in. */
export const table = (): string => tableName('approvals');

export const pkOf = (applicationId: string) => `APP#${applicationId}`;
export const applicationIdOf = (pk: string) => pk.slice('APP#'.length);
/** Read only: the application's item in partitions written before V#000001 held the application. */
export const APPLICATION_SK = 'APPLICATION';
export const DECISION_SK = 'DECISION';
export const VERSION_PREFIX = 'V#';
export const versionSk = (sequence: number) => `${VERSION_PREFIX}${String(sequence).padStart(6, '0')}`;
export const FLAG_OVERDUE_SK = 'FLAG#VERIFICATION_OVERDUE';
export const CONFLICT_PREFIX = 'CONFLICT#';
export const REFUSAL_PREFIX = 'REFUSAL#';

/** The byDue partition of outboxes not yet sent. */
export const OUTBOX = 'OUTBOX';
export const OUTBOX_PREFIX = 'OUTBOX#';
export const duePkOf = (kind: DueKind) => `DUE#${kind}`;

/** The sort key of the version or flag an outbox belongs to. */
export const ownerSk = (ref: OutboxRef) => (ref.of === 'version' ? versionSk(ref.sequence) : FLAG_OVERDUE_SK);
export const outboxSk = (ref: OutboxRef) => `${OUTBOX_PREFIX}${ownerSk(ref)}`;

/** The outbox an OUTBOX#… sort key names. */
export function outboxRefOf(applicationId: string, sk: string): OutboxRef {
  const owner = sk.slice(OUTBOX_PREFIX.length);
  if (owner === FLAG_OVERDUE_SK) return { applicationId, of: 'overdueFlag' };
  return { applicationId, of: 'version', sequence: Number(owner.slice(VERSION_PREFIX.length)) };
}

// The shard count is in the lean public module, which other capabilities read without the store.
export { DECISION_SHARDS };

/** The byItem index keys of a DECISION item: a shard from the application id, then item code and id. */
export function decisionIndexKeys(applicationId: string, itemCode: string): { itemShard: string; itemKey: string } {
  let h = 0;
  for (let i = 0; i < applicationId.length; i++) h = (h * 31 + applicationId.charCodeAt(i)) >>> 0;
  return { itemShard: `DECISION#${h % DECISION_SHARDS}`, itemKey: `${itemCode}#${applicationId}` };
}
