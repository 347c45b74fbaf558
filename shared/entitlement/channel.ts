/**
 * The channel sender (secondary adapter of the ChannelSender port): the log in development, a webhook
 * otherwise. The webhook gets the notification id as `idempotency-key`, the same on every attempt.
 */
import { logger } from '#platform/powertools';
import type { StageConfig } from '#platform/stage-config';
import type { ChannelMessage } from './messages';
import type { ChannelSender } from './ports';

/** How long the webhook may take to answer; the notify consumer's time reserve is made from it. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

export function channelSender(sender: () => StageConfig['notificationSender']): ChannelSender {
  return {
    async send(message: ChannelMessage): Promise<void> {
      const to = sender();
      if (to.kind === 'log') {
        logger.info('notification (log sender)', { notification: message });
        return;
      }
      const res = await fetch(to.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': message.notificationId },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      if (!res.ok) throw new Error(`webhook answered ${res.status} ${res.statusText}`);
    },
  };
}
