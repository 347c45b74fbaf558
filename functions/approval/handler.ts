/**
 * 秒批 consumer: submitted applications, supplemented 容缺 materials, the departments'
 * verification reports and their people's decisions on manual reviews. Parse, then dispatch to the use case (shared/approval/service.ts). What throws is
 * an infrastructure error (or a supplement overtaking its submission) for SQS to retry, then dead-letter.
 */
import { carriedBy, receiveCountOf, sqsConsumer } from '#platform/consumer';
import { applicationOf, causeOf, reviewOf, submittedIds, submittedItems, supplementOf, verificationOf } from '#approval/inbound';
import { approvalService } from '#approval/adapters';

/** The approval queue carries inbound application events only. */
const parse = carriedBy('approval', {});

/**
 * First decisions of a batch are written together (group commit, shared/platform/group-commit.ts), and the
 * records they are decided on read ahead for the whole batch, with whether the other kind of application
 * (single item or bundle) holds each submission's id.
 */
export const handler = sqsConsumer(
  async (event, record) => {
    const approval = approvalService();
    switch (event.type) {
      case 'gov.application.submitted': {
        const submitted = applicationOf(event);
        if (submitted.kind === 'bundle') return approval.submitBundle(submitted.application, causeOf(event));
        return approval.submitApplication(submitted.application, causeOf(event));
      }
      case 'gov.application.materials.supplemented': {
        const { applicationId, materials, receivedAt, ...more } = supplementOf(event);
        return approval.supplementMaterials(applicationId, materials, causeOf(event), receiveCountOf(record), more, receivedAt);
      }
      case 'gov.application.verification.reported': {
        const { applicationId, report } = verificationOf(event);
        return approval.reportVerification(applicationId, report, causeOf(event), receiveCountOf(record));
      }
      case 'gov.application.reviewed': {
        const { applicationId, review } = reviewOf(event);
        return approval.reviewApplication(applicationId, review, causeOf(event), receiveCountOf(record));
      }
    }
  },
  { parse, unitOfWork: () => approvalService().batch(submittedItems, submittedIds) },
);
