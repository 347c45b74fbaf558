/**
 * The keys of the `entitlements` table (the layout is at the top of ../store.ts). Only the store knows them.
 */
import { tableName } from '#platform/resources';

export const table = () => tableName('entitlements');

export const FIGURE_SHARDS = 16;
const pad = (n: number, width: number) => String(n).padStart(width, '0');

export const policyPk = (policyId: string) => `POLICY#${policyId}`;
export const CURRENT_SK = 'CURRENT';
export const BUDGET_SK = 'BUDGET';
export const versionSk = (v: number) => `V#${pad(v, 6)}`;
export const runSk = (v: number) => `RUN#${pad(v, 6)}`;
export const sliceSk = (version: number, shard: number, cursor: string | undefined) =>
  `SLICE#${pad(version, 6)}#${pad(shard, 2)}#${cursor ?? ''}`;
export const ENT_PREFIX = 'ENT#';
export const entSk = (creditCode: string) => `${ENT_PREFIX}${creditCode}`;
export const OUTBOX_PREFIX = 'OUTBOX#';
export const outboxSk = (creditCode: string) => `${OUTBOX_PREFIX}${creditCode}`;
export const refusalSk = (eventId: string) => `REFUSAL#${eventId}`;
export const FIGURES_PREFIX = 'FIGURES#';
export const figuresSk = (shard: number) => `${FIGURES_PREFIX}${pad(shard, 2)}`;

/** The policy's newest publicity window (公示期). */
export const PUBLICITY_SK = 'PUBLICITY';
/** Windows still to be finished by the schedule, by the instant they close (create on open, delete when done). */
export const DUE_PK = 'PUBLICITY-DUE';
export const DUE_PREFIX = 'DUE#';
export const dueSk = (closesAt: string, policyId: string, windowId: string) => `${DUE_PREFIX}${closesAt}#${policyId}#${windowId}`;
/** An objection, by its id alone (a resolution names only the objection). */
export const objectionPk = (objectionId: string) => `OBJECTION#${objectionId}`;
export const OBJECTION_SK = 'OBJECTION';

/** The index of active policies, which a profile update is matched against. */
export const ACTIVE_PK = 'POLICIES';
export const activeSk = (policyId: string) => `ACTIVE#${policyId}`;

/** A hash other than the registry's shard hash, so one slice's enterprises spread over every figure shard. */
export function figureShardOf(creditCode: string): number {
  let h = 5381;
  for (let i = 0; i < creditCode.length; i++) h = (Math.imul(h, 33) + creditCode.charCodeAt(i)) | 0;
  return (h >>> 0) % FIGURE_SHARDS;
}
