/** Reading one application's partition back into a case (the layout is at the top of store.ts). */
import { queryAll } from '#platform/paging';
import type { Cause, Decision, VersionCause } from '../domain/decision';
import type { Application } from '../domain/types';
import type { Outbox, StoredCase, StoredConflict, StoredFlag, StoredRefusal, StoredRefusalCode, StoredVersion } from '../ports';
import { applicationOfFirstVersion, decodeBody, decodeVersion } from './items';
import {
  APPLICATION_SK,
  CONFLICT_PREFIX,
  DECISION_SK,
  FLAG_OVERDUE_SK,
  OUTBOX,
  OUTBOX_PREFIX,
  pkOf,
  REFUSAL_PREFIX,
  table,
  VERSION_PREFIX,
  versionSk,
} from './keys';

type Item = Record<string, unknown>;

const NOTHING_TO_SEND: Outbox = { outbound: [], effects: [] };

/** The whole case in one strongly consistent Query (a handful of items). */
export async function loadCase(applicationId: string): Promise<StoredCase> {
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': pkOf(applicationId) },
    ConsistentRead: true,
  });
  return caseOf(items);
}

/** The items of one partition, in sort-key order, as a case. */
export function caseOf(items: readonly Item[]): StoredCase {
  let application: StoredCase['application'];
  let currentSequence: number | undefined;
  let overdueFlag: StoredFlag | undefined;
  const versions: StoredVersion[] = [];
  const outboxes = new Map<string, { outbox: Outbox; pending: boolean }>();
  const conflicts: StoredConflict[] = [];
  const refusals: StoredRefusal[] = [];
  for (const item of items) {
    const sk = item.sk as string;
    if (sk === APPLICATION_SK) application = applicationOf(item);
    else if (sk === DECISION_SK) currentSequence = item.sequence as number;
    else if (sk.startsWith(OUTBOX_PREFIX)) outboxes.set(sk.slice(OUTBOX_PREFIX.length), outboxOf(item));
    else if (sk.startsWith(VERSION_PREFIX)) {
      // Sort keys put APPLICATION (the layout before the first version held the application) before V#.
      if (application === undefined && sk === versionSk(1)) {
        const { decision, facts } = decodeVersion(item);
        application = applicationOfFirstVersion(item, decision, facts);
        versions.push(versionOf(item, decision));
      } else versions.push(versionOf(item));
    }
    else if (sk === FLAG_OVERDUE_SK) overdueFlag = flagOf(item);
    else if (sk.startsWith(CONFLICT_PREFIX)) conflicts.push(conflictOf(item));
    else if (sk.startsWith(REFUSAL_PREFIX)) refusals.push(refusalOf(item));
  }
  // Sort keys are zero-padded, so the Query's order is the versions' order; receivedAt orders the rest.
  const ordered = versions.map((v) => ({ ...v, ...outboxes.get(versionSk(v.decision.sequence)) }));
  // DECISION and its V# are written in one transaction, but a Query is not isolated across items: should
  // it see the new DECISION before its version, the latest version seen stands (a write based on it
  // fails its sequence condition and reloads).
  const decision =
    currentSequence === undefined
      ? undefined
      : (ordered.find((v) => v.decision.sequence === currentSequence) ?? ordered[ordered.length - 1])?.decision;
  conflicts.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  refusals.sort((a, b) => a.at.localeCompare(b.at));
  return {
    ...(application ? { application } : {}),
    ...(decision ? { decision } : {}),
    versions: ordered,
    conflicts,
    refusals,
    ...(overdueFlag ? { overdueFlag: { ...overdueFlag, ...outboxes.get(FLAG_OVERDUE_SK) } } : {}),
  };
}

/** An APPLICATION item, as partitions written before the first version held the application have it. */
function applicationOf(item: Item): NonNullable<StoredCase['application']> {
  return {
    application: JSON.parse(item.body as string) as Application,
    applicationHash: item.applicationHash as string,
    cause: item.cause as Cause,
    receivedAt: item.receivedAt as string,
  };
}

function outboxOf(item: Item): { outbox: Outbox; pending: boolean } {
  return { outbox: JSON.parse(item.outbox as string) as Outbox, pending: item.duePk === OUTBOX || item.pending === true };
}

/** A version without its outbox item (merged in by caseOf when there is one). */
function versionOf(item: Item, decision: Decision = decodeBody<Decision>(item)): StoredVersion {
  return { decision, cause: item.cause as Cause, causeKind: item.causeKind as VersionCause, pending: false };
}

function flagOf(item: Item): StoredFlag {
  return { flaggedAt: item.flaggedAt as string, sequence: item.sequence as number, outbox: NOTHING_TO_SEND, pending: false };
}

/** A CONFLICT# item's fields but the application it carried (a bundle's conflicts are read without it). */
export function conflictFieldsOf(item: Item): Omit<StoredConflict, 'application'> {
  return {
    cause: item.cause as Cause,
    receivedAt: item.receivedAt as string,
    applicationHash: item.applicationHash as string,
    storedHash: item.storedHash as string,
  };
}

function conflictOf(item: Item): StoredConflict {
  return { ...conflictFieldsOf(item), application: JSON.parse(item.body as string) as Application };
}

export function refusalOf(item: Item): StoredRefusal {
  return { cause: item.cause as Cause, at: item.at as string, code: item.code as StoredRefusalCode, message: item.message as string };
}
