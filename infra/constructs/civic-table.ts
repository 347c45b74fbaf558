import { RemovalPolicy, Tags } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { TableName, TableSpec } from '../topology';

export interface CivicTableProps {
  readonly name: TableName;
  /** Physical table name (see `physicalName`). */
  readonly tableName: string;
  readonly spec: TableSpec;
  readonly encryptionKey: kms.IKey;
}

/**
 * A DynamoDB table with CivicFlow's fixed defaults (SPEC §1, §12): on-demand, PITR, the customer key,
 * retained and protected from deletion. Only what the topology decides (indexes, TTL, classification)
 * varies between tables.
 */
export class CivicTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: CivicTableProps) {
    super(scope, id);
    const { spec } = props;
    this.table = new dynamodb.Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      // Accepted events and the audit trail are the record of what the bureau did: never lost to a stack update.
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
      ...(spec.ttlAttribute ? { timeToLiveAttribute: spec.ttlAttribute } : {}),
    });
    for (const [indexName, keys] of Object.entries(spec.indexes ?? {})) {
      this.table.addGlobalSecondaryIndex({
        indexName,
        partitionKey: { name: keys.pk, type: dynamodb.AttributeType.STRING },
        sortKey: { name: keys.sk, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
    Tags.of(this.table).add('classification', spec.classification);
    Tags.of(this.table).add('civicflow:table', props.name);
  }
}
