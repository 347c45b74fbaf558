import type { Application, ServiceItem } from './types';

/**
 * The electronic certificate number of an approval. Deterministic, so that a retried or re-decided
 * approval carries the same number, and no id source is needed.
 */
export function certificateNo(application: Pick<Application, 'applicationId'>, item: Pick<ServiceItem, 'certificateType'>): string {
  return `${item.certificateType}-${application.applicationId}`;
}
