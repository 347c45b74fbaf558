/**
 * 秒批 consumer (SPEC §4): submitted applications, supplemented 容缺 materials and the departments'
 * verification reports. Thin: it names the cause and calls the use case (shared/approval/service.ts),
 * which decides, stores each decision once and sends what the stored version asks for. What throws is
 * an infrastructure error (or a supplement overtaking its submission) for SQS to retry, then dead-letter.
 */
import { receiveCountOf, sqsConsumer } from '#platform/consumer';
import type { DataOf } from '#contract/schemas';
import type { Application } from '#approval';
import { approvalBatch, reportVerification, submitApplication, supplementMaterials } from '#approval/service';

/** First decisions of a batch are written together (group commit, shared/platform/group-commit.ts). */
export const handler = sqsConsumer(async (event, record) => {
  const cause = { source: event.source, id: event.id, type: event.type };
  const receives = receiveCountOf(record);
  switch (event.type) {
    case 'gov.application.submitted':
      return submitApplication(event.data as unknown as DataOf<'gov.application.submitted'> & Application, cause);
    case 'gov.application.materials.supplemented': {
      const data = event.data as DataOf<'gov.application.materials.supplemented'>;
      return supplementMaterials(data.applicationId, data.materials, cause, receives);
    }
    case 'gov.application.verification.reported': {
      const data = event.data as DataOf<'gov.application.verification.reported'>;
      return reportVerification(data.applicationId, { truthful: data.truthful, note: data.note }, cause, receives);
    }
    default:
      // Routing sends only these types here; anything else is a deployment mistake worth a DLQ alarm.
      throw new Error(`approval cannot handle event type ${event.type}`);
  }
}, { unitOfWork: approvalBatch });
