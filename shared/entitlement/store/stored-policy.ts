/**
 * A policy stored before the publication refused the other subject kind's dishonest flag may still carry
 * it (`excludeDishonest` on an enterprise policy, `includeDishonest` on a person policy). It is evaluated as
 * it always was — the flag ignored, the kind's own default applied (domain: inapplicableDishonestFlag) — so
 * no pair is re-decided without its owner publishing a new version; and it is said, once per policy version
 * per container, in a warning an operator can search for ("dishonest flag of the other subject kind").
 *
 * The store's readers of a policy (policies.ts `getPolicy`, `listActivePolicies`) call it as they load one,
 * so every use case that evaluates a stored policy has it said, and the check runs once per load: never per
 * pair matched (a re-match reads the active policies once per batch, a match slice its policy once).
 */
import { logger } from '#platform/powertools';
import { inapplicableDishonestFlag, type Policy } from '../domain';

const warned = new Set<string>();

/** Logs the policy's inapplicable dishonest flag, the first time this container loads its version. */
export function noteStoredPolicy(policy: Policy): void {
  const flag = inapplicableDishonestFlag(policy);
  if (flag === undefined) return;
  const key = `${policy.policyId}@${policy.version}`;
  if (warned.has(key)) return;
  warned.add(key);
  logger.warn('policy carries a dishonest flag of the other subject kind: ignored', {
    policyId: policy.policyId,
    version: policy.version,
    subjectKind: policy.subjectKind ?? 'enterprise',
    field: flag.field,
    value: flag.value,
    excludesDishonest: flag.excludes,
    reason: flag.message,
  });
}
