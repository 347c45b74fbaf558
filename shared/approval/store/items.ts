/**
 * The items of the approvals table and the transaction items that write them (the layout is at the top of
 * store.ts). Conditions make every write happen once: each version is created only if absent (V#000001,
 * which also holds the application, is the exactly-once gate of a submission), a later DECISION only over the
 * version it was computed from.
 */
import { gunzipSync, inflateRawSync } from 'node:zlib';
import { jsonBytes } from '#contract/limits';
import { auditPut, type AuditEntry } from '#platform/audit';
import { receiptPut, type Receipt } from '#platform/receipts';
import type { TransactItem } from '#platform/transactions';
import { causeKey, type Cause, type Decision, type VersionCause } from '../domain/decision';
import { openDeadline } from '../domain/lifecycle';
import type { DecisionFacts } from '../domain/replay';
import type { Application } from '../domain/types';
import { resentBySchedule, type ConflictRecord, type FactsDropped, type FirstDecisionRecord, type OverdueFlagRecord, type Outbox, type OutboxRef, type RefusalRecord, type TransitionRecord } from '../ports';
import {
  CONFLICT_PREFIX,
  decisionIndexKeys,
  DECISION_SK,
  duePkOf,
  FLAG_OVERDUE_SK,
  OUTBOX,
  outboxSk,
  pkOf,
  REFUSAL_PREFIX,
  table,
  versionSk,
} from './keys';
import { pack, unpack } from './packing';

/**
 * What the DECISION item keeps of the current version: what the byDue index, the figures and the monthly
 * report read. The full decision (trace, reasons, licences) is in V#<sequence>.
 */
export type CurrentDecision = Pick<
  Decision,
  | 'applicationId'
  | 'itemCode'
  | 'itemVersion'
  | 'itemMode'
  | 'departmentCode'
  | 'outcome'
  | 'materialsWaived'
  | 'latencyMs'
  | 'timeLimitCompression'
  | 'submittedAt'
  | 'decidedAt'
  | 'updatedAt'
  | 'sequence'
> &
  Partial<Pick<Decision, 'supplementDue' | 'verificationDue'>> & {
    /** Who decided, when a person did (the figures count no instant approval then); the reasons stay in V#. */
    readonly review?: Pick<NonNullable<Decision['review']>, 'staffId' | 'at' | 'outcome'>;
  };

export function currentOf(d: Decision): CurrentDecision {
  return {
    applicationId: d.applicationId,
    itemCode: d.itemCode,
    itemVersion: d.itemVersion,
    itemMode: d.itemMode,
    departmentCode: d.departmentCode,
    outcome: d.outcome,
    materialsWaived: d.materialsWaived,
    latencyMs: d.latencyMs,
    timeLimitCompression: d.timeLimitCompression,
    submittedAt: d.submittedAt,
    decidedAt: d.decidedAt,
    updatedAt: d.updatedAt,
    sequence: d.sequence,
    ...(d.supplementDue === undefined ? {} : { supplementDue: d.supplementDue }),
    ...(d.verificationDue === undefined ? {} : { verificationDue: d.verificationDue }),
    ...(d.review === undefined ? {} : { review: { staffId: d.review.staffId, at: d.review.at, outcome: d.review.outcome } }),
  };
}

/** Bodies above this many bytes, and every body stored with facts, are packed (binary `bodyZ`, packing.ts). */
const PACK_ABOVE = 1024;

/**
 * A version's body as stored: packed with its facts when it has them (a first version), packed alone when
 * large, else JSON text (`body`). The facts are what decide() read (docs/decisions/decision-facts.md).
 */
export function encodeBody(value: unknown, facts?: DecisionFacts): { body: string } | { bodyZ: Uint8Array } {
  const json = JSON.stringify(value);
  if (facts !== undefined) return { bodyZ: pack(json, JSON.stringify(facts)) };
  return Buffer.byteLength(json) > PACK_ABOVE ? { bodyZ: pack(json) } : { body: json };
}

/**
 * The stored body's JSON text, and the facts' JSON when it holds them and `withFacts` asks (a packed body
 * has both in one stream). Items written before packing keep a gzip body (`bodyGz`) and, on a first
 * version, facts deflated with the body as dictionary (`facts`), inflated only when asked for.
 */
function storedJson(item: Record<string, unknown>, withFacts: boolean): { json: string; factsJson?: string } {
  const packed = item.bodyZ as Uint8Array | undefined;
  if (packed !== undefined) return unpack(packed);
  const gz = item.bodyGz as Uint8Array | undefined;
  const json = gz === undefined ? (item.body as string) : gunzipSync(gz).toString('utf8');
  const facts = item.facts as Uint8Array | undefined;
  if (!withFacts || facts === undefined) return { json };
  return { json, factsJson: inflateRawSync(facts, { dictionary: Buffer.from(json) }).toString('utf8') };
}

export function decodeBody<T>(item: Record<string, unknown>): T {
  return JSON.parse(storedJson(item, false).json) as T;
}

const createOnce = (item: Record<string, unknown>): TransactItem => ({
  Put: { TableName: table(), Item: item, ConditionExpression: 'attribute_not_exists(pk)' },
});

function decisionItem(decision: Decision) {
  const due = openDeadline(decision);
  return {
    pk: pkOf(decision.applicationId),
    sk: DECISION_SK,
    kind: 'decision',
    sequence: decision.sequence,
    outcome: decision.outcome,
    itemCode: decision.itemCode,
    updatedAt: decision.updatedAt,
    // Read as JSON by the figures route and the monthly report: never compressed.
    body: JSON.stringify(currentOf(decision)),
    ...decisionIndexKeys(decision.applicationId, decision.itemCode),
    ...(due ? { duePk: duePkOf(due.kind), dueAt: due.dueAt } : {}),
  };
}

/** A version item's decision and, on a first version, the facts it saw: the body unpacked once. */
export function decodeVersion(item: Record<string, unknown>): { decision: Decision; facts?: DecisionFacts } {
  const { json, factsJson } = storedJson(item, true);
  const decision = JSON.parse(json) as Decision;
  return factsJson === undefined ? { decision } : { decision, facts: JSON.parse(factsJson) as DecisionFacts };
}

function versionItem(decision: Decision, cause: Cause, causeKind: VersionCause, body: ReturnType<typeof encodeBody> = encodeBody(decision)) {
  return {
    pk: pkOf(decision.applicationId),
    sk: versionSk(decision.sequence),
    kind: 'version',
    sequence: decision.sequence,
    outcome: decision.outcome,
    cause,
    causeKey: causeKey(cause),
    causeKind,
    ...body,
  };
}

/**
 * The most bytes a first version's packed decision and facts may take; DynamoDB takes items of at most
 * 400 KB. The edge bounds the application, the profile and each e-licence (docs/contract.md, "What one
 * decision stores"), but not how many e-licences an applicant holds, and the facts hold them all: past this
 * the decision is stored with its application alone, as a decision that read no facts is, flagged
 * `factsDropped` (FACTS_DROPPED_FOR_SIZE), and a simulation counts it as not replayable for that reason. The
 * decision itself is the same either way.
 */
export const FACTS_BUDGET = 300 * 1024;

/** The version item's `factsDropped`: the decision read facts, and they were left out for their size. */
export const FACTS_DROPPED_FOR_SIZE = 'size' as const;

/** How a first version keeps its facts: its body, whether the facts are in it, and the sizes when they were dropped. */
interface FactsFit {
  readonly body: ReturnType<typeof encodeBody>;
  readonly kept: boolean;
  readonly dropped?: FactsDropped;
}

/**
 * The fit last measured for a record's facts, so that the use case's question (`factsDroppedFor`, asked
 * before the write to report it after) and the write pack a large decision once between them.
 */
const fits = new WeakMap<DecisionFacts, { readonly decision: Decision; readonly fit: FactsFit }>();

const packedBytes = (body: ReturnType<typeof encodeBody>): number => ('bodyZ' in body ? body.bodyZ.byteLength : Buffer.byteLength(body.body));

/** The packed decision with its facts when they fit FACTS_BUDGET, else the decision alone (and why). */
function factsFit(first: FirstDecisionRecord): FactsFit {
  const { decision, facts } = first;
  if (facts === undefined) return { body: encodeBody(decision), kept: false };
  const known = fits.get(facts);
  if (known !== undefined && known.decision === decision) return known.fit;
  const withFacts = encodeBody(decision, facts);
  let fit: FactsFit;
  if (packedBytes(withFacts) <= FACTS_BUDGET) {
    fit = { body: withFacts, kept: true };
  } else {
    const alone = encodeBody(decision);
    const stored = packedBytes(alone) + jsonBytes(first.application);
    fit = { body: alone, kept: false, dropped: { packedBytes: packedBytes(withFacts), budgetBytes: FACTS_BUDGET, storedBytes: stored } };
  }
  fits.set(facts, { decision, fit });
  return fit;
}

/**
 * Whether a first decision's facts will be left out of its version for their size, measured as the write
 * packs them, with the sizes; undefined when they are kept (or there are none). Writes nothing.
 */
export function factsDroppedFor(first: FirstDecisionRecord): FactsDropped | undefined {
  return factsFit(first).dropped;
}

/**
 * The first version, which also holds the application: in `facts.application` when the decision read facts
 * (every submission of a known item) and they fit FACTS_BUDGET, else in `application` (JSON), with
 * `factsDropped` when facts were read but did not fit. Its content hash is the decision's `applicationHash`
 * and the event that brought it is the version's `cause`, so only `receivedAt` is added. One item fewer per
 * submission than a separate APPLICATION item (2 write units in the transaction).
 */
function firstVersionItem(first: FirstDecisionRecord) {
  const { application, decision, cause, facts } = first;
  if (facts !== undefined && facts.application !== application && JSON.stringify(facts.application) !== JSON.stringify(application)) {
    throw new Error(`the facts of ${application.applicationId} were read for another application`);
  }
  const fit = factsFit(first);
  return {
    ...versionItem(decision, cause, 'submitted', fit.body),
    receivedAt: first.receivedAt,
    ...(fit.kept ? {} : { application: JSON.stringify(application) }),
    ...(fit.dropped === undefined ? {} : { factsDropped: FACTS_DROPPED_FOR_SIZE }),
  };
}

/** The application a first version holds (firstVersionItem), with the facts decodeVersion read from it. */
export function applicationOfFirstVersion(
  item: Record<string, unknown>,
  decision: Decision,
  facts: DecisionFacts | undefined,
): { application: Application; applicationHash: string; cause: Cause; receivedAt: string } | undefined {
  const application = facts?.application ?? (typeof item.application === 'string' ? (JSON.parse(item.application) as Application) : undefined);
  if (application === undefined || typeof item.receivedAt !== 'string') return undefined;
  return { application, applicationHash: decision.applicationHash, cause: item.cause as Cause, receivedAt: item.receivedAt };
}

/**
 * The outbox item of a change the deadlines schedule made (`resentBySchedule`), waiting in the byDue index
 * under OUTBOX until marked sent, for the schedule to find if a crash left it. An event's change has none.
 */
function outboxPut(ref: OutboxRef, outbox: Outbox, at: string): TransactItem {
  return createOnce({ pk: pkOf(ref.applicationId), sk: outboxSk(ref), kind: 'outbox', outbox: JSON.stringify(outbox), duePk: OUTBOX, dueAt: at });
}

/** A decision's audit line, pointing at the version that holds the decision rather than copying it. */
function auditOfVersion(audit: AuditEntry, decision: Decision): TransactItem {
  return { Put: auditPut({ ...audit, details: { ...audit.details, version: `${pkOf(decision.applicationId)}/${versionSk(decision.sequence)}` } }) };
}

/** In the change's own transaction, whose create-only items already make it happen once: no condition of its own. */
const receiptItems = (receipt: Receipt | undefined): TransactItem[] => (receipt ? [receiptPut(receipt, 'replace')] : []);

const versionRef = (decision: Decision): OutboxRef => ({ applicationId: decision.applicationId, of: 'version', sequence: decision.sequence });

/**
 * A first decision's transaction; the first version (with the application) comes first, so a failure of its
 * condition means "exists".
 */
export function firstDecisionItems(first: FirstDecisionRecord): TransactItem[] {
  const { decision } = first;
  return [
    createOnce(firstVersionItem(first)),
    createOnce(decisionItem(decision)),
    auditOfVersion(first.audit, decision),
    ...receiptItems(first.receipt),
  ];
}

/** A later version's transaction: the DECISION only over the version it was computed from. */
export function transitionItems(next: TransitionRecord): TransactItem[] {
  const { previous, decision } = next;
  if (decision.sequence !== previous.sequence + 1) {
    throw new Error(`version ${decision.sequence} of ${decision.applicationId} does not follow ${previous.sequence}`);
  }
  return [
    {
      Put: {
        TableName: table(),
        Item: decisionItem(decision),
        ConditionExpression: '#seq = :previous',
        ExpressionAttributeNames: { '#seq': 'sequence' },
        ExpressionAttributeValues: { ':previous': previous.sequence },
      },
    },
    createOnce(versionItem(decision, next.cause, next.causeKind)),
    ...(resentBySchedule(next.causeKind) ? [outboxPut(versionRef(decision), next.outbox, decision.updatedAt)] : []),
    auditOfVersion(next.audit, decision),
    ...receiptItems(next.receipt),
  ];
}

/** The decision leaves the DUE#VERIFICATION index and the flag is created, if the decision is still that version. */
export function overdueFlagItems(flag: OverdueFlagRecord): TransactItem[] {
  const { decision } = flag;
  return [
    {
      Update: {
        TableName: table(),
        Key: { pk: pkOf(decision.applicationId), sk: DECISION_SK },
        UpdateExpression: 'REMOVE duePk, dueAt SET verificationOverdueAt = :at',
        ConditionExpression: '#seq = :seq AND duePk = :due',
        ExpressionAttributeNames: { '#seq': 'sequence' },
        ExpressionAttributeValues: { ':seq': decision.sequence, ':due': duePkOf('VERIFICATION'), ':at': flag.flaggedAt },
      },
    },
    createOnce({ pk: pkOf(decision.applicationId), sk: FLAG_OVERDUE_SK, kind: 'flag', sequence: decision.sequence, flaggedAt: flag.flaggedAt }),
    outboxPut({ applicationId: decision.applicationId, of: 'overdueFlag' }, flag.outbox, flag.flaggedAt),
    { Put: auditPut(flag.audit) },
  ];
}

/**
 * A conflicting resubmission, recorded once (the first item's condition says whether it was new), in the
 * application's partition: a single item's (APP#) unless `pk` names another (a bundle's).
 */
export function conflictItems(conflict: ConflictRecord<{ readonly applicationId: string }>, pk = pkOf(conflict.application.applicationId)): TransactItem[] {
  return [
    createOnce({
      pk,
      sk: `${CONFLICT_PREFIX}${causeKey(conflict.cause)}`,
      kind: 'conflict',
      cause: conflict.cause,
      receivedAt: conflict.receivedAt,
      applicationHash: conflict.applicationHash,
      storedHash: conflict.storedHash,
      body: JSON.stringify(conflict.application),
    }),
    { Put: auditPut(conflict.audit) },
    ...receiptItems(conflict.receipt),
  ];
}

/** A refused later event, recorded once (the first item's condition says whether it was new). */
export function refusalItems(refusal: RefusalRecord): TransactItem[] {
  return [
    createOnce({
      pk: pkOf(refusal.applicationId),
      sk: `${REFUSAL_PREFIX}${causeKey(refusal.cause)}`,
      kind: 'refusal',
      cause: refusal.cause,
      causeKey: causeKey(refusal.cause),
      at: refusal.at,
      code: refusal.code,
      message: refusal.message,
    }),
    { Put: auditPut(refusal.audit) },
    ...receiptItems(refusal.receipt),
  ];
}
