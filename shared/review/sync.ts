/**
 * The upward sync's use cases (issue #19): send the outbox's due records to the platform, re-push records
 * an operator names, and the figures operators watch. The record's state machine is domain/upward/sync.ts;
 * every write here is conditional on the version read (ports.ts `SyncStore`), so a second sender, a late
 * answer or a re-push racing a send never undo each other, and an ACKED record is never sent again (the
 * domain never takes it out of ACKED, and the sender only sends what it moved to SENT itself).
 */
import { memoIn } from '#platform/batch-memo';
import { countedRun, itemCountsTo, timeBox, type TimeLeft, type WriteItemCounts } from '#platform/time-reserve';
import type { AuditEntry } from '#platform/audit';
import type { WorkingCalendar } from '#calendar/types';
import {
  applyAnswer,
  expireAttempt,
  repush,
  startAttempt,
  SYNC_STATES,
  type SyncChange,
  type SyncConfig,
  type SyncRecord,
  type SyncState,
} from './domain/upward/sync';
import { selectForRepush, syncFigures, type RepushSelector, type SyncFigures } from './domain/upward/sync-figures';
import { PLATFORM_TIMEOUT_MS } from './platform-client';
import type { CaseBundle, LogSink, MetricsSink, PlatformClient, SyncStore, UpwardPorts } from './ports';
import { remapRecord } from './service/upward';

export interface SyncPorts {
  readonly store: SyncStore;
  readonly platform: PlatformClient;
  readonly now: () => string;
  readonly config: SyncConfig;
  readonly calendar: Pick<WorkingCalendar, 'localDate'>;
  readonly metrics: MetricsSink;
  readonly log: LogSink;
  /** To map a record again from its case on a re-push (the review store's loadCase and the stage's profile). */
  readonly remap?: { readonly upward: UpwardPorts; loadCase(caseId: string): Promise<CaseBundle> };
}

export interface SyncSummary {
  readonly attempted: number;
  readonly acked: number;
  readonly rejected: number;
  readonly retrying: number;
  readonly parked: number;
  /** SENT records without an answer past the timeout, counted as failed attempts. */
  readonly expired: number;
  /** Due records another sender or a re-push changed first. */
  readonly skipped: number;
  /** Due records not started because the run's time was running out: the next run sends them. */
  readonly deferred: number;
  /** Due records whose sending failed (each logged; a read or write refused): still due, the next run tries again. */
  readonly failed: number;
}

export interface SyncRunOptions {
  /** The time the run has left (ms), the function's; unset, the run takes every due record it read. */
  readonly timeLeftMs?: TimeLeft;
}

/**
 * Time kept back at the end of a run: the records in flight finish (a send waits up to the platform's
 * timeout, then writes its answer) and the run is counted (its metrics are written when it returns). A
 * run against a platform that hangs would otherwise reach the function's timeout and lose those counts:
 * a record parked or rejected in it would be missing from the alarms for good.
 */
export const SYNC_TIME_RESERVE_MS = PLATFORM_TIMEOUT_MS + 5_000;

/** Records one run works on; the rest stay due for the next run. */
const RUN_LIMIT = 500;
const CONCURRENCY = 8;
/** Tries to write an answer when a re-push or another writer moved the record meanwhile. */
const ANSWER_WRITES = 3;

function transitionAudit(record: SyncRecord, change: Extract<SyncChange, { changed: true }>, actor: string): AuditEntry | undefined {
  const { transition, next } = change;
  const notable = transition.to === 'ACKED' || transition.to === 'REJECTED' || transition.to === 'PARKED' || next.round !== record.round;
  if (!notable) return undefined;
  return {
    subject: `upward:${record.recordId}`,
    action: `sync:${transition.from ?? 'none'}->${transition.to}`,
    actor,
    at: transition.at,
    why: transition.reason ?? transition.to,
    causeId: `v${next.version}`,
    details: { caseId: record.caseId, kind: record.kind, attemptNo: next.attemptNo, round: next.round },
  };
}

async function write(ports: SyncPorts, record: SyncRecord, change: SyncChange, actor = 'system:upward-sync'): Promise<boolean> {
  if (!change.changed) return false;
  const audit = transitionAudit(record, change, actor);
  return ports.store.writeRecord({ next: change.next, expectedVersion: record.version, sentTimeoutMs: ports.config.sentTimeoutMs, ...(audit ? { audit } : {}) });
}

type Counts = { -readonly [K in keyof SyncSummary]: number };

/** The platform's answer written on the record; a record moved meanwhile is reloaded and the answer applied again. */
async function recordAnswer(ports: SyncPorts, sent: SyncRecord, answer: Awaited<ReturnType<PlatformClient['send']>>, counts: Counts): Promise<void> {
  let record = sent;
  for (let n = 0; n < ANSWER_WRITES; n++) {
    const now = ports.now();
    const change = applyAnswer(record, sent.attemptNo, answer, now, ports.config);
    if (!change.changed) return;
    if (await write(ports, record, change)) {
      const to = change.next.state;
      if (to === 'ACKED') counts.acked++;
      else if (to === 'REJECTED') counts.rejected++;
      else if (to === 'PARKED') counts.parked++;
      else counts.retrying++;
      return;
    }
    const fresh = await ports.store.getRecord(record.recordId);
    if (fresh === undefined) return;
    record = fresh;
  }
  ports.log.error('upward sync: could not record the answer; the attempt times out and is retried', { recordId: sent.recordId });
}

/**
 * Starts (or expires) one due record as the index listed it, without reading it again: the write is
 * conditional on the listed version, and the index holds the whole record, so a write that succeeds sends
 * what is stored. A record another sender, a re-push or an answer changed since the listing (or that the
 * index, eventually consistent, listed as it was before) fails the condition and is skipped, as a lost race
 * is; if it is due as it is now, the next run takes it. Reading it again first cost a round trip and a read
 * of every due record on every run, to win only that minute on a race.
 */
async function sendOne(ports: SyncPorts, record: SyncRecord, counts: Counts): Promise<void> {
  const now = ports.now();
  if (record.state === 'SENT') {
    const expired = expireAttempt(record, now, ports.config);
    if (await write(ports, record, expired)) {
      counts.expired++;
      if (expired.next.state === 'PARKED') counts.parked++;
    } else counts.skipped++;
    return;
  }
  const started = startAttempt(record, now);
  if (!(await write(ports, record, started))) {
    counts.skipped++;
    return;
  }
  counts.attempted++;
  const answer = await ports.platform.send(started.next).catch((error: Error) => ({ kind: 'failed' as const, message: error.message }));
  await recordAnswer(ports, started.next, answer, counts);
}

/** The run's ItemsFailed and ItemsDeferred, as its function's counts. */
function itemCounts(ports: SyncPorts): WriteItemCounts {
  return itemCountsTo((name, value) => ports.metrics.count(name, value));
}

/**
 * One run of the sender: every due record (up to a limit) sent once, stuck attempts expired. Once the run's
 * time left falls below SYNC_TIME_RESERVE_MS it starts no more records; they stay due for the next run.
 */
export async function runSync(ports: SyncPorts, options: SyncRunOptions = {}): Promise<SyncSummary> {
  const counts: Counts = { attempted: 0, acked: 0, rejected: 0, retrying: 0, parked: 0, expired: 0, skipped: 0, deferred: 0, failed: 0 };
  const box = timeBox(SYNC_TIME_RESERVE_MS, options.timeLeftMs);
  // ItemsFailed and ItemsDeferred once per run, even when the due records cannot be read (0 and 0).
  await countedRun(box, itemCounts(ports), async () => {
    const due = await ports.store.dueRecords(ports.now(), RUN_LIMIT);
    // A record not started is untouched: still due.
    await box.forEachWithin(due, CONCURRENCY, (record) => sendOne(ports, record, counts), {
      onError: (record, error) => ports.log.error('upward sync: record failed; it stays due', { recordId: record.recordId, error }),
    });
  });
  counts.deferred = box.deferred;
  counts.failed = box.failed;
  for (const [name, value] of [['UpwardAcked', counts.acked], ['UpwardRejected', counts.rejected], ['UpwardParked', counts.parked], ['UpwardRetrying', counts.retrying]] as const) {
    ports.metrics.count(name, value);
  }
  const oldest = await oldestPending(ports.store, ports.now());
  // A gauge under the function's own `service` dimension only, as the alarm and the dashboard read it;
  // written on every run, 0 when nothing waits, so the alarm sees the backlog drain.
  ports.metrics.single({}, [{ name: 'UpwardOldestPendingSeconds', unit: 'None', value: Math.round((oldest?.ageMs ?? 0) / 1000) }]);
  if (counts.attempted + counts.expired + counts.deferred + counts.failed > 0) ports.log.info('upward sync ran', { ...counts });
  return counts;
}

/** A window of ISO instants that holds every instant of a local day or month, whatever the zone's offset. */
export function broadRange(period: string): { from: string; to: string } {
  const first = period.length === 7 ? `${period}-01` : period;
  const end = new Date(`${first}T00:00:00Z`);
  if (period.length === 7) end.setUTCMonth(end.getUTCMonth() + 1);
  else end.setUTCDate(end.getUTCDate() + 1);
  const day = 86_400_000;
  return { from: new Date(Date.parse(`${first}T00:00:00Z`) - day).toISOString(), to: new Date(end.getTime() + day).toISOString() };
}

/** Records of some states whose review or step happened in a local day (YYYY-MM-DD) or month (YYYY-MM). */
async function recordsOf(ports: Pick<SyncPorts, 'store' | 'calendar'>, states: readonly SyncState[], period?: string): Promise<SyncRecord[]> {
  const range = period === undefined ? undefined : broadRange(period);
  const lists = await Promise.all(states.map((state) => ports.store.recordsInState(state, range)));
  const all = lists.flat();
  return period === undefined ? all : all.filter((r) => ports.calendar.localDate(r.sourceEventAt).startsWith(period));
}

async function oldestPending(store: SyncStore, now: string) {
  const heads = (await Promise.all((['PENDING', 'SENT'] as const).map((s) => store.oldestInState(s)))).filter((r): r is SyncRecord => r !== undefined);
  return syncFigures(heads, now).oldestPending;
}

/** The figures of the records whose review or step happened in a local day or month; the oldest ones over all time. */
export async function upwardFigures(ports: Pick<SyncPorts, 'store' | 'calendar'>, period: string, now: string): Promise<SyncFigures> {
  const figures = syncFigures(await recordsOf(ports, SYNC_STATES, period), now);
  const heads = (await Promise.all(SYNC_STATES.filter((s) => s !== 'ACKED').map((s) => ports.store.oldestInState(s)))).filter(
    (r): r is SyncRecord => r !== undefined,
  );
  const overall = syncFigures(heads, now);
  return { ...figures, oldestPending: overall.oldestPending, oldestUnacked: overall.oldestUnacked };
}

export interface RepushSummary {
  readonly repushed: readonly string[];
  /** Re-pushed with a fresh mapping that the profile still refuses (REJECTED again, with the reasons). */
  readonly refusedAgain: readonly { readonly recordId: string; readonly reason: string }[];
  readonly skipped: readonly { readonly recordId: string; readonly state: SyncState; readonly reason: string }[];
  readonly missing: readonly string[];
  /** Selected records whose re-push failed (a read or write refused, the case unreadable): as they were. */
  readonly failed: readonly { readonly recordId: string; readonly reason: string }[];
  /** Selected records not started because the run's time was running out: untouched, in their state still. */
  readonly deferred: readonly string[];
  /**
   * With `failed` or `deferred`: the selector that re-pushes them, the failed first (at most
   * REPUSH_MAX_RECORDS of them; run it until none is left).
   */
  readonly continueWith?: RepushSelector;
}

/** Records a re-push may name one by one (the sender's payload refuses more). */
export const REPUSH_MAX_RECORDS = 1000;

export interface RepushOptions extends SyncRunOptions {
  /** Map each record again from its case as stored now; false sends the stored payload. */
  readonly remap: boolean;
  /** Who re-pushes, for the audit trail. */
  readonly actor: string;
}

/**
 * Time kept back at the end of a re-push: the record in hand finishes (a read, a mapping, a write) and the
 * operator gets the answer saying what was re-pushed and what is deferred. The sender runs right after in
 * the same invocation and stops with the same reserve, so a re-push that used the time up leaves the
 * sending to the next minute's run.
 */
export const REPUSH_TIME_RESERVE_MS = SYNC_TIME_RESERVE_MS;

async function candidates(ports: SyncPorts, selector: RepushSelector): Promise<SyncRecord[]> {
  if (selector.by === 'record') {
    const found = await Promise.all(selector.recordIds.map((id) => ports.store.getRecord(id)));
    return found.filter((r): r is SyncRecord => r !== undefined);
  }
  if (selector.by === 'day') return recordsOf(ports, selector.states ?? SYNC_STATES, selector.day);
  return recordsOf(ports, selector.states);
}

/**
 * The catalogue as one re-push reads it: each entry once, however many of its records are re-pushed (an
 * outage's records are mostly of a few items). Read at the re-push, so a catalogue fixed before it is the
 * one mapped; a read that fails is not kept, so the next record of that item reads again.
 */
function catalogueOncePerItem(upward: UpwardPorts): UpwardPorts {
  const read = new Map<string, Promise<unknown>>();
  return { ...upward, item: (itemCode) => memoIn(read, itemCode, () => upward.item(itemCode)) };
}

/**
 * Re-pushes the records a selector names (REJECTED, PARKED, stuck ones; never ACKED), mapped again unless
 * `remap` is false. Once the time left falls below REPUSH_TIME_RESERVE_MS it starts no more records: they
 * are listed in `deferred`, untouched, and `continueWith` names them for the next re-push.
 */
export async function repushRecords(ports: SyncPorts, selector: RepushSelector, options: RepushOptions): Promise<RepushSummary> {
  const now = ports.now();
  /** What became of each selected record, at its index in the selection (unset: not started). */
  type Outcome =
    | { readonly kind: 'repushed'; readonly recordId: string }
    | { readonly kind: 'refusedAgain'; readonly recordId: string; readonly reason: string }
    | { readonly kind: 'skipped'; readonly recordId: string; readonly state: SyncState; readonly reason: string }
    | { readonly kind: 'failed'; readonly recordId: string; readonly reason: string };
  const remap = options.remap && ports.remap ? { ...ports.remap, upward: catalogueOncePerItem(ports.remap.upward) } : undefined;
  // Up to CONCURRENCY records at once (each a read or two, a mapping and a conditional write of its own
  // record: none waits on another's), so a long outage's re-push is not one round trip after another; the
  // answer still lists them in the selection's order.
  const box = timeBox(REPUSH_TIME_RESERVE_MS, options.timeLeftMs);
  // ItemsFailed and ItemsDeferred, as every run over a list writes them (the sender's after it, under the
  // same function): a re-push that leaves records is seen by the alarms, not only in its answer; written
  // even when the records named cannot be read (0 and 0).
  const { selection, outcomes, within } = await countedRun(box, itemCounts(ports), async () => {
    const selection = selectForRepush(await candidates(ports, selector), selector, now, ports.calendar, ports.config);
    const outcomes: (Outcome | undefined)[] = new Array(selection.selected.length);
    const within = await box.forEachWithin(
      selection.selected.map((listed, at) => ({ listed, at })),
      CONCURRENCY,
      async ({ listed, at }) => {
        // The record and its case together: a record's case never changes (its id is the case's).
        const [stored, kase] = await Promise.all([ports.store.getRecord(listed.recordId), remap?.loadCase(listed.caseId)]);
        const record = stored ?? listed;
        const mapping = remap && kase ? await remapRecord(remap.upward, kase, record) : undefined;
        const change = repush(record, now, ports.config, mapping && remap ? { mapping, profile: remap.upward.profile } : undefined);
        if (!change.changed) {
          outcomes[at] = { kind: 'skipped', recordId: record.recordId, state: record.state, reason: change.ignored };
        } else if (!(await write(ports, record, change, options.actor))) {
          outcomes[at] = { kind: 'skipped', recordId: record.recordId, state: record.state, reason: 'changed by the sender meanwhile; run again' };
        } else if (change.next.state === 'REJECTED') {
          outcomes[at] = { kind: 'refusedAgain', recordId: record.recordId, reason: change.next.rejection?.message ?? 'refused' };
        } else outcomes[at] = { kind: 'repushed', recordId: record.recordId };
      },
      {
        // One record's failure (a read or a write refused, its case unreadable) is that record's: the write is
        // conditional and whole, so it is as it was; the others go on, and the answer names it to re-push.
        onError: ({ listed, at }, error) => {
          ports.log.error('upward sync: re-push of a record failed; it is as it was', { recordId: listed.recordId, error });
          outcomes[at] = { kind: 'failed', recordId: listed.recordId, reason: error.message };
        },
      },
    );
    return { selection, outcomes, within };
  });
  const done = outcomes.filter((o): o is Outcome => o !== undefined);
  const repushed = done.flatMap((o) => (o.kind === 'repushed' ? [o.recordId] : []));
  const refusedAgain = done.flatMap((o) => (o.kind === 'refusedAgain' ? [{ recordId: o.recordId, reason: o.reason }] : []));
  const skipped = [...selection.skipped, ...done.flatMap((o) => (o.kind === 'skipped' ? [{ recordId: o.recordId, state: o.state, reason: o.reason }] : []))];
  const failed = done.flatMap((o) => (o.kind === 'failed' ? [{ recordId: o.recordId, reason: o.reason }] : []));
  const deferred = within.deferred.map(({ listed }) => listed.recordId);
  ports.log.info('upward sync: re-push', { actor: options.actor, selector, repushed: repushed.length, refusedAgain: refusedAgain.length, skipped: skipped.length, failed: failed.length, deferred: deferred.length });
  const again = [...failed.map((f) => f.recordId), ...deferred];
  const continueWith: RepushSelector | undefined = again.length > 0 ? { by: 'record', recordIds: again.slice(0, REPUSH_MAX_RECORDS) } : undefined;
  return { repushed, refusedAgain, skipped, missing: selection.missing, failed, deferred, ...(continueWith ? { continueWith } : {}) };
}
