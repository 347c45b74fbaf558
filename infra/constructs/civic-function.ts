import { AssetHashType, DockerImage, Duration, Stack, Tags, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeAccess, functionConfig } from '#platform/stage-config';
import type { StageConfig } from '#topology/stages';
import {
  env,
  queues as queueSpecs,
  servesHttp,
  tables as tableSpecs,
  type Access,
  type FunctionName,
  type FunctionSpec,
  type QueueName,
  type TableName,
  type TableSpec,
} from '#topology';

/** Repository root: entries in the topology and the lockfile are relative to it, whatever the cwd. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The newest Node.js LTS that Lambda offers, named explicitly so an upgrade is a reviewed change. */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** What no function may do to an append-only table (the audit trail): rewrite or delete entries. */
export const AUDIT_REWRITE_ACTIONS = [
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
] as const;

export { BUNDLE_ALIASES, BUNDLE_CHARSET, ESM_REQUIRE_BANNER } from './function-bundle';

/** The aim for a function's bundle (`index.mjs`, minified): under ~420 KB; the infra tests hold every function to it. */
export const BUNDLE_AIM_BYTES = 420 * 1024;

export interface CivicFunctionProps {
  readonly name: FunctionName;
  readonly spec: FunctionSpec;
  readonly config: StageConfig;
  readonly tables: Readonly<Record<TableName, dynamodb.ITable>>;
  readonly queues: Readonly<Record<QueueName, sqs.IQueue>>;
  /** Present when the spec says `readsSigningKeys`. */
  readonly signingKeys?: secretsmanager.ISecret;
  /** Encrypts the function's log group (the key policy must admit CloudWatch Logs). */
  readonly logKey?: kms.IKey;
}

/** Renders a (possibly tokenised) string the way cdk-nag names it in a finding: `<AWS::Region>` for a Ref. */
export function renderForNag(stack: Stack, value: string): string {
  const render = (v: unknown): string => {
    if (typeof v === 'string') return v;
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.Ref === 'string') return `<${o.Ref}>`;
      if (Array.isArray(o['Fn::GetAtt'])) return `<${(o['Fn::GetAtt'] as string[]).join('.')}>`;
      if (Array.isArray(o['Fn::Join'])) {
        const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
        return parts.map(render).join(sep);
      }
      if ('Fn::ImportValue' in o) return render(o['Fn::ImportValue']);
    }
    throw new Error(`Cannot render ${JSON.stringify(v)} as a cdk-nag finding`);
  };
  return render(stack.resolve(value));
}

const retentionValues = new Set<number>(
  Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number'),
);

export function retention(days: number): logs.RetentionDays {
  if (!retentionValues.has(days)) {
    throw new Error(`config.logRetentionDays ${days} is not a CloudWatch Logs retention period`);
  }
  return days as logs.RetentionDays;
}

/**
 * A function's code: its entry bundled by `infra/bundle-function.ts` (esbuild's API with the options of
 * `functionBuildOptions`, its plugin included), in a process of its own because CDK's bundling hook is
 * synchronous. The asset's hash is the bundle's, as NodejsFunction's is; no Docker fallback (esbuild is a
 * dependency of the project).
 */
export function functionCode(entry: string): lambda.Code {
  const command = ['node', '--import', 'tsx', 'infra/bundle-function.ts', entry];
  return lambda.Code.fromAsset(REPO_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('civicflow-bundles-locally'),
      // Never run in Docker (local bundling always answers); it names the entry in CDK's cache key of staged
      // assets, which leaves out `local` (a function): without it every function would get the first bundle.
      command,
      local: {
        tryBundle(outputDir) {
          const run = spawnSync(process.execPath, [...command.slice(1), outputDir], { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
          if (run.status !== 0) throw new Error(`Bundling ${entry} failed (${run.error?.message ?? `exit ${run.status}`})`);
          return true;
        },
      },
    },
  });
}

/**
 * One Lambda function of the topology with everything that must be the same for all of them fixed here
 * (runtime, arm64, tracing, ESM bundle with the SDK inside, source maps, an explicit log group) and the
 * least privilege the topology grants it: its tables at their access level, its queues to send to,
 * and the signing keys only if it verifies requests.
 */
export class CivicFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: CivicFunctionProps) {
    super(scope, id);
    const { name, spec, config } = props;
    const functionName = `civicflow-${config.stage}-${name}`;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: retention(config.logRetentionDays),
      ...(props.logKey ? { encryptionKey: props.logKey } : {}),
    });

    // An own role instead of AWSLambdaBasicExecutionRole: that managed policy may write to every log group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      // CloudFormation accepts only Latin-1 in role descriptions; the function's own description says more.
      description: `CivicFlow ${config.stage} function ${name}`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    const environment: Record<string, string> = {
      CIVICFLOW_CONFIG: JSON.stringify(functionConfig(config)),
      ...(servesHttp(name) ? { CIVICFLOW_ACCESS: encodeAccess(config) } : {}),
      CIVICFLOW_STAGE: config.stage,
      POWERTOOLS_SERVICE_NAME: name,
      POWERTOOLS_METRICS_NAMESPACE: 'CivicFlow',
      LOG_LEVEL: config.stage === 'prod' ? 'INFO' : 'DEBUG',
      NODE_OPTIONS: '--enable-source-maps',
    };
    for (const tableName of Object.keys(spec.tables) as TableName[]) {
      environment[env.table(tableName)] = props.tables[tableName].tableName;
    }
    for (const queueName of spec.sendsTo) {
      environment[env.queueUrl(queueName)] = props.queues[queueName].queueUrl;
    }
    if (spec.consumes) {
      // A consumer's last attempt before the DLQ can say so (e.g. a notification marked FAILED).
      environment[env.maxReceives(spec.consumes.queue)] = String(queueSpecs[spec.consumes.queue].maxReceiveCount);
    }
    for (const queueName of spec.awaitsDeliveryOf ?? []) {
      // The longest a message queued before a deadline can take to be processed (every receive failing).
      const q = queueSpecs[queueName];
      environment[env.deliverySeconds(queueName)] = String(q.visibilityTimeoutSeconds * q.maxReceiveCount);
    }
    if (spec.readsSigningKeys) {
      if (!props.signingKeys) throw new Error(`Function "${name}" reads signing keys but none were given`);
      environment.SIGNING_KEYS_SECRET_ARN = props.signingKeys.secretArn;
    }

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      functionName,
      description: spec.description.slice(0, 256),
      // Bundled by `functionBuildOptions` (function-bundle.ts): ESM, SDK inside, minified, source map.
      code: functionCode(spec.entry),
      handler: 'index.handler',
      runtime: FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      tracing: lambda.Tracing.ACTIVE,
      timeout: Duration.seconds(spec.timeoutSeconds),
      memorySize: spec.memoryMiB,
      role: this.role,
      logGroup: this.logGroup,
      environment,
    });

    for (const [tableName, access] of Object.entries(spec.tables) as [TableName, Access][]) {
      const table = props.tables[tableName];
      const appendOnly = (tableSpecs[tableName] as TableSpec).appendOnly === true;
      if (access === 'read') table.grantReadData(this.role);
      else if (appendOnly && access === 'write') this.grantAppend(table);
      else table.grantReadWriteData(this.role);
    }
    for (const tableName of spec.insertsWithPartiQL ?? []) {
      // PartiQL INSERT is create-only (it fails on an existing key), so it grants no way to rewrite a record.
      props.tables[tableName].grant(this.role, 'dynamodb:PartiQLInsert');
    }
    for (const tableName of spec.selectsWithPartiQL ?? []) {
      // A SELECT of many partitions at once: read-only, on the table and its indexes.
      props.tables[tableName].grant(this.role, 'dynamodb:PartiQLSelect');
    }
    this.denyRewrites(props.tables);
    for (const queueName of spec.sendsTo) props.queues[queueName].grantSendMessages(this.role);
    if (spec.readsSigningKeys && props.signingKeys) this.grantReadSecret(props.signingKeys);
    this.acknowledgeGrantWildcards(spec, props.tables);

    Tags.of(this).add('civicflow:function', name);
  }

  /**
   * cdk-nag AwsSolutions-IAM5 flags every wildcard; these are the ones CDK's own grants produce for this
   * function's topology entry, acknowledged one finding at a time so that any other wildcard still fails synth.
   */
  private acknowledgeGrantWildcards(spec: FunctionSpec, tables: Readonly<Record<TableName, dynamodb.ITable>>): void {
    const acknowledge = (finding: string, reason: string) =>
      Validations.of(this.role).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });

    acknowledge(
      'Resource::*',
      'Active X-Ray tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no ' +
        'resource-level permissions; CDK adds exactly these two actions on "*".',
    );
    const encryptsData = Object.values(spec.tables).some((a) => a !== 'read') || spec.sendsTo.length > 0;
    if (encryptsData) {
      for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
        acknowledge(
          `Action::${action}`,
          `Writing to a table or sending to a queue encrypted with the customer key needs ${action} (the ` +
            'GenerateDataKey/ReEncrypt variants); CDK grants them on that one key ARN only, not on "*".',
        );
      }
    }
    for (const tableName of Object.keys(spec.tables) as TableName[]) {
      const table = tables[tableName];
      if (!(tableSpecs[tableName] as TableSpec).indexes) continue;
      acknowledge(
        `Resource::${renderForNag(Stack.of(this), table.tableArn)}/index/*`,
        `Queries on the ${tableName} table's global secondary indexes: CDK grants "<table ARN>/index/*", which ` +
          'covers only the indexes of that one table, at the same access level as the table itself.',
      );
    }
  }

  /**
   * An append-only table (the audit trail) gets only PutItem, which the code always sends with
   * `attribute_not_exists(pk)`, never UpdateItem, DeleteItem or BatchWriteItem (whose puts cannot carry
   * a condition).
   */
  private grantAppend(table: dynamodb.ITable): void {
    table.grant(this.role, 'dynamodb:PutItem', 'dynamodb:DescribeTable');
    table.encryptionKey?.grant(this.role, 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Decrypt');
  }

  /**
   * An explicit Deny on every append-only table for every function, whatever its grants: an Allow added
   * later by mistake (a broader grant, a new access level) still cannot rewrite or delete history.
   */
  private denyRewrites(tables: Readonly<Record<TableName, dynamodb.ITable>>): void {
    const appendOnly = (Object.entries(tableSpecs) as [TableName, TableSpec][]).filter(([, t]) => t.appendOnly === true);
    if (appendOnly.length === 0) return;
    this.role.addToPolicy(
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        actions: [...AUDIT_REWRITE_ACTIONS],
        resources: appendOnly.map(([name]) => tables[name].tableArn),
      }),
    );
  }

  /**
   * `Secret.grantRead` would also write this role into the key policy of the stateful stack, which then
   * depends on this stack: a cycle. The role's own policy suffices, because the key policy delegates to IAM.
   */
  private grantReadSecret(secret: secretsmanager.ISecret): void {
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: [secret.secretArn],
      }),
    );
    if (secret.encryptionKey) {
      const stack = Stack.of(this);
      this.role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [secret.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
        }),
      );
    }
  }
}
