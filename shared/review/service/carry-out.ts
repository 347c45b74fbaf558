/**
 * The one path every review use case takes for a case: load it through the store port, decide (a pure
 * decide function of cases.ts, steps.ts or schedule.ts), carry the effect out — write, or defer the write to
 * the batch's group commit — and publish what the write produced. A version race decides again on fresh
 * state. A completed case in a batch skips the load the first time (`assumeNew`, below), and a case the
 * batch read ahead (`primeCase`) is loaded from there by the first record of the batch that names it.
 */
import { primeInBatch, takePrimed } from '#platform/batch-memo';
import { afterCommit, currentUnit } from '#platform/group-commit';
import { VersionConflict, type CaseBundle, type ReviewChange, type ReviewPorts } from '../ports';
import type { DecideContext, Decision, Effect } from './decision';
import { syncRecordsWritten } from './telemetry';
import { withSyncRecords } from './upward';

const MAX_ATTEMPTS = 6;

/** A pure decision over the loaded case and the use case's input. */
export type Decide<I, T> = (bundle: CaseBundle, ctx: DecideContext, input: I) => Decision<T>;

/** Publishes what committed changes produced, then clears it from their outboxes. */
export async function publishAndClear(ports: ReviewPorts, changes: readonly Pick<ReviewChange, 'caseId' | 'outbound'>[]): Promise<void> {
  const events = changes.flatMap((c) => c.outbound ?? []);
  if (events.length === 0) return;
  await ports.outbound.publish(events);
  await ports.store.clearOutbox(changes);
}

/** Carries an effect out; false only for a refusal that was recorded before (nothing new written). */
async function carryOut(ports: ReviewPorts, effect: Effect): Promise<boolean> {
  const { store } = ports;
  switch (effect.kind) {
    case 'none':
      return true;
    case 'receipt':
      await store.recordReceipt(effect.receipt);
      return true;
    case 'refuse': {
      // Refused before (a redelivery, or the same reviewId or step under another event): this event still gets its receipt.
      const recorded = await store.recordRejection(effect.caseId, effect.rejection, effect.audit, effect.receipt);
      if (!recorded && effect.receipt) await store.recordReceipt(effect.receipt);
      return recorded;
    }
    case 'write': {
      const batch = currentUnit<ReviewChange>();
      // Written with the rest of the batch; a condition that fails then makes the record run again alone.
      if (batch) {
        batch.unit.defer(effect.change);
        return true;
      }
      await store.commit(effect.change);
      await publishAndClear(ports, [effect.change]);
      return true;
    }
  }
}

/** A write with the upward-sync records of what it records (service/upward.ts), when the stage reports upward. */
async function withUpward(ports: ReviewPorts, bundle: CaseBundle, effect: Effect, now: string): Promise<Effect> {
  if (effect.kind !== 'write' || ports.upward === undefined) return effect;
  return { kind: 'write', change: await withSyncRecords(ports.upward, bundle, effect.change, now) };
}

/** How a use case reads its case before deciding. */
export interface LoadOptions {
  /**
   * In a consumer's batch, decide the first time as if the case were new, without reading it (one Query
   * saved per record): for input that nearly always creates its case, a completed case. Safe only for a
   * decision that reads nothing but the case's STATE item and writes a new case on the condition that STATE
   * is absent: when the case was there after all (a review parked before it, a redelivery), the write
   * conflicts and the record runs again alone, outside the batch, where it loads the case.
   */
  readonly assumeNew?: boolean;
}

/** A case with nothing stored. */
const newCase = (caseId: string): CaseBundle => ({ caseId, rejections: [], outbox: [] });

const readAheadKey = (caseId: string) => `review-case:${caseId}`;

/**
 * A case as read ahead at the batch's start (the unit of work's `prepare`). Its records write the cases they
 * load, so it serves one record only: the first of the batch that names the case takes it, whatever it then
 * does (decides on it, or decides as new and writes), and every record after loads the case itself, after
 * the batch's waiting writes of it (`beforeLoad`). A write by anyone else in between fails its version
 * condition and is decided again on a fresh load, as after any load.
 */
export function primeCase(caseId: string, bundle: CaseBundle): void {
  primeInBatch(readAheadKey(caseId), bundle);
}

/** Reload-and-decide: a version race means someone else changed the case; decide again on fresh state. */
export async function decideAndCarryOut<I, T>(
  ports: ReviewPorts,
  caseId: string,
  now: string,
  decide: Decide<I, T>,
  input: I,
  options: LoadOptions = {},
): Promise<T> {
  const ctx: DecideContext = { now, calendar: ports.calendar, config: ports.config };
  for (let n = 1; ; n++) {
    // In a batch, a change of this case may still be waiting: write it first, then load.
    const unit = currentUnit<ReviewChange>()?.unit;
    const wroteWaiting = (await unit?.beforeLoad(caseId)) ?? false;
    // Taken on every record's first attempt, used or not: the case read ahead serves its first record only.
    const ahead = unit !== undefined && n === 1 ? takePrimed<CaseBundle>(readAheadKey(caseId)) : undefined;
    const optimistic = options.assumeNew === true && unit !== undefined && n === 1 && !wroteWaiting;
    const bundle = optimistic ? newCase(caseId) : await (ahead ?? ports.store.loadCase(caseId));
    // A change committed earlier whose publish failed: send it now (ids are deterministic).
    await publishAndClear(ports, [{ caseId, outbound: bundle.outbox }]);
    const decision = decide(bundle, ctx, input);
    try {
      const effect = await withUpward(ports, bundle, decision.effect, now);
      const fresh = await carryOut(ports, effect);
      if (effect.kind === 'write' && effect.change.syncRecords !== undefined) {
        const records = effect.change.syncRecords;
        afterCommit(() => syncRecordsWritten(ports, records));
      }
      // A refusal recorded before is answered as one, but flagged so that it is not counted again.
      return !fresh && decision.recordedBefore !== undefined ? decision.recordedBefore : decision.result;
    } catch (error) {
      if (!(error instanceof VersionConflict) || n >= MAX_ATTEMPTS) throw error;
      ports.log.info('version race: deciding again on fresh state', { caseId, attempt: n });
      await new Promise((r) => setTimeout(r, 10 * n));
    }
  }
}
