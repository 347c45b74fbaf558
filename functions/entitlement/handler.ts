/**
 * 免申即享 (SPEC §5): policy publication and withdrawal, one-click confirmations, disbursements, and the
 * re-match of one enterprise after its profile or credit record changed. Thin: dispatches by event type to
 * the use cases in shared/entitlement/service.ts.
 */
import { sqsConsumer } from '#platform/consumer';
import { logger } from '#platform/powertools';
import type { Policy } from '#entitlement';
import { publishPolicy, recordProgress, rematchEnterprise, withdrawPolicy, type ProgressData } from '#entitlement/service';

export const handler = sqsConsumer(async (event) => {
  let outcome: string;
  switch (event.type) {
    case 'gov.policy.published':
      outcome = await publishPolicy(event.data as unknown as Policy, event);
      break;
    case 'gov.policy.withdrawn':
      outcome = await withdrawPolicy((event.data as { policyId: string }).policyId, event);
      break;
    case 'gov.policy.confirmed':
    case 'gov.policy.disbursed':
      outcome = await recordProgress(event.data as unknown as ProgressData, event);
      break;
    case 'civicflow.enterprise.rematch':
      outcome = await rematchEnterprise((event.data as { creditCode: string }).creditCode);
      break;
    default:
      throw new Error(`policy cannot handle event type ${event.type}`);
  }
  logger.info('policy event', { type: event.type, eventId: event.id, outcome });
});
