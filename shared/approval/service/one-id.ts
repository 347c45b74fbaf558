/**
 * One decision per applicationId, whichever kind of application it was submitted as. A single item's
 * application (`APP#<id>`) and a bundle application (`BUNDLE#<id>`) live in partitions of their own, so
 * neither's create-once gate sees the other: without this check a bundle and a single item submitted under
 * one id were both decided (two review cases with one caseId), and the later events, which look for the
 * single item first, shadowed the bundle.
 *
 * So before a submission is decided, the other kind's current-state item for its id is read strongly
 * consistent (a bundle's STATE for a single item, a single item's DECISION for a bundle: 1 read unit, no
 * write unit). When it is there, the submission is a conflicting resubmission: recorded against the
 * application that holds the id (a CONFLICT# item in its partition, with its audit line and an
 * `APPLICATION_CONFLICT` receipt naming both kinds), never decided, and its redelivery finds the conflict
 * recorded and changes nothing (the receipt stays the first). The application that holds the id is not
 * touched.
 *
 * In the approval consumer's unit of work the batch's submissions are checked ahead, in one BatchGetItem a
 * kind, alongside the registry's read-ahead (`prepare`). An id submitted more than once in the batch is not
 * read ahead: its records read for themselves, after the batch's waiting first decision of that id is
 * written (`beforeLoad`), so two submissions of one batch see each other.
 *
 * The race left: the check is a read, not a condition of the write. Two pollers taking a single item and a
 * bundle of one id in concurrent batches can both decide when each reads before the other's first version
 * is committed: for a single item the window runs from its batch's read-ahead (or its own read) to its
 * batch's group commit; for a bundle, from its read to its create transaction (after the catalogue and
 * applicant reads). Closing it needs the other kind's key as a ConditionCheck in every first decision's
 * transaction, which costs write units on every application: a cost decision not taken here.
 *
 * An id both kinds already hold (decided twice before this check) is left as it is: each kind's events
 * take their own path, as before.
 */
import { primed, primeInBatch } from '#platform/batch-memo';
import type { BundleStore } from '../bundle-ports';
import { conflictAudit } from '../domain/audit';
import type { BundleApplication } from '../domain/bundle/application';
import { classifyAgainstHolder, contentHash, type ApplicationKind } from '../domain/conflict';
import type { Cause } from '../domain/decision';
import type { Application } from '../domain/types';
import { conflictReceipt } from '../messages';
import type { ApprovalPorts, SubmissionKey } from '../ports';

export type Submission = { readonly kind: 'item'; readonly application: Application } | { readonly kind: 'bundle'; readonly application: BundleApplication };

export interface OneDecisionPerId {
  /** Reads ahead, for a batch's submissions, whether the other kind holds their ids (best effort). */
  prepare(submissions: readonly SubmissionKey[]): Promise<void>;
  /**
   * True when the other kind of application holds the submission's id: its conflict is recorded (once) and
   * it must not be decided. False when it is the submission's to decide (or its own kind's gate to tell).
   */
  refused(submission: Submission, cause: Cause): Promise<boolean>;
}

const otherOf = (kind: ApplicationKind): ApplicationKind => (kind === 'item' ? 'bundle' : 'item');
const aheadKey = (kind: ApplicationKind, applicationId: string) => `held-by-other:${kind}:${applicationId}`;

export function oneDecisionPerId(ports: ApprovalPorts & { readonly bundles: BundleStore }): OneDecisionPerId {
  const { store, bundles, telemetry } = ports;

  const heldAs = (holder: ApplicationKind, ids: readonly string[]): Promise<ReadonlySet<string>> =>
    ids.length === 0 ? Promise.resolve(new Set()) : holder === 'bundle' ? bundles.heldBundleIds(ids) : store.heldIds(ids);

  /** The kind of application other than `kind` that holds the id, if one does. */
  async function holderOf(applicationId: string, kind: ApplicationKind): Promise<ApplicationKind | undefined> {
    const other = otherOf(kind);
    const ahead = primed<boolean>(aheadKey(kind, applicationId));
    const held = ahead !== undefined ? await ahead : (await heldAs(other, [applicationId])).has(applicationId);
    return held ? other : undefined;
  }

  async function prepare(submissions: readonly SubmissionKey[]): Promise<void> {
    const times = new Map<string, number>();
    for (const s of submissions) times.set(s.applicationId, (times.get(s.applicationId) ?? 0) + 1);
    const once = submissions.filter((s) => times.get(s.applicationId) === 1);
    const ids = (kind: ApplicationKind) => once.filter((s) => s.kind === kind).map((s) => s.applicationId);
    const [items, bundleIds] = [ids('item'), ids('bundle')];
    const [heldAsBundle, heldAsItem] = await Promise.all([heldAs('bundle', items), heldAs('item', bundleIds)]);
    for (const id of items) primeInBatch(aheadKey('item', id), heldAsBundle.has(id));
    for (const id of bundleIds) primeInBatch(aheadKey('bundle', id), heldAsItem.has(id));
  }

  async function refused({ kind, application }: Submission, cause: Cause): Promise<boolean> {
    const { applicationId } = application;
    const holder = await holderOf(applicationId, kind);
    if (holder === undefined || classifyAgainstHolder(kind, holder) === 'decide') return false;
    const [single, bundle] = await Promise.all([store.loadCase(applicationId), bundles.loadBundle(applicationId)]);
    const [own, held] = kind === 'item' ? [single.application, bundle.application] : [bundle.application, single.application];
    // Both kinds hold the id (decided twice before this check): each event is handled by its own kind, as before.
    if (own !== undefined) return false;
    if (held === undefined) throw new Error(`application ${applicationId} is held by a ${holder} application that could not be read; retrying`);
    const now = ports.now();
    const applicationHash = contentHash(application);
    const kinds = { submittedAs: kind, heldAs: holder };
    const conflict = {
      application,
      applicationHash,
      storedHash: held.applicationHash,
      cause,
      receivedAt: now,
      audit: conflictAudit(applicationId, applicationHash, held.applicationHash, cause, now, kinds),
      receipt: conflictReceipt(applicationId, applicationHash, held.applicationHash, cause, now, kinds),
    };
    const recorded = holder === 'bundle' ? await bundles.recordBundleConflict(conflict) : await store.recordConflict(conflict);
    if (recorded) telemetry.warn('application conflict', { applicationId, eventId: cause.id, source: cause.source, ...kinds });
    return true;
  }

  return { prepare, refused };
}
