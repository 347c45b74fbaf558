/**
 * The deployed ports of the 秒批 use cases: the approvals table (store.ts), the registry's reference data
 * read through its public module, the SQS queues, the functions' clock, the stage calendar, and Powertools
 * metrics and logs. The functions call `approvalService()` / `deadlinesService()`; tests build their own
 * services from in-memory ports instead.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { stageCalendar } from '#platform/calendar';
import { nowIso } from '#platform/clock';
import { primed, primeInBatch } from '#platform/batch-memo';
import { publish } from '#platform/outbound';
import { logger, metrics } from '#platform/powertools';
import { sendInternal } from '#platform/queues';
import { deliverySecondsOf } from '#platform/resources';
import {
  getApplicationRecords,
  getApplicationRecordsMany,
  getBundleVersion,
  getCredit,
  getCurrentBundle,
  getCurrentItem,
  getEnterpriseProfile,
  getItemVersion,
  getPersonProfile,
  licencesOfHolder,
  licencesOfHolders,
  type StoredCredit,
  type StoredLicence,
} from '#registry';
import type { Licence, Profile } from './domain/types';
import type { ApplicantFacts, ApplicationKey, Messenger, RegistryReader, Telemetry } from './ports';
import { createApprovalService, createDeadlinesService, receiptGraceMs, type ApprovalService, type DeadlinesService } from './service';
import type { BundleCatalogue } from './bundle-ports';
import type { Bundle } from './domain/bundle/types';
import { approvalStore } from './store';
import { bundleStore } from './store/bundle';
import { bundleDeadlinesStore, deadlinesStore } from './store/deadlines';

/** A licence without `validUntil` is valid without limit (长期); the domain compares last local days. */
export const UNLIMITED_VALIDITY = '9999-12-31';

export function toDomainLicence(l: StoredLicence): Licence {
  return { ...l, validUntil: l.validUntil ?? UNLIMITED_VALIDITY, attributes: l.attributes ?? {} };
}

type ApplicationRecords = Awaited<ReturnType<typeof getApplicationRecords>>;
const readAheadKey = ({ itemCode, applicant }: ApplicationKey) => `application-records:${itemCode}|${applicant.kind}|${applicant.id}`;
const licencesKey = (holderId: string) => `licences:${holderId}`;
/** The holder's licences as read ahead for the batch, else read now. */
const licencesOf = (holderId: string) => primed<StoredLicence[]>(licencesKey(holderId)) ?? licencesOfHolder(holderId);

/** The stored records as the domain takes them (absent ones left out). */
function factsOf(profile: Profile | undefined, licences: readonly StoredLicence[], credit: StoredCredit | undefined): ApplicantFacts {
  return { ...(profile ? { profile } : {}), licences: licences.map(toDomainLicence), ...(credit ? { credit } : {}) };
}

export const registryReader: RegistryReader = {
  /**
   * One BatchGetItem (item, profile, credit) alongside the licences' Query, instead of four requests: the
   * approval consumer is bound by DynamoDB requests. In a batch both come from its read-ahead (`readAhead`).
   */
  async applicationFacts(itemCode, applicant) {
    const key = readAheadKey({ itemCode, applicant });
    const [records, licences] = await Promise.all([primed<ApplicationRecords>(key) ?? getApplicationRecords(itemCode, applicant), licencesOf(applicant.id)]);
    return { ...(records.item ? { item: records.item } : {}), ...factsOf(records.profile, licences, records.credit) };
  },
  /**
   * The item, profile and credit record of every submission of a batch in one BatchGetItem (of the distinct
   * keys), and their applicants' licences in one PartiQL SELECT (instead of a Query each), read by their
   * decisions as at the batch's start: nothing in the approval consumer writes them (the registry's own
   * consumer does).
   */
  async readAhead(requests) {
    if (requests.length < 2) return;
    const [records, licences] = await Promise.all([getApplicationRecordsMany(requests), licencesOfHolders(requests.map((r) => r.applicant.id))]);
    requests.forEach((r, i) => primeInBatch(readAheadKey(r), records[i]));
    for (const [holderId, held] of licences) primeInBatch(licencesKey(holderId), held);
  },
  async applicantFacts(applicant) {
    const [profile, licences, credit] = await Promise.all([
      applicant.kind === 'person' ? getPersonProfile(applicant.id) : getEnterpriseProfile(applicant.id),
      licencesOf(applicant.id),
      getCredit(applicant.id),
    ]);
    return factsOf(profile, licences, credit);
  },
  itemVersion: getItemVersion,
};

/** The catalogue's bundles as the domain takes them (the contract's shape is the domain's). */
export const bundleCatalogue: BundleCatalogue = {
  currentBundle: async (code) => (await getCurrentBundle(code)) as Bundle | undefined,
  bundleVersion: async (code, version) => (await getBundleVersion(code, version)) as Bundle | undefined,
  currentItem: getCurrentItem,
  itemVersion: getItemVersion,
};

export const messenger: Messenger = { sendInternal, publish };

/** A point with dimensions is published on its own (EMF), so its dimensions do not mix with the function's. */
export const telemetry: Telemetry = {
  metrics(points) {
    for (const p of points) {
      if (p.dimensions === undefined) {
        metrics.addMetric(p.name, MetricUnit[p.unit], p.value);
        continue;
      }
      const single = metrics.singleMetric();
      single.addDimensions({ ...p.dimensions });
      single.addMetric(p.name, MetricUnit[p.unit], p.value);
    }
  },
  info: (message, fields) => logger.info(message, { ...fields }),
  warn: (message, fields) => logger.warn(message, { ...fields }),
  error: (message, fields) => logger.error(message, { ...fields }),
};

let approval: ApprovalService | undefined;
let deadlines: DeadlinesService | undefined;

/**
 * The approval queue's longest delivery when the deployment did not say (its visibility timeout of 180 s ×
 * 5 receives): part of how long the deadlines schedule waits after a supplement deadline.
 */
const DEFAULT_APPROVAL_DELIVERY_SECONDS = 15 * 60;

export function approvalService(): ApprovalService {
  approval ??= createApprovalService(
    { store: approvalStore, registry: registryReader, messenger, now: nowIso, calendar: stageCalendar, telemetry },
    { bundles: bundleStore, catalogue: bundleCatalogue },
  );
  return approval;
}

export function deadlinesService(): DeadlinesService {
  deadlines ??= createDeadlinesService(
    { store: deadlinesStore, messenger, now: nowIso, telemetry, receiptGraceMs: receiptGraceMs(deliverySecondsOf('approval', DEFAULT_APPROVAL_DELIVERY_SECONDS) * 1000) },
    { bundles: bundleDeadlinesStore, catalogue: bundleCatalogue, registry: registryReader, calendar: stageCalendar },
  );
  return deadlines;
}
