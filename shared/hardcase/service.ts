/**
 * 办不成事 use cases: load a case through the store port, call the pure domain, write the change (state,
 * audit lines, outbox, receipt: one transaction) and publish its outbound events. The ports come in as
 * first argument of every use case (bound by `createHardCaseService(ports)`), so unit tests pass in-memory adapters.
 *
 * Outcomes the consumer sees:
 * - a change: committed, then its events published (a publish that fails throws; the redelivery finds the
 *   change made and the outbox still full, and publishes it then);
 * - a redelivery, or the same step under another event id: the domain calls it a duplicate, nothing is
 *   written but a `DUPLICATE` receipt;
 * - a refusal (a step not allowed, a conclusion without a cause, a second report with other content):
 *   recorded on the case with its audit line and receipt, not thrown; a redelivery finds it recorded and
 *   answers `recordedBefore`, so the refusal is counted once (and has one line);
 * - `NotReportedYet` / `StepOutOfOrder`: an update whose case, or whose earlier step, may still be on its way
 *   (the queue does not keep order, and reports and updates may come from different systems). Thrown, so
 *   SQS retries it, for fewer receives than the queue's max; on the last of them it is refused and recorded,
 *   so such an update never reaches the DLQ for this reason;
 * - a version race (another change of the same case in between): reload and decide again.
 */
import type { OutboundEvent } from '#contract/outbound';
import { applied, withKind, type EventRef } from '#platform/receipts';
import { refusalAnswer } from '#platform/refusals';
import { contentHash } from '#util/canonical';
import {
  allowedLater,
  applyHardCaseUpdate,
  hardCaseDueAt,
  hardCaseOverdueCheck,
  offerForDecision,
  openHardCase,
  promisedDue,
  type HardCase,
  type HardCaseUpdate,
  type NewHardCase,
} from './domain';
import type { DecidedApplication } from './inbound';
import { auditOfRefusal, auditsOfChange, caseEffect, toOutbound } from './messages';
import type { CaseWrite, HardCasePorts, RefusedEvent, StoredCase, Watch } from './ports';

/** Receives an update may wait for its report or an earlier step (below the queue's maxReceiveCount, 5). */
export const OUT_OF_ORDER_RECEIVES = 3;
const MAX_ATTEMPTS = 6;

export class NotReportedYet extends Error {
  override readonly name = 'NotReportedYet';
  constructor(caseId: string, receiveCount: number) {
    super(`hard case ${caseId} is not reported yet; retrying (receive ${receiveCount} of ${OUT_OF_ORDER_RECEIVES})`);
  }
}

export class StepOutOfOrder extends Error {
  override readonly name = 'StepOutOfOrder';
  constructor(caseId: string, action: string, state: string, receiveCount: number) {
    super(`step ${action} of hard case ${caseId} is not allowed in ${state} but may be once an earlier step arrives; retrying (receive ${receiveCount} of ${OUT_OF_ORDER_RECEIVES})`);
  }
}

export interface Outcome {
  readonly outcome: 'opened' | 'applied' | 'duplicate' | 'refused' | 'offered' | 'watching' | 'stopped' | 'stale';
  readonly caseId?: string;
  readonly code?: string;
  readonly reason?: string;
  /** A refusal an earlier delivery of the same event recorded: answered again, not counted again. */
  readonly recordedBefore?: boolean;
  /** Overdue kinds the step found and flagged on its way. */
  readonly overdueFlagged?: number;
}

/** Runs work over ids, each failure counted and left for the next run; returns how many failed. */
export type ForEach = (ids: readonly string[], work: (id: string) => Promise<void>) => Promise<number>;

export interface ScheduleSummary {
  readonly overdue: number;
  readonly offered: number;
  readonly failed: number;
}


async function publishOutbox(p: HardCasePorts, caseId: string, events: readonly OutboundEvent[]): Promise<void> {
  if (events.length === 0) return;
  await p.publish(events);
  await p.store.clearOutbox(caseId, events.map((e) => e.id));
}

/** Loads a case, first publishing what an earlier change left unpublished (ids are stable per fact). */
async function load(p: HardCasePorts, caseId: string): Promise<StoredCase | undefined> {
  const stored = await p.store.loadCase(caseId);
  if (stored !== undefined) await publishOutbox(p, caseId, stored.outbox);
  return stored;
}

/** `cause`: the upstream event that made the change, whose source its audit lines name (none for the schedule, an offer). */
function changeOf(
  p: HardCasePorts,
  before: HardCase | undefined,
  next: HardCase,
  drafts: Parameters<typeof toOutbound>[0],
  now: string,
  cause?: EventRef,
): Omit<CaseWrite, 'receipt'> {
  const dueAt = hardCaseDueAt(next);
  return {
    hardCase: next,
    ...(before !== undefined ? { expectedVersion: before.version } : {}),
    month: p.calendar.localDate(next.reportedAt).slice(0, 7),
    ...(dueAt !== undefined ? { dueAt } : {}),
    audits: auditsOfChange(before, next, cause?.source),
    outbound: toOutbound(drafts, now),
  };
}

async function commit(p: HardCasePorts, write: CaseWrite): Promise<boolean> {
  if ((await p.store.writeCase(write)) === 'conflict') return false;
  await publishOutbox(p, write.hardCase.caseId, write.outbound);
  return true;
}

/**
 * Records a refusal of the event `ref` about case `caseId` with its audit line and receipt. `known`: the case
 * exists, so the refusal is kept on it; a step for a case never reported has the receipt and the line only.
 */
async function refuse(
  p: HardCasePorts,
  caseId: string,
  known: boolean,
  ref: EventRef,
  code: string,
  reason: string,
  extra: { action?: string; at?: string; actor?: HardCaseUpdate['actor']; details?: Record<string, unknown> } = {},
): Promise<Outcome> {
  const now = p.now();
  const details = extra.details ?? {};
  const refused: RefusedEvent = { source: ref.source, eventId: ref.id, type: ref.type, ...(extra.action ? { action: extra.action } : {}), code, reason, ...(extra.at ? { at: extra.at } : {}), recordedAt: now, details };
  const recorded = await p.store.recordRefusal(known ? caseId : undefined, refused, auditOfRefusal(caseId, refused, ref, extra.actor), withKind(ref, now, code, reason, { details }));
  return refusalAnswer({ outcome: 'refused', ...(known ? { caseId } : {}), code, reason }, recorded);
}

/** `gov.hardcase.reported`: opens the case once; the same report again is a duplicate, another one a conflict. */
async function report(p: HardCasePorts, input: NewHardCase, ref: EventRef): Promise<Outcome> {
  const reportHash = contentHash(input);
  for (let attempt = 1; ; attempt++) {
    const now = p.now();
    const stored = await load(p, input.caseId);
    if (stored !== undefined) {
      if (stored.reportHash === reportHash) {
        await p.store.recordReceipt(withKind(ref, now, 'DUPLICATE', 'the case was reported before with the same content', { effect: caseEffect(stored.hardCase) }));
        return { outcome: 'duplicate', caseId: input.caseId };
      }
      return refuse(p, input.caseId, true, ref, 'HARDCASE_CONFLICT', `case ${input.caseId} was reported before with other content; the first report stands`);
    }
    const opened = openHardCase(input, p.calendar, p.config);
    const write: CaseWrite = { ...changeOf(p, undefined, opened.hardCase, opened.outbound, now, ref), reportHash, receipt: applied(ref, now, caseEffect(opened.hardCase)) };
    if (await commit(p, write)) return { outcome: 'opened', caseId: input.caseId };
    if (attempt >= MAX_ATTEMPTS) throw new Error(`hard case ${input.caseId}: could not open it after ${attempt} attempts`);
  }
}

/** `gov.hardcase.updated`: one step of the state machine, each step once. */
async function update(p: HardCasePorts, input: HardCaseUpdate, ref: EventRef, receiveCount: number): Promise<Outcome> {
  for (let attempt = 1; ; attempt++) {
    const now = p.now();
    const stored = await load(p, input.caseId);
    if (stored === undefined) {
      if (receiveCount < OUT_OF_ORDER_RECEIVES) throw new NotReportedYet(input.caseId, receiveCount);
      return refuse(p, input.caseId, false, ref, 'HARDCASE_UNKNOWN', `hard case ${input.caseId} was never reported`, { action: input.action, at: input.at, actor: input.actor });
    }
    const hc = stored.hardCase;
    const result = applyHardCaseUpdate(hc, input, p.calendar, p.config);
    if (!result.ok) {
      if (result.code === 'ACTION_NOT_ALLOWED' && allowedLater(hc.state, input.action) && receiveCount < OUT_OF_ORDER_RECEIVES) {
        throw new StepOutOfOrder(hc.caseId, input.action, hc.state, receiveCount);
      }
      return refuse(p, hc.caseId, true, ref, result.code, result.reason, { action: input.action, at: input.at, actor: input.actor, details: { state: result.state, allowedActions: result.allowedActions } });
    }
    if (result.duplicate) {
      await p.store.recordReceipt(withKind(ref, now, 'DUPLICATE', `step ${input.action} at ${input.at} was applied before`, { effect: caseEffect(hc) }));
      return { outcome: 'duplicate', caseId: hc.caseId };
    }
    const write: CaseWrite = { ...changeOf(p, hc, result.next, result.outbound, now, ref), receipt: applied(ref, now, caseEffect(result.next)) };
    if (await commit(p, write)) return { outcome: 'applied', caseId: hc.caseId, overdueFlagged: result.overdueFlagged.length };
    if (attempt >= MAX_ATTEMPTS) throw new Error(`hard case ${hc.caseId}: could not apply ${input.action} after ${attempt} attempts`);
  }
}

/** Opens an offered case and closes its watch; the case id is the application's, so an offer happens once. */
async function offer(p: HardCasePorts, newCase: NewHardCase, watch: { applicationId: string; sequence: number }): Promise<Outcome> {
  for (let attempt = 1; ; attempt++) {
    const now = p.now();
    const stored = await load(p, newCase.caseId);
    if (stored !== undefined) {
      await p.store.closeWatch(watch.applicationId, watch.sequence, newCase.caseId);
      return { outcome: 'duplicate', caseId: newCase.caseId };
    }
    const current = await p.store.loadWatch(watch.applicationId);
    if (current !== undefined && current.sequence !== watch.sequence) return { outcome: 'stale', caseId: newCase.caseId };
    const opened = openHardCase(newCase, p.calendar, p.config);
    if (await commit(p, { ...changeOf(p, undefined, opened.hardCase, opened.outbound, now), closesWatch: watch })) return { outcome: 'offered', caseId: newCase.caseId };
    if (attempt >= MAX_ATTEMPTS) throw new Error(`hard case ${newCase.caseId}: could not offer it after ${attempt} attempts`);
  }
}

/**
 * `civicflow.application.decided`: a TERMINATED application offers a case at once; a MANUAL_REVIEW is
 * watched until its promised days run out (the schedule offers it then); any other outcome of a later
 * version stops the watch. An older version than the one kept changes nothing.
 */
async function decided(p: HardCasePorts, input: DecidedApplication): Promise<Outcome> {
  const now = p.now();
  const { decision, item } = input;
  const due = promisedDue(decision, item, p.calendar);
  const watch: Watch = {
    applicationId: decision.applicationId,
    sequence: input.sequence,
    decision,
    ...(item !== undefined ? { item } : {}),
    ...(due !== undefined ? { dueAt: due.dueAt } : {}),
  };
  if (!(await p.store.putWatch(watch))) {
    // The same version again goes on only if its offer is still to be made (a first delivery that failed after the watch).
    const kept = await p.store.loadWatch(decision.applicationId);
    if (kept?.sequence !== input.sequence) return { outcome: 'stale' };
    if (kept.offeredCaseId !== undefined) return { outcome: 'duplicate', caseId: kept.offeredCaseId };
  }
  const offered = offerForDecision(decision, item, now, p.calendar);
  if (offered !== undefined) return offer(p, offered, { applicationId: decision.applicationId, sequence: input.sequence });
  return { outcome: decision.outcome === 'MANUAL_REVIEW' ? 'watching' : 'stopped' };
}

/** Flags what is overdue on one due case; a race with an update leaves it to the next run. */
async function flagOverdue(p: HardCasePorts, caseId: string, now: string): Promise<number> {
  const stored = await load(p, caseId);
  if (stored === undefined) return 0;
  const check = hardCaseOverdueCheck(stored.hardCase, now);
  if (check.flagged.length === 0) return 0;
  return (await commit(p, changeOf(p, stored.hardCase, check.next, check.outbound, now))) ? check.flagged.length : 0;
}

async function offerDue(p: HardCasePorts, applicationId: string, now: string): Promise<boolean> {
  const watch = await p.store.loadWatch(applicationId);
  if (watch === undefined) return false;
  const offered = offerForDecision(watch.decision, watch.item, now, p.calendar);
  if (offered === undefined) return false;
  return (await offer(p, offered, { applicationId, sequence: watch.sequence })).outcome === 'offered';
}

/**
 * The schedule: overdue flags on every case whose next deadline passed, offers for every manual review
 * past its promised days. Running it again changes nothing (each flag and each offer happens once).
 * A failure of one case is counted and left due for the next run.
 */
async function runSchedule(p: HardCasePorts, now: string, forEach: ForEach): Promise<ScheduleSummary> {
  let overdue = 0;
  let offered = 0;
  const failedCases = await forEach(await p.store.dueCases(now), async (id) => {
    overdue += await flagOverdue(p, id, now);
  });
  const failedWatches = await forEach(await p.store.dueWatches(now), async (id) => {
    if (await offerDue(p, id, now)) offered++;
  });
  return { overdue, offered, failed: failedCases + failedWatches };
}

/** The use cases bound to their ports: the DynamoDB ones in the functions, in-memory ones in unit tests. */
export function createHardCaseService(ports: HardCasePorts) {
  return {
    report: (input: NewHardCase, ref: EventRef) => report(ports, input, ref),
    update: (input: HardCaseUpdate, ref: EventRef, receiveCount: number) => update(ports, input, ref, receiveCount),
    decided: (input: DecidedApplication) => decided(ports, input),
    runSchedule: (now: string, forEach: ForEach) => runSchedule(ports, now, forEach),
  };
}

export type HardCaseService = ReturnType<typeof createHardCaseService>;
