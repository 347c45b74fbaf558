import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { creditMarkedSchema } from '#contract/internal-schemas';
import { enterpriseRematchEvent, type EventCause } from '#contract/internal';
import { carriedBy, sqsConsumer } from '#platform/consumer';
import { logger, metrics } from '#platform/powertools';
import { sendInternal } from '#platform/queues';
import { nowIso } from '#platform/clock';
import type { Receipt } from '#platform/receipts';
import {
  markFalseCommitment,
  putCredit,
  putEnterpriseProfile,
  putItemVersion,
  putLicence,
  putPersonProfile,
  revokeLicence,
} from '#registry/store';

/** The registry queue: inbound reference data, and the credit marks the approval capability sets. */
const parse = carriedBy('registry', { 'civicflow.credit.marked': creditMarkedSchema });

/** Asks the policy function to re-match one enterprise against every active policy (SPEC §5). */
async function requestRematch(creditCode: string, cause: EventCause): Promise<void> {
  await sendInternal([enterpriseRematchEvent(creditCode, cause, nowIso())]);
}

/**
 * Reference data (SPEC §2): service items, profiles, e-licences and credit records. Each change is
 * written with the event's receipt (shared/platform/receipts.ts); what follows an applied change (a
 * re-match) is sent again on a redelivery, whose receipt says the event was applied. A credit mark
 * (`civicflow.credit.marked`, SPEC §4 step 6) is created once per subject: a redelivery or a later mark
 * leaves the first one standing.
 */
export const handler = sqsConsumer(
  async (event) => {
    if (event.type === 'civicflow.credit.marked') {
      const { subjectId, applicationId, at, kind } = event.data;
      await markFalseCommitment(subjectId, applicationId, at);
      logger.info('credit mark', { kind, applicationId, eventId: event.id });
      return;
    }
    const ref = { source: event.source, id: event.id, type: event.type };
    const at = nowIso();
    let receipt: Receipt;
    switch (event.type) {
      case 'gov.catalog.item.published':
        receipt = await putItemVersion(event.data, ref, at);
        break;
      case 'gov.person.profile.updated':
        receipt = await putPersonProfile(event.data, ref, at);
        break;
      case 'gov.enterprise.profile.updated':
        receipt = await putEnterpriseProfile(event.data, ref, at);
        if (receipt.outcome === 'applied') await requestRematch(event.data.creditCode, ref);
        break;
      case 'gov.licence.issued':
        receipt = await putLicence(event.data, ref, at);
        break;
      case 'gov.licence.revoked':
        receipt = await revokeLicence(event.data.licenceNo, event.data.revokedAt, ref, at);
        break;
      case 'gov.credit.updated':
        receipt = await putCredit(event.data, ref, at);
        // A change of credit can change eligibility (dishonest enterprises are excluded from policies).
        if (receipt.outcome === 'applied') await requestRematch(event.data.subjectId, ref);
        break;
    }
    metrics.addMetric('ReferenceUpdates', MetricUnit.Count, 1);
    logger.info('reference data', { type: event.type, eventId: event.id, outcome: receipt.kind ?? receipt.outcome });
  },
  { parse },
);
