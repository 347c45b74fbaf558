/**
 * Bundle applications (一件事一次办): the first decision of every applicable child, a supplement
 * (answers, form, materials) and a person's decision on one child. Each makes one version of the bundle,
 * stored in one transaction with its audit line and receipt (store/bundle.ts), then what it sends, derived
 * from the version: one `gov.application.decided` per child decided or changed in this version, one
 * `gov.application.bundle.decided`, and the bundle's review case. A redelivered event finds its version
 * (or refusal) and sends that version's messages again (same ids: receivers de-duplicate); nothing is
 * decided twice. Only a version the deadlines schedule made has an OUTBOX item, marked once sent.
 */
import { conflictAudit, refusalAudit } from '../domain/audit';
import { decideBundle, type BundleApplication, type BundleContext, type BundleState } from '../domain/bundle/application';
import {
  flaggedIn,
  flagOverdueVerifications,
  reviewBundleChild,
  supplementBundle,
  terminateMissedSupplements,
  verifyBundleChild,
  type BundleSupplement,
  type BundleTransition,
} from '../domain/bundle/later';
import { isFinalBundleStatus, type Bundle } from '../domain/bundle/types';
import { contentHash } from '../domain/conflict';
import { causeKey, type Cause } from '../domain/decision';
import type { VerificationReport } from '../domain/lifecycle';
import { bundleMetrics, OVERDUE_VERIFICATION } from '../domain/metrics';
import type { PersonReview } from '../domain/reviewed';
import type { ServiceItem } from '../domain/types';
import { conflictReceipt, duplicateReceipt, effectEvents, refusalReceipt } from '../messages';
import type { BundleCatalogue, BundleStore, BundleVersionCause, StoredBundle, StoredBundleVersion } from '../bundle-ports';
import { resentBySchedule, sendsAgain, type ApprovalPorts, type Outbox, type StoredRefusalCode } from '../ports';
import { outboxSender } from './outbox';
import { bundleAudit, bundleMessages, bundleReceipt } from './bundle-messages';

export type BundlePorts = ApprovalPorts & { readonly bundles: BundleStore; readonly catalogue: BundleCatalogue };

/** How often a later event reloads and decides again when another writer keeps changing the bundle. */
const ATTEMPTS = 5;

export interface BundleService {
  submitBundle(application: BundleApplication, cause: Cause): Promise<void>;
  /**
   * True when the application is a bundle application (the event was handled here). `receivedAt`: the
   * supplement's receipt at ingest, what its children's deadlines are judged by.
   */
  supplementBundle(applicationId: string, supplement: BundleSupplement, cause: Cause, receivedAt?: string): Promise<boolean>;
  reviewBundle(applicationId: string, review: PersonReview, cause: Cause): Promise<boolean>;
  /** A department's verification of a child approved on commitment (true when the application is a bundle's). */
  verifyBundle(applicationId: string, report: VerificationReport, cause: Cause): Promise<boolean>;
  /**
   * The deadlines schedule: children `graceMs` past their supplement deadline TERMINATED (nothing when none
   * is). The bundle as the call left it (the version it stored, or the one it found); undefined when there is none.
   */
  terminateMissed(applicationId: string, cause: Cause, graceMs: number): Promise<BundleState | undefined>;
  /** The deadlines schedule: children's verifications `graceMs` past their due date flagged, once; as terminateMissed. */
  flagOverdue(applicationId: string, cause: Cause, graceMs: number): Promise<BundleState | undefined>;
  /** The deadlines schedule: a version's outbox a crash left unsent, sent now (true when it was). */
  resendBundle(applicationId: string, sequence: number): Promise<boolean>;
}

export function bundleService(ports: BundlePorts): BundleService {
  const { bundles, catalogue, registry, telemetry } = ports;
  // The single items' sender: internal events, then outbound, one request per queue.
  const { deliver } = outboxSender(ports);

  /**
   * The items of a bundle version: those a child was decided on keep that version, the others are current. A
   * version a child was decided on that the catalogue does not give back is an error to retry (as the
   * bundle's own version, `submittedBundle`): decided again without it, the child would read as an unknown item.
   */
  async function itemsOf(bundle: Bundle | undefined, previous: BundleState | undefined): Promise<Map<string, ServiceItem>> {
    const found = await Promise.all(
      (bundle?.items ?? []).map(async ({ itemCode }) => {
        const version = previous?.children.find((c) => c.itemCode === itemCode)?.decision?.itemVersion;
        if (version == null) return catalogue.currentItem(itemCode);
        const item = await catalogue.itemVersion(itemCode, version);
        if (item === undefined) throw new Error(`item ${itemCode} version ${version} of bundle application ${previous?.applicationId} is not in the catalogue; retrying`);
        return item;
      }),
    );
    return new Map(found.flatMap((i) => (i ? [[i.itemCode, i] as const] : [])));
  }

  /**
   * The bundle version a later event decides on: the one current at submission. None for a bundle refused at
   * submission (unknown or inactive then): it is final with no child, so every later event on it is refused
   * or finds nothing to do, and a version published since changes nothing. A version the catalogue does not
   * give back (its versions are immutable, never deleted and read strongly consistent: a registry table
   * restored to an earlier point) is an error to retry, as an item version missing is: decided without it,
   * the bundle would read as unknown and be REJECTED with no child, a decision nobody made.
   */
  async function submittedBundle(previous: BundleState): Promise<Bundle | undefined> {
    if (previous.bundleVersion === null) return undefined;
    const bundle = await catalogue.bundleVersion(previous.bundleCode, previous.bundleVersion);
    if (bundle === undefined) {
      throw new Error(`bundle ${previous.bundleCode} version ${previous.bundleVersion} of application ${previous.applicationId} is not in the catalogue; retrying`);
    }
    return bundle;
  }

  async function contextOf(bundle: Bundle | undefined, application: BundleApplication, previous?: BundleState): Promise<BundleContext> {
    const [items, facts] = await Promise.all([itemsOf(bundle, previous), registry.applicantFacts(application.applicant)]);
    return { bundle, items, ...facts, now: ports.now(), calendar: ports.calendar() };
  }

  /**
   * Sends a version's outbox, then marks its OUTBOX item sent when it has one (a crash in between: the
   * schedule's sweep, or the event's redelivery, sends it again).
   */
  async function sendOutbox(applicationId: string, sequence: number, outbox: Outbox, marked: boolean): Promise<void> {
    await deliver([{ outbox, internal: effectEvents(outbox.effects) }]);
    if (marked) await bundles.markBundleSent(applicationId, sequence, ports.now());
  }

  const send = (state: BundleState, causeKind: BundleVersionCause) =>
    sendOutbox(state.applicationId, state.sequence, bundleMessages(state, causeKind), resentBySchedule(causeKind));

  /**
   * What a stored version still owes when an event comes again: while its OUTBOX item is pending; without
   * an item, when `redelivery` says this event made the version (nothing records whether it was sent).
   */
  async function resend(known: StoredBundle, version: StoredBundleVersion, redelivery: boolean): Promise<void> {
    if (known.state === undefined || !sendsAgain(version, redelivery)) return;
    await sendOutbox(known.state.applicationId, version.sequence, outboxOf(version), version.marked);
  }

  /** The 一件事 counters of a version just stored (never of a redelivery: nothing is stored then). */
  function countFinished(state: BundleState, previous: BundleState | undefined): void {
    const workingDays = ports.calendar().workingDaysBetween(state.submittedAt, state.decidedAt);
    const points = bundleMetrics(
      { ...state, final: isFinalBundleStatus(state.status), workingDays },
      previous === undefined ? undefined : { status: previous.status, final: isFinalBundleStatus(previous.status) },
    );
    if (points.length > 0) telemetry.metrics(points);
  }

  async function submitBundle(application: BundleApplication, cause: Cause): Promise<void> {
    const bundle = await catalogue.currentBundle(application.bundleCode);
    const context = await contextOf(bundle, application);
    const state = decideBundle(application, context);
    const applicationHash = contentHash(application);
    const stored = await bundles.createBundle({
      application,
      applicationHash,
      receivedAt: context.now,
      state,
      cause,
      causeKind: 'submitted',
      audit: bundleAudit(state, cause, `decided:${state.status}`, context.now),
      ...withReceipt(bundleReceipt(state, cause)),
    });
    if (stored === 'stored') {
      telemetry.info('bundle application decided', { applicationId: application.applicationId, bundleCode: application.bundleCode, status: state.status });
      countFinished(state, undefined);
      return send(state, 'submitted');
    }
    // Known: a redelivery (send what version 1 owes again), a resubmission under another id, or a conflict.
    const known = await bundles.loadBundle(application.applicationId);
    const storedApp = known.application;
    const redelivery = storedApp !== undefined && causeKey(storedApp.cause) === causeKey(cause);
    const first = known.versions[0];
    if (first) await resend(known, first, redelivery);
    if (storedApp === undefined || redelivery) return;
    const now = ports.now();
    if (storedApp.applicationHash !== applicationHash) {
      const { applicationId } = application;
      const recorded = await bundles.recordBundleConflict({
        application,
        applicationHash,
        storedHash: storedApp.applicationHash,
        cause,
        receivedAt: now,
        audit: conflictAudit(applicationId, applicationHash, storedApp.applicationHash, cause, now),
        receipt: conflictReceipt(applicationId, applicationHash, storedApp.applicationHash, cause, now),
      });
      if (recorded) telemetry.warn('application conflict', { applicationId, eventId: cause.id, source: cause.source });
      return;
    }
    await ports.store.recordReceipt(duplicateReceipt({ ...application, itemCode: application.bundleCode }, cause, storedApp.cause, now));
  }

  /**
   * A later event on a bundle application: the bundle as it left it (the version it stored, or the one it
   * found when it stored none); undefined when the id is no bundle application (the caller handles it).
   */
  async function onLater(
    applicationId: string,
    cause: Cause,
    causeKind: BundleVersionCause,
    transition: (state: BundleState, context: BundleContext) => BundleTransition | undefined,
  ): Promise<BundleState | undefined> {
    const key = causeKey(cause);
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const known = await bundles.loadBundle(applicationId);
      const previous = known.state;
      if (previous === undefined) return undefined;
      const done = known.versions.find((v) => causeKey(v.cause) === key);
      if (done) {
        await resend(known, done, true);
        return previous;
      }
      if (known.refusals.some((r) => causeKey(r.cause) === key)) return previous;
      const result = transition(previous, await contextOf(await submittedBundle(previous), previous.application, previous));
      const now = ports.now();
      if (result === undefined) return previous;
      if (!result.ok) {
        await refuse(applicationId, cause, now, result.refusal.code, result.refusal.message);
        return previous;
      }
      const state = result.state;
      const stored = await bundles.storeBundleVersion({
        state,
        cause,
        causeKind,
        audit: bundleAudit(state, cause, `${causeKind}:${state.status}`, now),
        ...withReceipt(bundleReceipt(state, cause)),
      });
      if (stored === 'stored') {
        countFinished(state, previous);
        if (causeKind === 'overdueFlag') countFlagged(state);
        await send(state, causeKind);
        return state;
      }
    }
    throw new Error(`bundle application ${applicationId} kept changing under ${cause.type} ${cause.id}; retrying`);
  }

  /** The schedule's overdue flags of a version just stored: one count and one log line per child flagged. */
  function countFlagged(state: BundleState): void {
    for (const c of flaggedIn(state)) {
      telemetry.metrics([OVERDUE_VERIFICATION]);
      telemetry.info('verification overdue', { applicationId: state.applicationId, itemCode: c.itemCode });
    }
  }

  async function refuse(applicationId: string, cause: Cause, at: string, code: StoredRefusalCode, message: string): Promise<void> {
    const recorded = await bundles.recordBundleRefusal({
      applicationId,
      cause,
      at,
      code,
      message,
      audit: refusalAudit(applicationId, cause, at, code, message),
      ...withReceipt(refusalReceipt(applicationId, cause, at, code, message)),
    });
    if (recorded) telemetry.warn('event refused', { applicationId, eventType: cause.type, eventId: cause.id, code });
  }

  return {
    submitBundle,
    supplementBundle: async (applicationId, supplement, cause, receivedAt) =>
      (await onLater(applicationId, cause, 'supplemented', (state, context) => supplementBundle(state, supplement, context, receivedAt))) !== undefined,
    reviewBundle: async (applicationId, review, cause) =>
      (await onLater(applicationId, cause, 'reviewed', (state, context) => reviewBundleChild(state, review, context))) !== undefined,
    verifyBundle: async (applicationId, report, cause) =>
      (await onLater(applicationId, cause, 'verification', (state, context) => verifyBundleChild(state, report, context, cause))) !== undefined,
    flagOverdue: (applicationId, cause, graceMs) =>
      onLater(applicationId, cause, 'overdueFlag', (state, context) => {
        const next = flagOverdueVerifications(state, context.now, graceMs);
        return next === undefined ? undefined : { ok: true, state: next };
      }),
    terminateMissed: (applicationId, cause, graceMs) =>
      onLater(applicationId, cause, 'supplementDeadline', (state, context) => {
        const next = terminateMissedSupplements(state, context, graceMs);
        return next === undefined ? undefined : { ok: true, state: next };
      }),
    async resendBundle(applicationId, sequence) {
      const known = await bundles.loadBundle(applicationId);
      const version = known.versions.find((v) => v.sequence === sequence);
      if (version === undefined || !version.pending) return false;
      // The store lists the schedule's own versions (terminating a child can open a review case). One written
      // before it listed only those can be an event's with a credit mark, which needs a grant the schedule has
      // not: that event's redelivery sends it.
      if (outboxOf(version).effects.some((e) => e.kind !== 'tellHardCase' && e.kind !== 'openReviewCase')) return false;
      await resend(known, version, false);
      return true;
    },
  };
}

/** What a stored version sends: derived from the version, or as an outbox written before that stored it. */
const outboxOf = (version: StoredBundleVersion): Outbox => version.outbox ?? bundleMessages(version.state, version.causeKind);

const withReceipt = <T>(receipt: T | undefined): { receipt?: T } => (receipt === undefined ? {} : { receipt });
