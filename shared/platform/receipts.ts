/**
 * Event receipts: for every accepted inbound event, by its `(source, id)`, what became of it —
 * applied (with a pointer to what it changed), no effect (a duplicate, a stale update, a replay) or refused
 * after acceptance with a kind from ONE vocabulary and a reason — so an upstream system never has to parse a
 * Chinese message to learn what happened. Every capability records its outcomes here; the query routes
 * `GET /events/{id}/receipt` and `GET /refusals` read them.
 *
 *   receipts table   pk = RCPT#<source>#<id>   sk = RECEIPT
 *                    refusedBy / refusedAt (GSI bySource): only on refused receipts, so a source's refusals
 *                    since a time are one Query.
 *
 * Exactly once under at-least-once delivery: a receipt is written in the same transaction as the change it
 * reports (`receiptPut` among the change's items; the group commit writes it with the rest), or create-only
 * on its own (`recordReceipt`) when nothing else changes. A redelivered event finds its receipt there and
 * records nothing new: the first outcome stands. The one receipt that changes later is a review parked
 * before its case (outcome `pending`, kind PARKED), which the case's completion replaces with what became of it.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from './aws';
import { tableName } from './resources';
import { eventRef, isInbound, type EventRef } from './inbound';
import type { TransactItem } from './transactions';

/** What a receipt is about: the inbound event, as every consumer knows it. */
export type { EventRef } from './inbound';

export type ReceiptOutcome = 'applied' | 'noEffect' | 'refused' | 'pending';

/**
 * The one vocabulary of receipt kinds: the outcome each belongs to (this table, which every consumer uses) and
 * what it means (RECEIPT_TEXTS, read by the query routes only, so the other functions' bundles leave it out).
 * Refusal kinds keep the codes each capability's own routes already show (`/applications/{id}` refusals,
 * `/cases/{id}` rejections, `/rectifications/{id}` refused steps), so the two views agree.
 */
export const RECEIPT_OUTCOMES = {
  // no effect
  DUPLICATE: 'noEffect',
  STALE: 'noEffect',
  REPLAY: 'noEffect',
  // pending
  PARKED: 'pending',
  // refused: reference data
  VERSION_CONFLICT: 'refused',
  BUNDLE_ITEM_UNKNOWN: 'refused',
  BUNDLE_MATERIAL_CONFLICT: 'refused',
  // refused: 秒批
  APPLICATION_CONFLICT: 'refused',
  APPLICATION_UNKNOWN: 'refused',
  APPLICATION_MISMATCH: 'refused',
  NOT_PENDING_MATERIALS: 'refused',
  SUPPLEMENT_TOO_LATE: 'refused',
  SUPPLEMENT_IN_TIME_AFTER_TERMINATION: 'refused',
  NOT_APPROVED_ON_COMMITMENT: 'refused',
  ALREADY_VERIFIED: 'refused',
  NOT_IN_MANUAL_REVIEW: 'refused',
  BEFORE_SUBMITTED: 'refused',
  NOT_A_BUNDLE: 'refused',
  SUPPLEMENT_TOO_LARGE: 'refused',
  ITEM_NOT_IN_APPLICATION: 'refused',
  ITEM_CODE_REQUIRED: 'refused',
  // refused: 好差评
  DUPLICATE_REVIEW: 'refused',
  REVIEWER_MISMATCH: 'refused',
  ITEM_MISMATCH: 'refused',
  DEPARTMENT_MISMATCH: 'refused',
  CASE_MISMATCH: 'refused',
  INVALID_REVIEW: 'refused',
  NO_RECTIFICATION: 'refused',
  RECTIFICATION_UNKNOWN: 'refused',
  UNKNOWN_ACTION: 'refused',
  ACTION_NOT_ALLOWED: 'refused',
  NOT_OWNING_DEPARTMENT: 'refused',
  SATISFIED_REQUIRED: 'refused',
  INVALID_TIME: 'refused',
  // refused: 办不成事 (hard cases also use UNKNOWN_ACTION, ACTION_NOT_ALLOWED, SATISFIED_REQUIRED and INVALID_TIME)
  HARDCASE_UNKNOWN: 'refused',
  HARDCASE_CONFLICT: 'refused',
  WRONG_CASE: 'refused',
  BEFORE_REPORTED: 'refused',
  CAUSE_REQUIRED: 'refused',
  UNKNOWN_CAUSE: 'refused',
  DEPARTMENTS_REQUIRED: 'refused',
  ESCALATION_TARGET_REQUIRED: 'refused',
  // refused: 免申即享
  POLICY_UNKNOWN: 'refused',
  POLICY_WITHDRAWN: 'refused',
  POLICY_NOT_YET_VALID: 'refused',
  POLICY_EXPIRED: 'refused',
  POLICY_WINDOW_INVALID: 'refused',
  ENTITLEMENT_UNKNOWN: 'refused',
  NOT_A_CONFIRM_POLICY: 'refused',
  NOT_NOTIFIED: 'refused',
  NOT_ELIGIBLE: 'refused',
  NOT_GRANTED_OR_CONFIRMED: 'refused',
  BUDGET_EXHAUSTED: 'refused',
  BUDGET_UNKNOWN: 'refused',
  DISBURSEMENT_CONFLICT: 'refused',
  INVALID_AMOUNT: 'refused',
  NO_PUBLICITY: 'refused',
  OBJECTION_OUT_OF_WINDOW: 'refused',
  NOT_LISTED: 'refused',
  OBJECTION_UNKNOWN: 'refused',
  SUBJECT_KIND_MISMATCH: 'refused',
  DECLARED_FACT_MISMATCH: 'refused',
  NOT_DISBURSED: 'refused',
  RECOVERY_EXCEEDS_DISBURSED: 'refused',
  RECOVERY_CONFLICT: 'refused',
} as const satisfies Record<string, ReceiptOutcome>;

export type ReceiptKind = keyof typeof RECEIPT_OUTCOMES;
export type RefusalKind = { [K in ReceiptKind]: (typeof RECEIPT_OUTCOMES)[K] extends 'refused' ? K : never }[ReceiptKind];

/** What each kind means and the area it belongs to: every kind of RECEIPT_OUTCOMES, and no other. */
const RECEIPT_TEXTS = {
  // no effect
  DUPLICATE: { area: 'any', description: 'Already recorded under another event id: the same application, case, review, step or revocation, or an entitlement already in that state.' },
  STALE: { area: 'any', description: 'Older than what is stored: an asOf before the stored record\'s (profiles, credit records) or a policy version before the current one.' },
  REPLAY: { area: 'any', description: 'The same version with the same content was published before (service item, policy).' },
  // pending
  PARKED: { area: 'review', description: 'A review whose case is not known yet: kept, and applied or refused when the case arrives.' },
  // refused: reference data
  VERSION_CONFLICT: { area: 'catalog', description: 'The same version of a service item or policy was published before with other content; the first stands. Publish a new version.' },
  BUNDLE_ITEM_UNKNOWN: { area: 'catalog', description: 'A bundle (一件事) names an item code the catalogue has never published; `details.errors` names the field. Nothing is stored: publish the item first, then the bundle again under a new event id.' },
  BUNDLE_MATERIAL_CONFLICT: { area: 'catalog', description: 'Two items of a bundle (一件事) describe one material code differently (`declared` or `licenceType`), so one merged material set cannot judge it once; `details.errors` names the field. Nothing is stored.' },
  // refused: 秒批
  APPLICATION_CONFLICT: { area: 'approval', description: "The same applicationId was submitted before with other content, or as the other kind of application (a single item under a bundle application's id, or a bundle under a single item's); the first submission stands and is not decided again. When the kinds differ, `details.submittedAs` and `details.heldAs` name them (`item`, `bundle`)." },
  APPLICATION_UNKNOWN: { area: 'approval', description: 'No application with this applicationId was submitted (a supplement, verification report or person\'s decision for nothing).' },
  APPLICATION_MISMATCH: { area: 'approval', description: 'The supplement names another application than the stored one.' },
  NOT_PENDING_MATERIALS: { area: 'approval', description: 'A supplement for an application that is not waiting for materials (容缺).' },
  SUPPLEMENT_TOO_LATE: { area: 'approval', description: 'A supplement received (at ingest) after the supplement deadline.' },
  SUPPLEMENT_IN_TIME_AFTER_TERMINATION: { area: 'approval', description: "A supplement received (at ingest) by the supplement deadline but processed only after the deadlines schedule had terminated the application (SUPPLEMENT_DEADLINE_MISSED): held up in the queue past the schedule's grace, e.g. redriven from the dead-letter queue after a long outage. Nothing changes; staff take the case up through the 办不成事 hard case the termination offered." },
  NOT_APPROVED_ON_COMMITMENT: { area: 'approval', description: 'A verification report for an application that is not approved on commitment (告知承诺).' },
  ALREADY_VERIFIED: { area: 'approval', description: 'A second verification report: the first one stands.' },
  NOT_IN_MANUAL_REVIEW: { area: 'approval', description: 'A person\'s decision (gov.application.reviewed) on an application that is not in manual review (MANUAL_REVIEW): decided already, or never sent to a person. The current decision stands.' },
  BEFORE_SUBMITTED: { area: 'approval', description: 'A person\'s decision (gov.application.reviewed) dated (`at`) before the application was submitted (`submittedAt`; for a child of a bundle, the bundle application\'s), compared as instants whatever their offsets (a mistyped year, a wrong clock). Nothing changes: the application or child stays in manual review. Send the decision again, correctly dated, under a new event id.' },
  NOT_A_BUNDLE: { area: 'approval', description: 'A supplement with answers or form (or no materials) for an application that is not a bundle (一件事): a single-item application takes materials only.' },
  SUPPLEMENT_TOO_LARGE: { area: 'approval', description: 'A supplement to a bundle (一件事) whose `form` or `answers`, merged with the stored ones (new keys win), would be larger than one application may hold (32768 and 8192 bytes as JSON, as at the edge): nothing changes. Send it again with fewer or shorter fields, under a new event id.' },
  ITEM_NOT_IN_APPLICATION: { area: 'approval', description: 'A person\'s decision or a verification report naming an itemCode that is not an item of the application.' },
  ITEM_CODE_REQUIRED: { area: 'approval', description: 'A person\'s decision or a verification report on a bundle (一件事) application that names no itemCode where the item cannot be told: a person\'s decision always, a verification report while two or more children await one (the message names them). Send it again with `itemCode`.' },
  // refused: 好差评
  DUPLICATE_REVIEW: { area: 'review', description: 'The case already has a real review (一事一评); the first is kept.' },
  REVIEWER_MISMATCH: { area: 'review', description: 'The reviewer is not the applicant of the case.' },
  ITEM_MISMATCH: { area: 'review', description: 'The review names another service item than its case.' },
  DEPARTMENT_MISMATCH: { area: 'review', description: 'The review names another department than its case.' },
  CASE_MISMATCH: { area: 'review', description: 'The review names another case.' },
  INVALID_REVIEW: { area: 'review', description: 'The review cannot be a real review (marked defaulted, or a level outside 1–5).' },
  NO_RECTIFICATION: { area: 'rectification', description: 'A rectification step for a case whose review is not a 差评: there is nothing to rectify.' },
  RECTIFICATION_UNKNOWN: { area: 'rectification', description: 'A rectification step for a case with no rectification: the case is unknown, or no 差评 was recorded for it (refused after a few receives, in case the 差评 was still on its way).' },
  UNKNOWN_ACTION: { area: 'rectification', description: 'The step\'s action is not a rectification (or hard-case) action.' },
  ACTION_NOT_ALLOWED: { area: 'rectification', description: 'The step is not allowed in the current state of the rectification (or hard case); `details.allowedActions` lists those that are.' },
  NOT_OWNING_DEPARTMENT: { area: 'rectification', description: 'The step was taken by another department than the one that owns the case.' },
  SATISFIED_REQUIRED: { area: 'rectification', description: 'A return visit without the applicant\'s answer (`satisfied`).' },
  INVALID_TIME: { area: 'rectification', description: 'The step has no valid time (`at`).' },
  // refused: 办不成事 (hard cases also use UNKNOWN_ACTION, ACTION_NOT_ALLOWED, SATISFIED_REQUIRED and INVALID_TIME)
  HARDCASE_UNKNOWN: { area: 'hardcase', description: 'An update of a hard case that was never reported (refused after a few receives, in case the report was still on its way).' },
  HARDCASE_CONFLICT: { area: 'hardcase', description: 'The same caseId was reported before with other content; the first report stands.' },
  WRONG_CASE: { area: 'hardcase', description: 'The update names another case than the one it was applied to.' },
  BEFORE_REPORTED: { area: 'hardcase', description: 'The step is dated before the case was reported (a hard case) or before its 差评 was submitted (a rectification).' },
  CAUSE_REQUIRED: { area: 'hardcase', description: 'A conclusion (resolve, explain, escalate) of a case with no cause, given neither with it nor before.' },
  UNKNOWN_CAUSE: { area: 'hardcase', description: 'The cause is not one of the hard-case causes.' },
  DEPARTMENTS_REQUIRED: { area: 'hardcase', description: 'involveDepartments without a department code.' },
  ESCALATION_TARGET_REQUIRED: { area: 'hardcase', description: 'An escalation that does not say to whom (`escalatedTo`).' },
  // refused: 免申即享
  POLICY_UNKNOWN: { area: 'entitlement', description: 'No such policy.' },
  POLICY_WITHDRAWN: { area: 'entitlement', description: 'The policy was withdrawn.' },
  POLICY_NOT_YET_VALID: { area: 'entitlement', description: 'The policy\'s window has not started at the event\'s time.' },
  POLICY_EXPIRED: { area: 'entitlement', description: 'The policy\'s window ended before the event\'s time.' },
  POLICY_WINDOW_INVALID: { area: 'entitlement', description: 'The policy\'s validity window cannot be read.' },
  ENTITLEMENT_UNKNOWN: { area: 'entitlement', description: 'The enterprise has no entitlement to this policy (it was never matched).' },
  NOT_A_CONFIRM_POLICY: { area: 'entitlement', description: 'A confirmation for a grant policy, which needs none.' },
  NOT_NOTIFIED: { area: 'entitlement', description: 'A confirmation before the enterprise was notified.' },
  NOT_ELIGIBLE: { area: 'entitlement', description: 'The entitlement is not in a state that can be confirmed or disbursed (needs info, ineligible, not granted).' },
  NOT_GRANTED_OR_CONFIRMED: { area: 'entitlement', description: 'A disbursement for an entitlement neither granted nor confirmed.' },
  BUDGET_EXHAUSTED: { area: 'entitlement', description: 'The policy\'s budget is spent.' },
  BUDGET_UNKNOWN: { area: 'entitlement', description: 'The policy has a budget whose remaining amount could not be read.' },
  DISBURSEMENT_CONFLICT: { area: 'entitlement', description: 'A second disbursement with another amount than the first.' },
  INVALID_AMOUNT: { area: 'entitlement', description: 'The amount is not a finite number ≥ 0.' },
  NO_PUBLICITY: { area: 'entitlement', description: 'An objection to a policy that lists nobody publicly (it has no publicity window).' },
  OBJECTION_OUT_OF_WINDOW: { area: 'entitlement', description: 'An objection received (at ingest) when no publicity window of the policy, or of the objected pair, was open. It is still recorded as filed (`objectionsFiled`, `objectionsOutOfWindow`); a self-objection gets this answer before its declared facts are looked at.' },
  NOT_LISTED: { area: 'entitlement', description: 'A third-party objection to an enterprise that is not on the policy\'s publicity list.' },
  OBJECTION_UNKNOWN: { area: 'entitlement', description: 'A resolution of an objection that was never filed, was not a third-party objection (self-objections are decided at once), or was refused as out of its window (it holds nothing).' },
  SUBJECT_KIND_MISMATCH: { area: 'entitlement', description: 'The subject is not of the policy\'s kind (an ID number for an enterprise policy).' },
  DECLARED_FACT_MISMATCH: { area: 'entitlement', description: 'A self-objection declares `facts` its re-evaluation cannot use: a path under the other subject kind (`enterprise.*` for a person policy, `person.*` for an enterprise policy) or the subject\'s own id (`enterprise.creditCode`, `person.idNumber`); the reason names the path. Nothing is filed: send it again with facts under the policy\'s kind, under a new event id.' },
  NOT_DISBURSED: { area: 'entitlement', description: 'A recovery (追回) of an entitlement that was not disbursed.' },
  RECOVERY_EXCEEDS_DISBURSED: { area: 'entitlement', description: 'A recovery of more than was disbursed.' },
  RECOVERY_CONFLICT: { area: 'entitlement', description: 'A second recovery of an entitlement with another amount or reason than the first.' },
} as const satisfies Record<ReceiptKind, { area: string; description: string }>;

/** Each kind with its outcome, area and description, in the vocabulary's order (the query routes, the docs). */
export const RECEIPT_KINDS: { readonly [K in ReceiptKind]: { readonly outcome: (typeof RECEIPT_OUTCOMES)[K]; readonly area: (typeof RECEIPT_TEXTS)[K]['area']; readonly description: string } } =
  /* @__PURE__ */ kindsOf();

function kindsOf(): typeof RECEIPT_KINDS {
  return Object.fromEntries(
    (Object.keys(RECEIPT_OUTCOMES) as ReceiptKind[]).map((kind) => [kind, { outcome: RECEIPT_OUTCOMES[kind], ...RECEIPT_TEXTS[kind] }]),
  ) as typeof RECEIPT_KINDS;
}

export function isReceiptKind(code: string): code is ReceiptKind {
  return Object.hasOwn(RECEIPT_OUTCOMES, code);
}

/** What an applied event changed: the resource, its id, and the route that shows it (if any). */
export interface EffectPointer {
  readonly resource: string;
  readonly id: string;
  readonly href?: string;
  readonly version?: number;
  readonly state?: string;
}

export interface Receipt {
  readonly source: string;
  readonly id: string;
  readonly type: string;
  readonly outcome: ReceiptOutcome;
  /** For noEffect, refused and pending outcomes: one of RECEIPT_KINDS. */
  readonly kind?: ReceiptKind;
  /** The capability's own words (Chinese or English); `kind` is what a machine reads. */
  readonly reason?: string;
  readonly effect?: EffectPointer;
  /** When the outcome was recorded (the functions' clock). */
  readonly at: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Receipts are kept for inbound `gov.*` events only: internal messages have no upstream system to answer. */
export { isInbound };

export const applied = (ref: EventRef, at: string, effect: EffectPointer, details?: Record<string, unknown>): Receipt => ({
  ...eventRef(ref),
  outcome: 'applied',
  effect,
  at,
  ...(details ? { details } : {}),
});

/**
 * A receipt of one of the vocabulary's kinds (the outcome follows from the kind). An unknown code is a
 * programming error: the vocabulary would no longer list every kind a source can receive.
 */
export function withKind(ref: EventRef, at: string, kind: string, reason: string, extra: { effect?: EffectPointer; details?: Record<string, unknown> } = {}): Receipt {
  if (!isReceiptKind(kind)) throw new Error(`receipt kind ${kind} is not in RECEIPT_KINDS`);
  return { ...eventRef(ref), outcome: RECEIPT_OUTCOMES[kind], kind, reason, at, ...extra };
}


const table = () => tableName('receipts');
export const receiptKey = (source: string, id: string) => ({ pk: `RCPT#${source}#${id}`, sk: 'RECEIPT' });

function itemOf(receipt: Receipt): Record<string, unknown> {
  return {
    ...receiptKey(receipt.source, receipt.id),
    ...receipt,
    ...(receipt.outcome === 'refused' ? { refusedBy: receipt.source, refusedAt: `${receipt.at}#${receipt.id}` } : {}),
  };
}

/**
 * The receipt as an item of the transaction that makes the change it reports. `replace` only for the
 * one receipt that moves on (a parked review); otherwise create-only, so the first outcome stands.
 */
export function receiptPut(receipt: Receipt, mode: 'create' | 'replace' = 'create'): TransactItem {
  return {
    Put: {
      TableName: table(),
      Item: itemOf(receipt),
      ...(mode === 'create' ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}),
    },
  };
}

/**
 * Records a receipt on its own (nothing else changed), create-only. Returns the receipt that stands: this
 * one, or the one a first delivery of the same event recorded.
 */
export async function recordReceipt(receipt: Receipt): Promise<Receipt> {
  if (!isInbound(receipt)) return receipt;
  try {
    await ddb.send(new PutCommand({ TableName: table(), Item: itemOf(receipt), ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
    return receipt;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    return (await getReceipt(receipt.source, receipt.id)) ?? receipt;
  }
}

export async function getReceipt(source: string, id: string): Promise<Receipt | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: receiptKey(source, id), ConsistentRead: true }));
  return out.Item ? receiptOf(out.Item) : undefined;
}

function receiptOf(item: Record<string, unknown>): Receipt {
  const { pk: _pk, sk: _sk, refusedBy: _by, refusedAt: _at, ...receipt } = item;
  return receipt as unknown as Receipt;
}

/** A source's refusals recorded at or after `since` (ISO instant), oldest first, a page at a time. */
export async function refusalsOf(
  source: string,
  since: string,
  limit: number,
  cursor?: Record<string, unknown>,
): Promise<{ items: Receipt[]; next?: Record<string, unknown> }> {
  const out = await ddb.send(
    new QueryCommand({
      TableName: table(),
      IndexName: 'bySource',
      KeyConditionExpression: 'refusedBy = :s AND refusedAt >= :since',
      ExpressionAttributeValues: { ':s': source, ':since': since },
      Limit: limit,
      ...(cursor ? { ExclusiveStartKey: cursor } : {}),
    }),
  );
  return { items: (out.Items ?? []).map(receiptOf), ...(out.LastEvaluatedKey ? { next: out.LastEvaluatedKey } : {}) };
}
