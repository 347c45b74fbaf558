import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { sqsConsumer, type QueuedEvent } from '#platform/consumer';
import { logger, metrics } from '#platform/powertools';
import { sendMessages } from '#platform/queues';
import { nowIso } from '#platform/clock';
import type { DataOf } from '#contract/schemas';
import type { Receipt } from '#platform/receipts';
import {
  putCredit,
  putEnterpriseProfile,
  putItemVersion,
  putLicence,
  putPersonProfile,
  revokeLicence,
} from '#registry/store';

/** Asks the policy function to re-match one enterprise against every active policy (SPEC §5). */
async function requestRematch(creditCode: string, cause: QueuedEvent): Promise<void> {
  await sendMessages('policy', [
    {
      body: {
        specversion: '1.0',
        id: `rematch:${creditCode}:${cause.source}:${cause.id}`,
        source: '/civicflow/registry',
        type: 'civicflow.enterprise.rematch',
        time: nowIso(),
        subject: creditCode,
        data: { creditCode, cause: { source: cause.source, id: cause.id, type: cause.type } },
      },
      attributes: { type: 'civicflow.enterprise.rematch' },
    },
  ]);
}

/**
 * Reference data (SPEC §2): service items, profiles, e-licences and credit records. Each change is
 * written with the event's receipt (shared/platform/receipts.ts); what follows an applied change (a
 * re-match) is sent again on a redelivery, whose receipt says the event was applied.
 */
export const handler = sqsConsumer(async (event) => {
  const ref = { source: event.source, id: event.id, type: event.type };
  const at = nowIso();
  let receipt: Receipt;
  switch (event.type) {
    case 'gov.catalog.item.published':
      receipt = await putItemVersion(event.data as DataOf<'gov.catalog.item.published'>, ref, at);
      break;
    case 'gov.person.profile.updated':
      receipt = await putPersonProfile(event.data as DataOf<'gov.person.profile.updated'>, ref, at);
      break;
    case 'gov.enterprise.profile.updated': {
      const profile = event.data as DataOf<'gov.enterprise.profile.updated'>;
      receipt = await putEnterpriseProfile(profile, ref, at);
      if (receipt.outcome === 'applied') await requestRematch(profile.creditCode, event);
      break;
    }
    case 'gov.licence.issued':
      receipt = await putLicence(event.data as DataOf<'gov.licence.issued'>, ref, at);
      break;
    case 'gov.licence.revoked': {
      const { licenceNo, revokedAt } = event.data as DataOf<'gov.licence.revoked'>;
      receipt = await revokeLicence(licenceNo, revokedAt, ref, at);
      break;
    }
    case 'gov.credit.updated': {
      const credit = event.data as DataOf<'gov.credit.updated'>;
      receipt = await putCredit(credit, ref, at);
      // A change of credit can change eligibility (dishonest enterprises are excluded from policies).
      if (receipt.outcome === 'applied') await requestRematch(credit.subjectId, event);
      break;
    }
    default:
      throw new Error(`registry cannot handle event type ${event.type}`);
  }
  metrics.addMetric('ReferenceUpdates', MetricUnit.Count, 1);
  logger.info('reference data', { type: event.type, eventId: event.id, outcome: receipt.kind ?? receipt.outcome });
});
