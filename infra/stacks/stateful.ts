import { Duration, RemovalPolicy, SecretValue, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { StageConfig } from '#topology/stages';
import { CURSOR_KEY_ENTRY } from '#platform/signing-keys';
import { CivicQueue } from '#infra/constructs/civic-queue';
import { CivicTable } from '#infra/constructs/civic-table';
import { physicalName } from '#infra/constructs/names';
import { queues as queueSpecs, tables as tableSpecs, type QueueName, type TableName } from '#topology';

export interface StatefulStackProps extends StackProps {
  readonly config: StageConfig;
}

/** What the stateless stack receives: every resource that holds data, typed by topology name. */
export interface StatefulResources {
  readonly key: kms.IKey;
  readonly tables: Readonly<Record<TableName, dynamodb.ITable>>;
  readonly queues: Readonly<Record<QueueName, sqs.IQueue>>;
  readonly deadLetterQueues: Readonly<Record<QueueName, sqs.IQueue>>;
  readonly alarmTopic: sns.ITopic;
  readonly signingKeys: secretsmanager.ISecret;
}

/** Name of the secret holding the per-source request signing material. */
export const signingKeysSecretName = (stage: string) => `civicflow/${stage}/signing-keys`;

export function mapTopology<K extends string, S, R>(specs: Record<K, S>, make: (name: K, spec: S) => R): Record<K, R> {
  return Object.fromEntries(
    (Object.entries(specs) as [K, S][]).map(([name, spec]) => [name, make(name, spec)]),
  ) as Record<K, R>;
}

/** A stable construct id for a principal such as `/systems/catalog` → `SystemsCatalog`. */
const principalId = (principal: string) =>
  principal
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

function acknowledgeNoRotation(secret: secretsmanager.Secret): void {
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'The signing keys are shared with upstream government systems out of band; rotating one is a coordinated ' +
      'change with that source (new value in its seed and in the JSON secret, key handed over), not an automatic ' +
      'Lambda rotation that would break its requests the moment it ran.',
  });
}

export const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/**
 * Everything that holds data: deploying code never risks it, and each resource is
 * created from the one topology. Deleting this stack leaves tables and the key behind.
 */
export class StatefulStack extends Stack implements StatefulResources {
  readonly key: kms.Key;
  readonly tables: Readonly<Record<TableName, dynamodb.Table>>;
  readonly queues: Readonly<Record<QueueName, sqs.Queue>>;
  readonly deadLetterQueues: Readonly<Record<QueueName, sqs.Queue>>;
  readonly alarmTopic: sns.Topic;
  readonly signingKeys: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.key = new kms.Key(this, 'DataKey', {
      alias: `alias/civicflow/${config.stage}/data`,
      description: `CivicFlow ${config.stage}: tables, queues, alarm topic, signing keys and logs`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
    // CloudWatch Logs encrypts the functions' and the API's log groups with this key.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:*` },
        },
      }),
    );
    // CloudWatch alarms publish to the encrypted alarm topic.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );

    this.tables = mapTopology(tableSpecs, (name, spec) =>
      new CivicTable(this, `${pascal(name)}Table`, {
        name,
        tableName: physicalName(config.stage, name),
        spec,
        encryptionKey: this.key,
      }).table,
    );

    const civicQueues = mapTopology(queueSpecs, (name, spec) =>
      new CivicQueue(this, `${pascal(name)}Queue`, { name, stage: config.stage, spec, encryptionKey: this.key }),
    );
    this.queues = mapTopology(civicQueues, (_, q) => q.queue);
    this.deadLetterQueues = mapTopology(civicQueues, (_, q) => q.deadLetterQueue);

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      topicName: physicalName(config.stage, 'alarms'),
      displayName: `CivicFlow ${config.stage} alarms`,
      masterKey: this.key,
      enforceSSL: true,
    });
    // The SSL policy replaces the topic's default policy, so CloudWatch's right to publish is stated here.
    this.alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: { 'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:*` },
        },
      }),
    );
    if (config.alarmEmail) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));
    }

    // The functions read one JSON secret, principal → HMAC key (shared/platform/signing-keys.ts), for every
    // source and reader. CloudFormation generates one value per secret, so each principal's key is generated
    // in its own seed secret and the JSON secret is assembled from dynamic references, resolved at deploy
    // time: no key ever appears in the template, and adding a principal leaves every other key as it was.
    const principals = [...new Set([...Object.keys(config.sources), ...config.readers])].sort();
    const keyEntries: Record<string, SecretValue> = {};
    for (const principal of principals) {
      const seed = new secretsmanager.Secret(this, `SigningKeySeed${principalId(principal)}`, {
        secretName: `${signingKeysSecretName(config.stage)}/seeds${principal.startsWith('/') ? '' : '/'}${principal}`,
        description: `CivicFlow ${config.stage}: HMAC signing key of ${principal} (assembled into the signing-keys secret)`,
        encryptionKey: this.key,
        removalPolicy: RemovalPolicy.RETAIN,
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
      });
      acknowledgeNoRotation(seed);
      keyEntries[principal] = seed.secretValue;
    }
    // No principal's: the key the query API seals cursors with for readers who see person data masked. Its
    // seed is named after its entry, which no principal may take ('@…' is refused in the stage config), so a
    // reader called `cursor-key` cannot claim the same secret name.
    const cursorSeed = new secretsmanager.Secret(this, 'CursorKeySeed', {
      secretName: `${signingKeysSecretName(config.stage)}/seeds/${CURSOR_KEY_ENTRY}`,
      description: `CivicFlow ${config.stage}: the key the query API seals paging cursors with (no principal's; assembled into the signing-keys secret)`,
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    acknowledgeNoRotation(cursorSeed);
    keyEntries[CURSOR_KEY_ENTRY] = cursorSeed.secretValue;
    this.signingKeys = new secretsmanager.Secret(this, 'SigningKeys', {
      secretName: signingKeysSecretName(config.stage),
      description: `CivicFlow ${config.stage}: per-source HMAC request signing keys (JSON principal to key)`,
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
      secretObjectValue: keyEntries,
    });
    acknowledgeNoRotation(this.signingKeys);
  }
}
