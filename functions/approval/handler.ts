/**
 * 秒批 consumer (SPEC §4): submitted applications, supplemented 容缺 materials and the departments'
 * verification reports. Thin: it names the cause and calls the use case (shared/approval/service.ts),
 * which decides, stores each decision once and sends what the stored version asks for. What throws is
 * an infrastructure error (or a supplement overtaking its submission) for SQS to retry, then dead-letter.
 */
import { carriedBy, receiveCountOf, sqsConsumer } from '#platform/consumer';
import { approvalBatch, reportVerification, submitApplication, supplementMaterials } from '#approval/service';

/** The approval queue carries inbound application events only. */
const parse = carriedBy('approval', {});

/** First decisions of a batch are written together (group commit, shared/platform/group-commit.ts). */
export const handler = sqsConsumer(
  async (event, record) => {
    const cause = { source: event.source, id: event.id, type: event.type };
    const receives = receiveCountOf(record);
    switch (event.type) {
      case 'gov.application.submitted':
        return submitApplication(event.data, cause);
      case 'gov.application.materials.supplemented':
        return supplementMaterials(event.data.applicationId, event.data.materials, cause, receives);
      case 'gov.application.verification.reported':
        return reportVerification(event.data.applicationId, { truthful: event.data.truthful, note: event.data.note }, cause, receives);
    }
  },
  { parse, unitOfWork: approvalBatch },
);
