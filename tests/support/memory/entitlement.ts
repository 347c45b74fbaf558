/**
 * Small in-memory adapters of the 免申即享 ports (shared/entitlement/ports.ts), for the service's unit
 * tests. The store keeps the conditions the DynamoDB store's transactions check (the entitlement's state and
 * revision, the budget, the withdrawal guard, create-only slices and outbox records), because the use
 * cases' retries and redeliveries depend on them; tests/adapter/entitlement-store.test.ts checks the real
 * store against the same expectations.
 */
import { isDeepStrictEqual } from 'node:util';
import type { OutboundEvent } from '#contract/outbound';
import type { AuditEntry } from '#platform/audit';
import type { Receipt } from '#platform/receipts';
import { createCalendar } from '#calendar';
import { sumDecimals } from '#util/decimal';
import {
  chainDeltas,
  COUNTERS,
  emptyCounters,
  type Counter,
  type CreditRecord,
  type EnterpriseProfile,
  type PersonProfile,
  FLIP_ENTRY_FIELDS,
  inOneNotation,
  readFlipEntry,
  type FlipEntry,
  type Entitlement,
  type Objection,
  type Policy,
  type PublicityWindow,
} from '#entitlement/domain/index';
import type { ChannelMessage } from '#entitlement/messages';
import { noteStoredPolicy } from '#entitlement/store/stored-policy';
import type {
  ApplyOutcome,
  Claim,
  DueWindow,
  EntitlementMetric,
  EntitlementPorts,
  EntitlementSettings,
  EntitlementStore,
  MatchSliceMessage,
  NotifyMessage,
  ObjectionWrite,
  OutboxRecord,
  Refusal,
  RunProgress,
  UnreadableFlip,
  StoredFigures,
  CreditMarkMessage,
  RematchMessage,
} from '#entitlement/ports';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
const pairKey = (policyId: string, code: string) => `${policyId}/${code}`;

/** The entitlements table, in maps. Its fields are public so tests can arrange and inspect state. */
/** A time-index partition's key as the DynamoDB store writes it, for the keys of an item it sets aside. */
const flipPk = (bucket: string, shard: number) => `FLIP#${bucket}#${String(shard).padStart(2, '0')}`;

/** A time-index item as the memory store holds it: an entry (or what a test put by hand), and its `writeId`. */
export type StoredFlip = FlipEntry & { readonly writeId?: unknown };

/**
 * The DynamoDB store's condition on a set-aside's delete (shared/entitlement/store/flips.ts, unchangedSince),
 * on memory: the item stored now is still the one read when it holds the `writeId` read (a NULL one: still a
 * NULL); for an item read without one, when it still has none and each entry field is as read, or still absent.
 * Other attributes are not compared, as there: a change to them alone is set aside with the copy as read.
 */
function unchangedSince(current: Readonly<Record<string, unknown>> | undefined, read: Readonly<Record<string, unknown>>): boolean {
  if (current === undefined) return false;
  const same = (name: string) => {
    const [was, is] = [read[name], current[name]];
    return was === undefined ? is === undefined : is !== undefined && isDeepStrictEqual(is, was);
  };
  if (read.writeId !== undefined) return same('writeId');
  return current.writeId === undefined && FLIP_ENTRY_FIELDS.every(same);
}

export class MemoryEntitlementStore implements EntitlementStore {
  readonly policies = new Map<string, Policy>();
  readonly active = new Set<string>();
  readonly budgets = new Map<string, number>();
  /** The withdrawal guard (the DynamoDB store sets it on every figure shard at once). */
  readonly guarded = new Map<string, string>();
  readonly runs = new Map<string, Mutable<RunProgress>>();
  readonly slices = new Set<string>();
  readonly entitlements = new Map<string, Entitlement>();
  readonly outbox = new Map<string, Mutable<OutboxRecord>>();
  readonly figures = new Map<string, Mutable<Omit<StoredFigures, 'withdrawnAt'>>>();
  readonly refusals = new Map<string, Refusal>();
  readonly receipts: Receipt[] = [];
  readonly audit: AuditEntry[] = [];
  /** The newest publicity window of each policy, the due index, and objections (store/publicity.ts). */
  readonly windows = new Map<string, PublicityWindow>();
  readonly due = new Map<string, DueWindow>();
  /** Due windows whose pairs the schedule released (markWindowReleased), not yet finished. */
  readonly released = new Set<string>();
  readonly objections = new Map<string, Objection>();
  /** Called before each applyTransitions commits: a test moves the world in between (a racing writer). */
  beforeApply?: () => void;

  // Each policy read is noted as the DynamoDB store's readers note it (store/stored-policy.ts).
  async getPolicy(policyId: string) {
    const policy = this.policies.get(policyId);
    if (policy !== undefined) noteStoredPolicy(policy);
    return policy;
  }
  async listActivePolicies() {
    const policies = [...this.active].map((id) => this.policies.get(id)!);
    for (const policy of policies) noteStoredPolicy(policy);
    return policies;
  }
  async savePublish(w: Parameters<EntitlementStore['savePublish']>[0]) {
    const current = this.policies.get(w.policy.policyId);
    const runKey = `${w.policy.policyId}#${w.policy.version}`;
    const moved = w.fromVersion === null ? current !== undefined : current?.version !== w.fromVersion || current.status !== 'active';
    if (moved || this.runs.has(runKey)) return false;
    this.policies.set(w.policy.policyId, w.policy);
    this.active.add(w.policy.policyId);
    if (w.budgetDelta !== undefined) this.budgets.set(w.policy.policyId, sumDecimals([this.budgets.get(w.policy.policyId) ?? 0, w.budgetDelta]));
    this.runs.set(runKey, { policyVersion: w.policy.version, startedAt: w.at, slicesQueued: w.slicesQueued, slicesDone: 0, profiles: 0 });
    this.audit.push(w.audit);
    this.receipts.push(w.receipt);
    return true;
  }
  async saveWithdraw(policy: Policy, audit: AuditEntry, receipt: Receipt) {
    const current = this.policies.get(policy.policyId);
    if (current?.version !== policy.version || current.status !== 'active') return false;
    this.policies.set(policy.policyId, policy);
    this.active.delete(policy.policyId);
    this.audit.push(audit);
    this.receipts.push(receipt);
    await this.guardWithdrawn(policy.policyId, policy.withdrawnAt ?? audit.at);
    return true;
  }
  async guardWithdrawn(policyId: string, at: string) {
    if (!this.guarded.has(policyId)) this.guarded.set(policyId, at);
    this.active.delete(policyId);
  }
  async getBudget(policyId: string) {
    return this.budgets.get(policyId);
  }

  async isSliceDone(policyId: string, version: number, shard: number, cursor?: string) {
    return this.slices.has(`${policyId}#${version}#${shard}#${cursor ?? ''}`);
  }
  async finishSlice(...[policyId, version, shard, cursor, outcome]: Parameters<EntitlementStore['finishSlice']>) {
    const key = `${policyId}#${version}#${shard}#${cursor ?? ''}`;
    if (this.slices.has(key)) return { recorded: false, completed: false };
    this.slices.add(key);
    const run = this.runs.get(`${policyId}#${version}`) ?? { policyVersion: version, startedAt: outcome.at, slicesQueued: 0, slicesDone: 0, profiles: 0 };
    this.runs.set(`${policyId}#${version}`, run);
    run.slicesDone += 1;
    run.slicesQueued += outcome.continued ? 1 : 0;
    run.profiles += outcome.profiles;
    run.lastSliceAt = outcome.at;
    const completed = run.completedAt === undefined && run.slicesDone === run.slicesQueued;
    if (completed) run.completedAt = outcome.at;
    return { recorded: true, completed };
  }

  async getEntitlement(policyId: string, creditCode: string) {
    return this.entitlements.get(pairKey(policyId, creditCode));
  }
  async batchGetEntitlements(policyId: string, codes: readonly string[]) {
    const out = new Map<string, Entitlement>();
    for (const code of codes) {
      const e = this.entitlements.get(pairKey(policyId, code));
      if (e !== undefined) out.set(code, e);
    }
    return out;
  }
  async applyTransitions(chain: Parameters<EntitlementStore['applyTransitions']>[0], audit: AuditEntry, receipt?: Receipt, objection?: ObjectionWrite): Promise<ApplyOutcome> {
    this.beforeApply?.();
    const first = chain[0]!;
    const key = pairKey(first.policyId, first.creditCode);
    const stored = this.entitlements.get(key);
    const deltas = chainDeltas(chain);
    const notification = chain.findLast((t) => t.notification !== undefined)?.notification;
    const entitlementMoved = first.from === null ? stored !== undefined : stored?.state !== first.from || stored.revision !== first.fromRevision;
    const withdrawn = notification !== undefined && this.guarded.has(first.policyId);
    const remaining = this.budgets.get(first.policyId);
    const budgetShort = deltas.amountReserved > 0 && (remaining === undefined || remaining < deltas.amountReserved);
    const opening = chain.find((t) => t.window?.opens === true);
    const current = this.windows.get(first.policyId);
    const windowMoved =
      opening?.window !== undefined && current !== undefined && !(current.closesAt < opening.at) && current.windowId !== opening.window.window.windowId;
    const objectionMoved = objection !== undefined && !this.objectionMatches(objection);
    if (entitlementMoved || withdrawn || budgetShort || windowMoved || objectionMoved) {
      return { ok: false, entitlementMoved, budgetShort, withdrawn, windowMoved, objectionMoved };
    }

    this.entitlements.set(key, chain[chain.length - 1]!.next);
    if (deltas.amountReserved !== 0) this.budgets.set(first.policyId, sumDecimals([remaining ?? 0, -deltas.amountReserved]));
    if (opening?.window !== undefined) this.openWindow(first.policyId, opening.window.window);
    if (objection !== undefined) this.putObjection(objection);
    const f = this.figuresOf(first.policyId);
    for (const c of COUNTERS) f.counters[c] += (deltas.counts[c] ?? 0) + (objection?.counts[c] ?? 0);
    // DynamoDB's ADD is exact decimal arithmetic; so is the stand-in's.
    f.amountReserved = sumDecimals([f.amountReserved, deltas.amountReserved]);
    f.amountDisbursed = sumDecimals([f.amountDisbursed, deltas.amountDisbursed]);
    f.amountRecovered = sumDecimals([f.amountRecovered, deltas.amountRecovered]);
    if (deltas.pushedAt !== undefined) {
      f.firstPushAt ??= deltas.pushedAt;
      f.lastPushAt = deltas.pushedAt;
    }
    if (notification !== undefined) this.outbox.set(key, { status: 'PENDING', attempts: 0, notification, createdAt: notification.at });
    this.audit.push(audit);
    if (receipt) this.receipts.push(receipt);
    return { ok: true };
  }

  async listInState(policyId: string, state: string) {
    return [...this.entitlements.values()].filter((e) => e.policyId === policyId && e.state === state);
  }
  async listInWindow(policyId: string, windowId: string) {
    return [...this.entitlements.values()].filter((e) => e.policyId === policyId && e.publicity?.windowId === windowId);
  }
  async getPublicityWindow(policyId: string) {
    return this.windows.get(policyId);
  }
  async listDueWindows(before: string, limit: number) {
    return [...this.due.values()].filter((w) => w.closesAt < before).sort((a, b) => (a.closesAt < b.closesAt ? -1 : 1)).slice(0, limit);
  }
  async markWindowReleased(w: DueWindow, _at: string) {
    if (this.due.has(`${w.policyId}#${w.windowId}`)) this.released.add(`${w.policyId}#${w.windowId}`);
  }
  async isWindowReleased(w: DueWindow) {
    const key = `${w.policyId}#${w.windowId}`;
    return !this.due.has(key) || this.released.has(key);
  }
  async finishWindow(w: DueWindow) {
    this.due.delete(`${w.policyId}#${w.windowId}`);
    this.released.delete(`${w.policyId}#${w.windowId}`);
  }
  async getObjection(objectionId: string) {
    return this.objections.get(objectionId);
  }
  async saveObjection(write: ObjectionWrite, audit: AuditEntry, receipt: Receipt) {
    if (!this.objectionMatches(write)) return false;
    this.putObjection(write);
    const f = this.figuresOf(write.objection.policyId);
    for (const [c, v] of Object.entries(write.counts) as [Counter, number][]) f.counters[c] += v;
    this.audit.push(audit);
    // As the DynamoDB store writes it (`replace`): the event's receipt recorded before (a refusal) is replaced.
    const before = this.receipts.findIndex((r) => r.source === receipt.source && r.id === receipt.id);
    if (before >= 0) this.receipts[before] = receipt;
    else this.receipts.push(receipt);
    return true;
  }
  private objectionMatches(write: ObjectionWrite): boolean {
    const stored = this.objections.get(write.objection.objectionId);
    return write.expect === 'new' ? stored === undefined : stored?.state === write.expect;
  }
  private putObjection(write: ObjectionWrite): void {
    this.objections.set(write.objection.objectionId, write.objection);
  }
  private openWindow(policyId: string, w: PublicityWindow): void {
    this.windows.set(policyId, w);
    this.due.set(`${policyId}#${w.windowId}`, { policyId, windowId: w.windowId, closesAt: w.closesAt });
  }

  async isNotificationPending(policyId: string, creditCode: string) {
    const o = this.outbox.get(pairKey(policyId, creditCode));
    return o !== undefined && (o.status === 'PENDING' || o.status === 'FAILED');
  }
  async claimOutbox(policyId: string, creditCode: string, at: string, staleBefore: string): Promise<Claim> {
    const o = this.outbox.get(pairKey(policyId, creditCode));
    if (o === undefined) return { kind: 'missing' };
    if (o.status === 'DELIVERED') return { kind: 'delivered' };
    if (o.status === 'SENDING' && !(o.claimedAt! < staleBefore)) return { kind: 'busy' };
    Object.assign(o, { status: 'SENDING', claimedAt: at, attempts: o.attempts + 1 });
    return { kind: 'claimed', record: { ...o } };
  }
  async markDelivered(policyId: string, creditCode: string, at: string) {
    const o = this.outbox.get(pairKey(policyId, creditCode));
    if (o?.status !== 'SENDING') return false;
    Object.assign(o, { status: 'DELIVERED', deliveredAt: at });
    delete o.lastError;
    this.figuresOf(policyId).delivered += 1;
    return true;
  }
  async markDeliveryFailed(policyId: string, creditCode: string, error: string, final: boolean) {
    const o = this.outbox.get(pairKey(policyId, creditCode));
    if (o?.status === 'SENDING') Object.assign(o, { status: final ? 'FAILED' : 'PENDING', lastError: error.slice(0, 500) });
  }

  async readFigures(policyId: string): Promise<StoredFigures> {
    const f = this.figuresOf(policyId);
    const withdrawnAt = this.guarded.get(policyId);
    return { ...f, counters: { ...f.counters }, ...(withdrawnAt ? { withdrawnAt } : {}) };
  }

  async recordRefusal(policyId: string, eventId: string, refusal: Refusal, receipt: Receipt, audit: AuditEntry) {
    const key = `${policyId}#${eventId}`;
    // As the DynamoDB store: create-only, the receipt of the first delivery stands.
    const first = this.receipts.find((r) => r.source === receipt.source && r.id === receipt.id);
    if (this.refusals.has(key)) return first ?? receipt;
    this.refusals.set(key, refusal);
    if (first === undefined) this.receipts.push(receipt);
    this.audit.push(audit);
    return first ?? receipt;
  }
  async recordReceipt(receipt: Receipt) {
    this.receipts.push(receipt);
  }

  /** The time index: entries by `<bucket>#<shard>`, then by `<at>#<policyId>#<subjectId>`; the schedule's cursor. */
  readonly flips = new Map<string, Map<string, StoredFlip>>();
  flipCursor: string | undefined;
  /** The last `writeId` a put set: each put sets the next, as the DynamoDB store sets a fresh one. */
  private flipWrites = 0;
  async putFlips(entries: readonly FlipEntry[], cursorIfNone: string) {
    // As the DynamoDB store files them: `at` in one notation (one instant, one key), a fresh `writeId`.
    for (const e of entries.map(inOneNotation)) {
      const part = `${e.bucket}#${e.shard}`;
      if (!this.flips.has(part)) this.flips.set(part, new Map());
      const stored: StoredFlip = { ...e, writeId: `w-${++this.flipWrites}` };
      this.flips.get(part)!.set(`${e.at}#${e.policyId}#${e.subjectId ?? ''}`, stored);
    }
    if (entries.length > 0) this.flipCursor ??= cursorIfNone;
  }
  /** Items set aside as the DynamoDB store does, by `<pk>#<sk>` (the pk as that store writes it). */
  readonly unreadableFlips = new Map<string, { item: Readonly<Record<string, unknown>>; problem: string; setAsideAt: string }>();
  async queryFlips(bucket: string, shard: number) {
    const part = this.flips.get(`${bucket}#${shard}`);
    const entries: FlipEntry[] = [];
    const unreadable: UnreadableFlip[] = [];
    const pk = flipPk(bucket, shard);
    for (const [sk, stored] of [...(part ?? [])].sort(([a], [b]) => (a < b ? -1 : 1))) {
      // Checked as the DynamoDB store checks what it reads: a test may file an item no writer makes.
      const read = readFlipEntry(stored as unknown as Record<string, unknown>, bucket, shard);
      if (read.ok && `${read.entry.at}#${read.entry.policyId}#${read.entry.subjectId ?? ''}` === sk) entries.push(read.entry);
      else unreadable.push({ pk, sk, problem: read.ok ? 'its sort key is not <at>#<policyId>#<subjectId>' : read.problem, item: { pk, sk, ...stored } });
    }
    return { entries, unreadable };
  }
  async setAsideFlips(items: readonly UnreadableFlip[], now: string) {
    const changed: UnreadableFlip[] = [];
    for (const u of items) {
      // As the DynamoDB store's delete is conditional: moved only while it is still the item read, by the
      // same condition (unchangedSince), no stricter.
      const part = [...this.flips].find(([p]) => {
        const cut = p.lastIndexOf('#');
        return flipPk(p.slice(0, cut), Number(p.slice(cut + 1))) === u.pk;
      })?.[1];
      const stored = part?.get(u.sk);
      if (!unchangedSince(stored as Readonly<Record<string, unknown>> | undefined, u.item)) {
        changed.push(u);
        continue;
      }
      this.unreadableFlips.set(`${u.pk}#${u.sk}`, { item: u.item, problem: u.problem, setAsideAt: now });
      part!.delete(u.sk);
    }
    return changed;
  }
  async deleteFlips(entries: readonly FlipEntry[]) {
    for (const e of entries) this.flips.get(`${e.bucket}#${e.shard}`)?.delete(`${e.at}#${e.policyId}#${e.subjectId ?? ''}`);
  }
  async getFlipCursor() {
    return this.flipCursor;
  }
  async advanceFlipCursor(bucket: string) {
    if (this.flipCursor === undefined || this.flipCursor < bucket) this.flipCursor = bucket;
  }

  private figuresOf(policyId: string) {
    let f = this.figures.get(policyId);
    if (f === undefined) {
      f = { counters: emptyCounters(), amountReserved: 0, amountDisbursed: 0, amountRecovered: 0, delivered: 0 };
      this.figures.set(policyId, f);
    }
    return f;
  }
}

/** Everything the ports were asked to send, in order. */
export interface Sent {
  readonly slices: MatchSliceMessage[];
  readonly notifications: NotifyMessage[];
  /** Credit marks sent to the registry queue (civicflow.credit.marked). */
  readonly creditMarks: CreditMarkMessage[];
  /** Re-matches the time index queued for the policy queue. */
  readonly rematches: RematchMessage[];
  readonly outbound: OutboundEvent[];
  readonly channel: ChannelMessage[];
  readonly metrics: { readonly metric: EntitlementMetric | 'PublishToLastPushMs'; readonly value: number }[];
}

export interface MemoryWorld {
  readonly ports: EntitlementPorts;
  readonly store: MemoryEntitlementStore;
  readonly sent: Sent;
  /** The registry's profiles and credit records, by credit code (in code order when paged). */
  readonly profiles: Map<string, EnterpriseProfile>;
  /** Person profiles by ID number (person policies). */
  readonly persons: Map<string, PersonProfile>;
  readonly credits: Map<string, CreditRecord>;
  /** The clock's reading; set it to move time. */
  now: string;
  /** When set, the channel throws it instead of delivering. */
  channelError?: Error;
}

/**
 * The ports on memory: a registry of `shards` shards (a profile's shard is the sum of its code's
 * characters modulo `shards`), queues, outbound and channel that record what they are given.
 */
export function memoryEntitlementPorts(options: {
  now: string;
  shards?: number;
  settings?: Partial<EntitlementSettings>;
  /** Extra non-working and working days over the public calendar (chinese-days). */
  calendar?: { holidays?: string[]; workdays?: string[] };
}): MemoryWorld {
  const shards = options.shards ?? 2;
  const shardOf = (code: string) => [...code].reduce((s, ch) => s + ch.charCodeAt(0), 0) % shards;
  const store = new MemoryEntitlementStore();
  const sent: Sent = { slices: [], notifications: [], creditMarks: [], rematches: [], outbound: [], channel: [], metrics: [] };
  const world: MemoryWorld = {
    store,
    sent,
    profiles: new Map(),
    persons: new Map(),
    credits: new Map(),
    now: options.now,
    ports: undefined as never,
  };
  const ports: EntitlementPorts = {
    store,
    registry: {
      shards,
      getEnterpriseProfile: async (code) => world.profiles.get(code),
      getPersonProfile: async (id) => world.persons.get(id),
      getCredit: async (code) => world.credits.get(code),
      getSubject: async (kind, id) => {
        const profile = kind === 'person' ? world.persons.get(id) : world.profiles.get(id);
        const credit = world.credits.get(id);
        return { ...(profile ? { profile } : {}), ...(credit ? { credit } : {}) };
      },
      batchGetCredits: async (codes) => new Map(codes.flatMap((c) => (world.credits.has(c) ? [[c, world.credits.get(c)!] as const] : []))),
      async queryShardProfiles(shard, limit, cursor) {
        const all = [...world.profiles.values()].filter((p) => shardOf(p.creditCode) === shard).sort((a, b) => (a.creditCode < b.creditCode ? -1 : 1));
        const rest = cursor === undefined ? all : all.filter((p) => p.creditCode > cursor);
        const page = rest.slice(0, limit);
        return rest.length > limit ? { profiles: page, next: page[page.length - 1]!.creditCode } : { profiles: page };
      },
      async queryShardPersons(shard, limit, cursor) {
        const all = [...world.persons.values()].filter((p) => shardOf(p.idNumber) === shard).sort((a, b) => (a.idNumber < b.idNumber ? -1 : 1));
        const rest = cursor === undefined ? all : all.filter((p) => p.idNumber > cursor);
        const page = rest.slice(0, limit);
        return rest.length > limit ? { profiles: page, next: page[page.length - 1]!.idNumber } : { profiles: page };
      },
    },
    queues: {
      sendSlices: async (m) => void sent.slices.push(...m),
      sendNotifications: async (m) => void sent.notifications.push(...m),
      sendCreditMarks: async (m) => void sent.creditMarks.push(...m),
      sendRematches: async (m) => void sent.rematches.push(...m),
    },
    outbound: { publish: async (events) => void sent.outbound.push(...events) },
    channel: {
      async send(message) {
        if (world.channelError) throw world.channelError;
        sent.channel.push(message);
      },
    },
    clock: { now: () => world.now },
    calendar: createCalendar({ timeZone: 'Asia/Shanghai', useChineseDays: true, ...options.calendar }),
    metrics: {
      count: (metric, value) => void sent.metrics.push({ metric, value }),
      publishToLastPush: (_policyId, ms) => void sent.metrics.push({ metric: 'PublishToLastPushMs', value: ms }),
    },
    settings: { sliceSize: 100, timeZone: 'Asia/Shanghai', notifyMaxReceives: 3, maskPublicityList: false, publicityCloseGraceMs: 0, ...options.settings },
  };
  (world as { ports: EntitlementPorts }).ports = ports;
  return world;
}
