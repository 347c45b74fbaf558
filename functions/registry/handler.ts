import { creditMarkedSchema } from '#contract/internal-schemas';
import { carriedBy, sqsConsumer } from '#platform/consumer';
import { registryPorts } from '#registry/adapters';
import { registryInput } from '#registry/inbound';
import { applyCreditMark, applyReferenceData, profileBatch } from '#registry/service';

/** The registry queue: inbound reference data, and the credit marks approval and 免申即享 set. */
const parse = carriedBy('registry', { 'civicflow.credit.marked': creditMarkedSchema });

/**
 * Reference data: service items, profiles, e-licences and credit records, each written with its
 * event's receipt; and CivicFlow's own credit marks (`civicflow.credit.marked`): the approval's
 * false-commitment mark, set when a verification finds a commitment untruthful (its subject re-matched once
 * it is written), and a fraud recovery's benefit-fraud mark. The batch's profiles are written together (a
 * group write: shared/platform/group-commit.ts), their re-matches sent once they are.
 */
export const handler = sqsConsumer(
  async (event) => {
    const input = registryInput(event);
    if (input.kind === 'creditMark') await applyCreditMark(input, registryPorts);
    else await applyReferenceData(input, registryPorts);
  },
  { parse, unitOfWork: () => profileBatch(registryPorts) },
);
