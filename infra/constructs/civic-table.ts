import { RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { TableName, TableSpec } from '#topology';

export interface CivicTableProps {
  readonly name: TableName;
  /** Physical table name (see `physicalName`). */
  readonly tableName: string;
  readonly spec: TableSpec;
  readonly encryptionKey: kms.IKey;
}

/**
 * A DynamoDB table with CivicFlow's fixed defaults: on-demand, PITR, the customer key,
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
      ...(spec.appendOnly ? { resourcePolicy: appendOnlyPolicy(Stack.of(this), props.tableName) } : {}),
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

/** Rewriting actions an append-only table refuses to every principal (see AUDIT_REWRITE_ACTIONS). */
export const TABLE_REWRITE_ACTIONS = [
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
] as const;

/**
 * The table's own resource policy denies rewrites to everyone, so not even a role created outside this
 * app (an operator's, a future function's) can change or delete an audit entry through the data plane.
 * The ARN is spelled out: a table's property cannot refer to the table itself.
 */
function appendOnlyPolicy(stack: Stack, tableName: string): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'AppendOnly',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: [...TABLE_REWRITE_ACTIONS],
        resources: [`arn:${stack.partition}:dynamodb:${stack.region}:${stack.account}:table/${tableName}`],
      }),
    ],
  });
}
