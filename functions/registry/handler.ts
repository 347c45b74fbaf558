import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { sqsConsumer, type QueuedEvent } from '../../shared/platform/consumer';
import { logger, metrics } from '../../shared/platform/powertools';
import { sendMessages } from '../../shared/platform/queues';
import { nowIso } from '../../shared/platform/clock';
import type { DataOf } from '../../shared/contract/schemas';
import {
  putCredit,
  putEnterpriseProfile,
  putItemVersion,
  putLicence,
  putPersonProfile,
  revokeLicence,
} from '../../shared/registry/store';

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

/** Reference data (SPEC §2): service items, profiles, e-licences and credit records. */
export const handler = sqsConsumer(async (event) => {
  let outcome: string = 'applied';
  switch (event.type) {
    case 'gov.catalog.item.published':
      outcome = await putItemVersion(event.data as DataOf<'gov.catalog.item.published'>, event.id);
      break;
    case 'gov.person.profile.updated':
      outcome = await putPersonProfile(event.data as DataOf<'gov.person.profile.updated'>);
      break;
    case 'gov.enterprise.profile.updated': {
      const profile = event.data as DataOf<'gov.enterprise.profile.updated'>;
      outcome = await putEnterpriseProfile(profile);
      if (outcome === 'applied') await requestRematch(profile.creditCode, event);
      break;
    }
    case 'gov.licence.issued':
      await putLicence(event.data as DataOf<'gov.licence.issued'>);
      break;
    case 'gov.licence.revoked': {
      const { licenceNo, revokedAt } = event.data as DataOf<'gov.licence.revoked'>;
      await revokeLicence(licenceNo, revokedAt);
      break;
    }
    case 'gov.credit.updated': {
      const credit = event.data as DataOf<'gov.credit.updated'>;
      outcome = await putCredit(credit);
      // A change of credit can change eligibility (dishonest enterprises are excluded from policies).
      if (outcome === 'applied') await requestRematch(credit.subjectId, event);
      break;
    }
    default:
      throw new Error(`registry cannot handle event type ${event.type}`);
  }
  metrics.addMetric('ReferenceUpdates', MetricUnit.Count, 1);
  logger.info('reference data', { type: event.type, eventId: event.id, outcome });
});
