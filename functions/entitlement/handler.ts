/**
 * 免申即享: policy publication and withdrawal, one-click confirmations, disbursements,
 * objections to a publicity list and their resolutions, recoveries (追回), and the
 * re-match of one enterprise after its profile or credit record changed. Parses, then dispatches by event
 * type to the use cases of shared/entitlement/service.ts.
 */
import { enterpriseRematchSchema } from '#contract/internal-schemas';
import { BatchMemo } from '#platform/batch-memo';
import { carriedBy, sqsConsumer } from '#platform/consumer';
import { logger } from '#platform/powertools';
import { nowIso } from '#platform/clock';
import { confirmedOf, disbursedOf, objectionFiledOf, objectionResolvedOf, policyOf, recoveredOf, rematchOf } from '#entitlement/inbound';
import { policyEventService as service } from '#entitlement/adapters';

/** The policy queue: inbound policy events, and re-match requests from the registry. */
const parse = carriedBy('policy', { 'civicflow.enterprise.rematch': enterpriseRematchSchema });

export const handler = sqsConsumer(
  async (event) => {
    let outcome: string;
    switch (event.type) {
      case 'gov.policy.published':
        outcome = await service.publishPolicy(policyOf(event.data), event);
        break;
      case 'gov.policy.withdrawn':
        outcome = await service.withdrawPolicy(event.data.policyId, event);
        break;
      case 'gov.policy.confirmed':
        outcome = await service.recordProgress(confirmedOf(event.data), event);
        break;
      case 'gov.policy.disbursed':
        outcome = await service.recordProgress(disbursedOf(event.data), event);
        break;
      case 'gov.policy.objection.filed':
        outcome = await service.fileObjection(objectionFiledOf(event.data, event.receivedat ?? nowIso()), event);
        break;
      case 'gov.policy.objection.resolved':
        outcome = await service.resolveObjection(objectionResolvedOf(event.data), event);
        break;
      case 'gov.policy.recovered':
        outcome = await service.recordRecovery(recoveredOf(event.data), event);
        break;
      case 'civicflow.enterprise.rematch':
      {
        const { subjectId, kind, cause } = rematchOf(event.data);
        outcome = await service.rematchEnterprise(subjectId, kind, cause);
      }
        break;
    }
    logger.info('policy event', { type: event.type, eventId: event.id, outcome });
  },
  // The active policies are read once per batch by its re-matches (shared/platform/batch-memo.ts).
  { parse, unitOfWork: () => new BatchMemo() },
);
