import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from './aws';
import { tableName } from './resources';

/** One line of the append-only audit trail: who, what, when, why. */
export interface AuditEntry {
  /** What the entry is about, e.g. `application:A-1`, `rectification:C-9`, `entitlement:P-1/9144...`. */
  readonly subject: string;
  /** What happened, e.g. `decided`, `state:OPEN->IN_PROGRESS`. */
  readonly action: string;
  /** Who: an upstream source, a staff member, or the system function that acted. */
  readonly actor: string;
  /** When (ISO 8601, the functions' clock). */
  readonly at: string;
  /** Why: reason codes or a note. */
  readonly why: string;
  /** Deterministic key of the cause (e.g. the event id), so a redelivery writes the same entry once. */
  readonly causeId: string;
  readonly details?: Record<string, unknown>;
}

/**
 * Appends an entry. The put only ever creates (a condition forbids overwriting), and the table grants
 * give the functions no delete; so no handler can rewrite history. A redelivered cause finds its entry
 * already there and does nothing.
 */
export async function appendAudit(entry: AuditEntry): Promise<void> {
  try {
    await ddb.send(new PutCommand(auditPut(entry)));
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/**
 * The create-only Put of an entry, for a DynamoDB transaction that must record the audit line together
 * with the state change it explains (e.g. `{ Put: auditPut(entry) }` in a TransactWriteCommand).
 */
export function auditPut(entry: AuditEntry) {
  return {
    TableName: tableName('audit'),
    Item: { pk: `AUDIT#${entry.subject}`, sk: `${entry.at}#${entry.action}#${entry.causeId}`, ...entry },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}
