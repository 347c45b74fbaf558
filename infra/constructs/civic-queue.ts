import { Duration, Tags } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueName, QueueSpec } from '#topology';
import { deadLetterQueueName, physicalName } from './names';

export interface CivicQueueProps {
  readonly name: QueueName;
  readonly stage: string;
  readonly spec: QueueSpec;
  readonly encryptionKey: kms.IKey;
}

/** SQS retains a message for at most 14 days; the DLQ keeps poison messages that long for a redrive. */
const DLQ_RETENTION = Duration.days(14);

/**
 * A work queue and its dead-letter queue, both encrypted with the customer key and refusing non-TLS
 * access. A message that fails `maxReceiveCount` times moves to the DLQ, where an alarm sees it.
 */
export class CivicQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: CivicQueueProps) {
    super(scope, id);
    const { spec, encryptionKey } = props;
    this.deadLetterQueue = new sqs.Queue(this, 'Dlq', {
      queueName: deadLetterQueueName(props.stage, props.name),
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: encryptionKey,
      enforceSSL: true,
      retentionPeriod: DLQ_RETENTION,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: physicalName(props.stage, props.name),
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: encryptionKey,
      // One data key serves many messages for 5 minutes: far fewer KMS calls at a bureau's volume.
      dataKeyReuse: Duration.minutes(5),
      enforceSSL: true,
      retentionPeriod: Duration.days(spec.retentionDays),
      visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: spec.maxReceiveCount },
    });
    Tags.of(this).add('civicflow:queue', props.name);
  }
}
