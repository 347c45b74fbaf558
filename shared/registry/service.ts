/**
 * The registry's use cases: reference data from upstream systems (service items, profiles,
 * e-licences, credit records), each written with its event's receipt, and CivicFlow's own credit mark.
 * Ports in (ports.ts), pure decisions from domain/, then what follows an applied change (messages.ts),
 * then the metric and the log line.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { contentHash } from '#util/canonical';
import type { ServiceBundle, ServiceItem } from '#contract/schemas';
import type { InternalEvent } from '#contract/internal';
import { afterCommit, currentUnit, GroupCommit, type CommitResult } from '#platform/group-commit';
import { logger, metrics } from '#platform/powertools';
import { applied, withKind, type EffectPointer, type EventRef, type Receipt } from '#platform/receipts';
import { asOfStamp, staleOutcome } from './domain/as-of';
import { bundleCatalogProblems, catalogRefusal } from './domain/bundle';
import { conflictOutcome, versionArrival, versionOutcome } from './domain/item';
import { revocationInstant, revokedBefore } from './domain/licence';
import type { ChangeOutcome } from './domain/types';
import type { CreditMarkInput, ReferenceChange, ReferenceInput } from './inbound';
import { afterChange, afterMark } from './messages';
import type { ProfileWrite, RegistryPorts, WriteResult } from './ports';

/** What a receipt says an event changed (and the route that shows it). */
function effectOf(change: ReferenceChange): EffectPointer {
  switch (change.kind) {
    case 'item':
      return { resource: 'item', id: change.item.itemCode, version: change.item.version, href: `/items/${encodeURIComponent(change.item.itemCode)}?version=${change.item.version}` };
    case 'bundle':
      return { resource: 'bundle', id: change.bundle.bundleCode, version: change.bundle.version, href: `/bundles/${encodeURIComponent(change.bundle.bundleCode)}?version=${change.bundle.version}` };
    case 'personProfile':
      return { resource: 'personProfile', id: change.profile.idNumber };
    case 'enterpriseProfile':
      return { resource: 'enterpriseProfile', id: change.profile.creditCode, href: `/enterprises/${encodeURIComponent(change.profile.creditCode)}/policies` };
    case 'licenceIssued':
      return { resource: 'licence', id: change.licence.licenceNo };
    case 'licenceRevoked':
      return { resource: 'licence', id: change.licenceNo };
    case 'credit':
      return { resource: 'credit', id: change.credit.subjectId, href: `/credit/${encodeURIComponent(change.credit.subjectId)}` };
  }
}

function receiptOf(ref: EventRef, at: string, effect: EffectPointer, o: ChangeOutcome): Receipt {
  if (o.outcome === 'applied') return applied(ref, at, effect, o.details ? { ...o.details } : undefined);
  return withKind(ref, at, o.kind, o.reason, { effect, ...(o.details ? { details: { ...o.details } } : {}) });
}

/** The receipt that stands after a guarded write: the applied one, the first delivery's, or the refusal's. */
async function settled<S>(ports: RegistryPorts, result: WriteResult<S>, receipt: Receipt, refused: (stored: S) => Receipt): Promise<Receipt> {
  if (result.kind === 'written') return receipt;
  if (result.kind === 'redelivered') return result.receipt;
  return ports.recordReceipt(refused(result.stored));
}

/**
 * A version is stored once (immutable), then made CURRENT unless a newer version is. The same content
 * again falls through to the CURRENT update, so one lost by a crash is made now.
 */
async function publishItem(item: ServiceItem, ref: EventRef, effect: EffectPointer, ports: RegistryPorts, at: string): Promise<Receipt> {
  const hash = contentHash(item);
  const cause = `${ref.source}#${ref.id}`;
  const arrival = versionArrival(await ports.store.createItemVersion(item, hash, cause), hash, cause);
  if (arrival === 'conflict') {
    await ports.store.keepConflict('item', `${item.itemCode}@${item.version}`, ref.id, item);
    return ports.recordReceipt(receiptOf(ref, at, effect, conflictOutcome(item.itemCode, item.version)));
  }
  const current = await ports.store.makeCurrent(item, hash);
  return ports.recordReceipt(receiptOf(ref, at, effect, versionOutcome(arrival, item.itemCode, item.version, current)));
}

/**
 * A bundle version, once its items are in the catalogue and mean one thing by each material code; a bundle
 * that does not fit is refused with the field named and nothing stored. Checked against the items as they
 * are now: a later item version can still describe a material otherwise, so deciding an application on the
 * bundle cannot take this check as holding for ever.
 */
async function publishBundle(bundle: ServiceBundle, ref: EventRef, effect: EffectPointer, ports: RegistryPorts, at: string): Promise<Receipt> {
  const problems = bundleCatalogProblems(bundle, await ports.store.currentItems(bundle.items.map((i) => i.itemCode)));
  const [first, ...rest] = problems;
  if (first !== undefined) return ports.recordReceipt(receiptOf(ref, at, effect, catalogRefusal(bundle, [first, ...rest])));
  const hash = contentHash(bundle);
  const cause = `${ref.source}#${ref.id}`;
  const arrival = versionArrival(await ports.store.createBundleVersion(bundle, hash, cause), hash, cause);
  if (arrival === 'conflict') {
    await ports.store.keepConflict('bundle', `${bundle.bundleCode}@${bundle.version}`, ref.id, bundle);
    return ports.recordReceipt(receiptOf(ref, at, effect, conflictOutcome(bundle.bundleCode, bundle.version, 'bundle')));
  }
  const current = await ports.store.makeBundleCurrent(bundle, hash);
  return ports.recordReceipt(receiptOf(ref, at, effect, versionOutcome(arrival, bundle.bundleCode, bundle.version, current, 'bundle')));
}

/** Writes one change with its receipt; the receipt that stands. */
async function write(input: ReferenceInput, ports: RegistryPorts, at: string): Promise<Receipt> {
  const { change, ref } = input;
  const effect = effectOf(change);
  const stale = (asOf: ReturnType<typeof asOfStamp>) => (stored: { asOf?: string }) => receiptOf(ref, at, effect, staleOutcome(asOf, stored.asOf));
  switch (change.kind) {
    case 'item':
      return publishItem(change.item, ref, effect, ports, at);
    case 'bundle':
      return publishBundle(change.bundle, ref, effect, ports, at);
    case 'personProfile':
    case 'enterpriseProfile': {
      const asOf = asOfStamp(ports.asOfInstant(change.profile.asOf), change.profile.asOf);
      const receipt = applied(ref, at, effect, { asOf: asOf.at });
      const result =
        change.kind === 'personProfile'
          ? await ports.store.putPersonProfile(change.profile, asOf, receipt)
          : await ports.store.putEnterpriseProfile(change.profile, asOf, receipt);
      return settled(ports, result, receipt, stale(asOf));
    }
    case 'credit': {
      const asOf = asOfStamp(ports.asOfInstant(change.credit.asOf), change.credit.asOf);
      const receipt = applied(ref, at, effect, { asOf: asOf.at });
      return settled(ports, await ports.store.putCredit(change.credit, asOf, ref, receipt), receipt, stale(asOf));
    }
    case 'licenceIssued': {
      const receipt = applied(ref, at, effect);
      // An unconditional update: only its receipt's condition can fail (the store throws otherwise).
      return settled(ports, await ports.store.putLicence(change.licence, receipt), receipt, (stored: never) => stored);
    }
    case 'licenceRevoked': {
      const revokedAt = revocationInstant(change.revokedAt);
      const receipt = applied(ref, at, effect, { revokedAt });
      const result = await ports.store.revokeLicence(change.licenceNo, revokedAt, receipt);
      return settled(ports, result, receipt, (stored) => receiptOf(ref, at, effect, revokedBefore(change.licenceNo, stored.revokedAt)));
    }
  }
}

/**
 * Reference data: the change and its receipt, then the re-match an applied change of an enterprise asks
 * for (sent again on a redelivery whose receipt says applied), then the metric and the log line. In the
 * consumer's batch (`profileBatch`) a profile waits for the batch's group write instead.
 */
export async function applyReferenceData(input: ReferenceInput, ports: RegistryPorts): Promise<Receipt> {
  const at = ports.now();
  const unit = currentUnit<BatchedProfile>();
  if (unit !== undefined && (input.change.kind === 'personProfile' || input.change.kind === 'enterpriseProfile')) {
    return deferProfile(input, input.change, unit.unit, ports, at);
  }
  const receipt = await write(input, ports, at);
  const follow = afterChange(input, receipt, at);
  if (follow.length > 0) await ports.send(follow);
  counted(input, receipt);
  return receipt;
}

function counted(input: ReferenceInput, receipt: Receipt): void {
  metrics.addMetric('ReferenceUpdates', MetricUnit.Count, 1);
  logger.info('reference data', { type: input.ref.type, eventId: input.ref.id, outcome: receipt.kind ?? receipt.outcome });
}

/** A profile written by the batch's group write, with what follows it once written. */
interface BatchedProfile {
  readonly write: ProfileWrite;
  readonly follow: readonly InternalEvent[];
}

type ProfileChange = Extract<ReferenceChange, { kind: 'personProfile' | 'enterpriseProfile' }>;

/**
 * The profile joins the batch's group write, as applied; its re-match is sent and it is counted once the
 * write is made. If its condition fails there (a newer profile is stored, or the event was applied before),
 * the record runs again on its own and takes the path above.
 */
async function deferProfile(input: ReferenceInput, change: ProfileChange, unit: GroupCommit<BatchedProfile>, ports: RegistryPorts, at: string): Promise<Receipt> {
  const asOf = asOfStamp(ports.asOfInstant(change.profile.asOf), change.profile.asOf);
  const receipt = applied(input.ref, at, effectOf(change), { asOf: asOf.at });
  const write: ProfileWrite =
    change.kind === 'personProfile' ? { kind: 'person', profile: change.profile, asOf, receipt } : { kind: 'enterprise', profile: change.profile, asOf, receipt };
  const batched = { write, follow: afterChange(input, receipt, at) };
  await unit.beforeLoad(profileKeyOf(batched));
  unit.defer(batched);
  afterCommit(() => counted(input, receipt));
  return receipt;
}

const profileKeyOf = ({ write }: BatchedProfile) => `${write.kind}#${write.kind === 'person' ? write.profile.idNumber : write.profile.creditCode}`;

/**
 * The registry consumer's unit of work: the batch's profiles in one group write (one transaction per 50
 * instead of one each), then their re-matches in one send. A second delivery of one event in the same
 * batch is left to run on its own after the first is written (a transaction may not write one receipt twice).
 */
export function profileBatch(ports: RegistryPorts): GroupCommit<BatchedProfile> {
  return new GroupCommit<BatchedProfile>({
    keyOf: profileKeyOf,
    async write(changes) {
      const seen = new Set<string>();
      const firsts: number[] = [];
      changes.forEach(({ write: { receipt } }, i) => {
        const key = `${receipt.source}#${receipt.id}`;
        if (!seen.has(key)) firsts.push(i);
        seen.add(key);
      });
      const results: CommitResult[] = changes.map(() => 'conflict');
      const written = await ports.store.writeProfiles(firsts.map((i) => changes[i]!.write));
      firsts.forEach((i, k) => (results[i] = written[k] ?? 'failed'));
      return results;
    },
    async afterWrite(changes) {
      const follow = changes.flatMap((c) => c.follow);
      if (follow.length > 0) await ports.send(follow);
    },
  });
}

/**
 * CivicFlow's own credit marks: the false-commitment mark, once per (subject, application), and the
 * benefit-fraud mark, once per (subject, policy); a redelivery leaves the first of each. Then the re-match
 * a mark asks for (messages.ts), sent only once the mark is written, so the re-match reads it.
 */
export async function applyCreditMark(input: CreditMarkInput, ports: RegistryPorts): Promise<void> {
  if (input.markKind === 'benefitFraud') {
    await ports.store.markBenefitFraud(input.subjectId, input.mark);
    logger.info('credit mark', { kind: input.markKind, policyId: input.mark.policyId, eventId: input.ref.id });
  } else {
    await ports.store.markFalseCommitment(input.subjectId, input.mark);
    logger.info('credit mark', { kind: input.markKind, applicationId: input.mark.applicationId, eventId: input.ref.id });
  }
  const follow = afterMark(input, ports.now());
  if (follow.length > 0) await ports.send(follow);
}
