/**
 * 免申即享 (SPEC §5): policy publication and withdrawal, one-click confirmations, disbursements, and the
 * re-match of one enterprise after its profile or credit record changed. Thin: dispatches by event type to
 * the use cases in shared/entitlement/service.ts.
 */
import { enterpriseRematchSchema } from '#contract/internal-schemas';
import { carriedBy, sqsConsumer } from '#platform/consumer';
import { logger } from '#platform/powertools';
import { publishPolicy, recordProgress, rematchEnterprise, withdrawPolicy } from '#entitlement/service';

/** The policy queue: inbound policy events, and re-match requests from the registry. */
const parse = carriedBy('policy', { 'civicflow.enterprise.rematch': enterpriseRematchSchema });

export const handler = sqsConsumer(
  async (event) => {
    let outcome: string;
    switch (event.type) {
      case 'gov.policy.published':
        outcome = await publishPolicy(event.data, event);
        break;
      case 'gov.policy.withdrawn':
        outcome = await withdrawPolicy(event.data.policyId, event);
        break;
      case 'gov.policy.confirmed':
      case 'gov.policy.disbursed':
        outcome = await recordProgress(event.data, event);
        break;
      case 'civicflow.enterprise.rematch':
        outcome = await rematchEnterprise(event.data.creditCode);
        break;
    }
    logger.info('policy event', { type: event.type, eventId: event.id, outcome });
  },
  { parse },
);
