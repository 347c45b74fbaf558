import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Schedule } from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { buildApp } from '#infra/app';
import { stageConfig } from '#topology/stages';
import { decodeAccess, functionConfig } from '#platform/stage-config';
import {
  functions,
  queues,
  routes,
  schedules,
  servesHttp,
  tables,
  env,
  type FunctionName,
  type FunctionSpec,
  type QueueName,
  type TableName,
  type TableSpec,
} from '#topology';
import { asArray, describeRef, resourcesOfType, synthCivicFlow, tempDir, type Json, type SynthResult } from './helpers';

const stage = 'dev';
const config = stageConfig(stage);
const functionEntries = Object.entries(functions) as [FunctionName, FunctionSpec][];
const queueNames = Object.keys(queues) as QueueName[];
const tableEntries = Object.entries(tables) as [TableName, TableSpec][];
const consumers = functionEntries.filter(([, f]) => f.consumes);

let s: SynthResult;
beforeAll(() => {
  s = synthCivicFlow(stage, { bundle: false });
});

const statefulResource = (type: string, name: string): [string, Json] => {
  const found = resourcesOfType(s.statefulJson, type).filter(
    ([, r]) => r.Properties?.QueueName === name || r.Properties?.TableName === name,
  );
  expect(found).toHaveLength(1);
  return found[0]!;
};
const queueResource = (q: QueueName) => statefulResource('AWS::SQS::Queue', `civicflow-${stage}-${q}`);
const dlqResource = (q: QueueName) => statefulResource('AWS::SQS::Queue', `civicflow-${stage}-${q}-dlq`);
const functionResource = (name: FunctionName): [string, Json] => {
  const found = resourcesOfType(s.statelessJson, 'AWS::Lambda::Function').filter(
    ([, r]) => r.Properties.FunctionName === `civicflow-${stage}-${name}`,
  );
  expect(found).toHaveLength(1);
  return found[0]!;
};
const describe$ = (v: unknown) => describeRef(v, s.statelessJson, s.statefulJson);

describe('stateful stack', () => {
  it('creates exactly the topology tables, each on-demand with PITR, the customer key, retained and protected', () => {
    s.stateful.resourceCountIs('AWS::DynamoDB::Table', tableEntries.length);
    const [keyId] = resourcesOfType(s.statefulJson, 'AWS::KMS::Key')[0]!;
    for (const [name, spec] of tableEntries) {
      const [, table] = statefulResource('AWS::DynamoDB::Table', `civicflow-${stage}-${name}`);
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      const p = table.Properties;
      expect(p.BillingMode).toBe('PAY_PER_REQUEST');
      expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(p.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
      expect(p.DeletionProtectionEnabled).toBe(true);
      expect(p.KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      const indexes = (p.GlobalSecondaryIndexes ?? []).map((g: Json) => [g.IndexName, g.KeySchema.map((k: Json) => k.AttributeName)]);
      expect(indexes).toEqual(Object.entries(spec.indexes ?? {}).map(([n, k]) => [n, [k.pk, k.sk]]));
      for (const a of p.AttributeDefinitions) expect(a.AttributeType).toBe('S');
      expect(p.Tags).toEqual(expect.arrayContaining([{ Key: 'classification', Value: spec.classification }]));
      if (spec.ttlAttribute) expect(p.TimeToLiveSpecification).toEqual({ AttributeName: spec.ttlAttribute, Enabled: true });
      else expect(p.TimeToLiveSpecification).toBeUndefined();
    }
  });

  it('gives every queue a DLQ with the topology maxReceiveCount, visibility timeout and retention', () => {
    s.stateful.resourceCountIs('AWS::SQS::Queue', 2 * queueNames.length);
    for (const q of queueNames) {
      const [, queue] = queueResource(q);
      const [dlqId, dlq] = dlqResource(q);
      expect(queue.Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
        maxReceiveCount: queues[q].maxReceiveCount,
      });
      expect(queue.Properties.VisibilityTimeout).toBe(queues[q].visibilityTimeoutSeconds);
      expect(queue.Properties.MessageRetentionPeriod).toBe(queues[q].retentionDays * 86_400);
      expect(dlq.Properties.MessageRetentionPeriod).toBe(14 * 86_400);
      expect(dlq.Properties.RedrivePolicy).toBeUndefined();
    }
  });

  it('encrypts every queue with the customer key and denies non-TLS access in its policy', () => {
    const [keyId] = resourcesOfType(s.statefulJson, 'AWS::KMS::Key')[0]!;
    const policies = resourcesOfType(s.statefulJson, 'AWS::SQS::QueuePolicy');
    for (const [queueId, queue] of resourcesOfType(s.statefulJson, 'AWS::SQS::Queue')) {
      expect([queue.Properties.QueueName, queue.Properties.KmsMasterKeyId]).toEqual([
        queue.Properties.QueueName,
        { 'Fn::GetAtt': [keyId, 'Arn'] },
      ]);
      const denies = policies
        .filter(([, p]) => p.Properties.Queues.some((r: Json) => r.Ref === queueId))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[])
        .filter((st) => st.Effect === 'Deny' && st.Condition?.Bool?.['aws:SecureTransport'] === 'false');
      expect([queue.Properties.QueueName, denies.length]).toEqual([queue.Properties.QueueName, 1]);
      expect(denies[0]!.Action).toBe('sqs:*');
    }
  });

  it('rotates the customer key and retains it', () => {
    s.stateful.resourceCountIs('AWS::KMS::Key', 1);
    s.stateful.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true }),
      DeletionPolicy: 'Retain',
    });
  });

  it('encrypts the alarm topic with the customer key and denies publishing without TLS', () => {
    const [keyId] = resourcesOfType(s.statefulJson, 'AWS::KMS::Key')[0]!;
    s.stateful.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    s.stateful.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    // dev has no alarm e-mail; prod does (see bundling.test.ts).
    s.stateful.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('assembles the signing keys into one JSON secret, principal to generated key, for every source and reader, and the cursor key', () => {
    const [keyId] = resourcesOfType(s.statefulJson, 'AWS::KMS::Key')[0]!;
    // The cursor-sealing key rides in the same secret under an entry no principal can have.
    const principals = [...new Set([...Object.keys(config.sources), ...config.readers]), '@cursor'].sort();
    const secrets = resourcesOfType(s.statefulJson, 'AWS::SecretsManager::Secret');
    expect(secrets).toHaveLength(principals.length + 1);
    for (const [, secret] of secrets) expect(secret.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    const [, main] = secrets.find(([, r]) => r.Properties.Name === `civicflow/${stage}/signing-keys`)!;
    // Render the JSON with each dynamic reference named by the seed it resolves, then check each seed generates.
    const rendered = (main.Properties.SecretString['Fn::Join'][1] as unknown[])
      .map((part) => (typeof part === 'string' ? part : (part as Json).Ref))
      .join('');
    const entries = Object.entries(JSON.parse(rendered) as Record<string, string>);
    expect(entries.map(([principal]) => principal)).toEqual(principals);
    const seeds = new Set<string>();
    for (const [principal, ref] of entries) {
      const seedId = /^\{\{resolve:secretsmanager:(\w+):SecretString:::\}\}$/.exec(ref)?.[1];
      expect([principal, seedId !== undefined]).toEqual([principal, true]);
      expect(s.statefulJson.Resources[seedId!].Properties.GenerateSecretString).toEqual(
        expect.objectContaining({ PasswordLength: 64 }),
      );
      seeds.add(seedId!);
    }
    expect(seeds.size).toBe(principals.length);
  });

  it('names each seed secret after its entry, the cursor key\'s in a name no principal can have', () => {
    const names = resourcesOfType(s.statefulJson, 'AWS::SecretsManager::Secret').map(([, r]) => r.Properties.Name as string);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain(`civicflow/${stage}/signing-keys/seeds/@cursor`);
    expect(names).not.toContain(`civicflow/${stage}/signing-keys/seeds/cursor-key`);
  });
});

describe('functions', () => {
  it('creates one function per topology function: nodejs24.x, arm64, active tracing, topology timeout and memory', () => {
    s.stateless.resourceCountIs('AWS::Lambda::Function', functionEntries.length);
    for (const [name, spec] of functionEntries) {
      const [, fn] = functionResource(name);
      const p = fn.Properties;
      expect([name, p.Runtime, p.Architectures, p.TracingConfig, p.Timeout, p.MemorySize, p.Handler]).toEqual([
        name,
        'nodejs24.x',
        ['arm64'],
        { Mode: 'Active' },
        spec.timeoutSeconds,
        spec.memoryMiB,
        'index.handler',
      ]);
    }
  });

  it('gives each function exactly its tables and queues in the environment, plus config and Powertools settings', () => {
    for (const [name, spec] of functionEntries) {
      const vars = functionResource(name)[1].Properties.Environment.Variables as Json;
      const resourceVars = Object.keys(vars).filter((k) => /^(TABLE_|QUEUE_)/.test(k)).sort();
      const expected = [
        ...Object.keys(spec.tables).map((t) => env.table(t as TableName)),
        ...spec.sendsTo.map((q) => env.queueUrl(q)),
      ].sort();
      expect([name, resourceVars]).toEqual([name, expected]);
      for (const t of Object.keys(spec.tables)) expect(vars[env.table(t as TableName)]).toBe(`civicflow-${stage}-${t}`);
      for (const q of spec.sendsTo) {
        expect(describe$(vars[env.queueUrl(q)])).toBe(`AWS::SQS::Queue:${queueResource(q)[0]}`);
      }
      // The access sections (who may post and read) only where HTTP is served; the rest everywhere.
      expect(JSON.parse(vars.CIVICFLOW_CONFIG)).toEqual(functionConfig(config));
      expect('sources' in JSON.parse(vars.CIVICFLOW_CONFIG)).toBe(false);
      if (servesHttp(name as FunctionName)) {
        expect(decodeAccess(vars.CIVICFLOW_ACCESS)).toEqual({
          sources: config.sources,
          readers: config.readers,
          readerRoutes: config.readerRoutes,
          personDataReaders: config.personDataReaders,
        });
      } else expect([name, vars.CIVICFLOW_ACCESS]).toEqual([name, undefined]);
      expect(['ingest', 'query', 'simulations'].includes(name)).toBe(servesHttp(name as FunctionName));
      expect(vars.POWERTOOLS_SERVICE_NAME).toBe(name);
      expect(vars.POWERTOOLS_METRICS_NAMESPACE).toBe('CivicFlow');
      expect(vars.NODE_OPTIONS).toBe('--enable-source-maps');
      expect(typeof vars.LOG_LEVEL).toBe('string');
      expect([name, 'SIGNING_KEYS_SECRET_ARN' in vars]).toEqual([name, spec.readsSigningKeys === true]);
      // A function that waits for a queue's messages sent before a deadline knows its longest delivery.
      const awaited = (spec as FunctionSpec).awaitsDeliveryOf ?? [];
      const delivery = Object.fromEntries(Object.entries(vars).filter(([k]) => k.startsWith('DELIVERY_SECONDS_')));
      expect([name, delivery]).toEqual([name, Object.fromEntries(awaited.map((q) => [env.deliverySeconds(q), String(queues[q].visibilityTimeoutSeconds * queues[q].maxReceiveCount)]))]);
      // The close of publicity windows waits for the objections on the policy queue: 360 s × 5 receives.
      if (name === 'entitlementSchedule') expect(delivery).toEqual({ DELIVERY_SECONDS_POLICY: '1800' });
      // A supplement deadline's termination waits for the supplements on the approval queue: 180 s × 5 receives.
      if (name === 'approvalDeadlines') expect(delivery).toEqual({ DELIVERY_SECONDS_APPROVAL: '900' });
      // Lambda rejects environments over 4 KB; keep a quarter free for what the next capability adds.
      expect([name, JSON.stringify(vars).length < 3072]).toEqual([name, true]);
    }
  });

  it('logs each function to its own log group with the stage retention', () => {
    for (const [name] of functionEntries) {
      const [, fn] = functionResource(name);
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref as string;
      const logGroup = s.statelessJson.Resources[logGroupId];
      expect(logGroup.Properties.LogGroupName).toBe(`/aws/lambda/civicflow-${stage}-${name}`);
      expect(logGroup.Properties.RetentionInDays).toBe(config.logRetentionDays);
    }
  });
});

describe('least privilege', () => {
  const READ = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:BatchGetItem'];
  const WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

  /** Every Allow statement of the function's role, with actions and described resources. */
  const statementsOf = (name: FunctionName) => {
    const roleId = functionResource(name)[1].Properties.Role['Fn::GetAtt'][0] as string;
    return resourcesOfType(s.statelessJson, 'AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[])
      // Denies (the audit trail's append-only guard) grant nothing; tests/infra/observability.test.ts checks them.
      .filter((st) => st.Effect === 'Allow')
      .map((st) => ({
        effect: st.Effect as string,
        actions: asArray(st.Action as string | string[]),
        resources: asArray(st.Resource as unknown).map(describe$),
      }));
  };
  const tableOf = (resource: string) => /:table\/civicflow-dev-([a-z]+)(\/index\/\*)?$/.exec(resource)?.[1];
  const queueOf = (resource: string) => {
    const q = queueNames.find((n) => resource === `AWS::SQS::Queue:${queueResource(n)[0]}`);
    return q;
  };

  it('grants DynamoDB actions only on the tables in the function map, at their access level', () => {
    for (const [name, spec] of functionEntries) {
      const reads = new Set<string>();
      const writes = new Set<string>();
      for (const st of statementsOf(name)) {
        const dynamo = st.actions.filter((a) => a.startsWith('dynamodb:'));
        if (dynamo.length === 0) continue;
        for (const resource of st.resources) {
          const table = tableOf(resource);
          expect([name, resource, table && table in spec.tables]).toEqual([name, resource, true]);
          if (dynamo.some((a) => READ.includes(a))) reads.add(table!);
          if (dynamo.some((a) => WRITE.includes(a))) writes.add(table!);
        }
      }
      const access = Object.entries(spec.tables);
      expect([name, [...reads].sort()]).toEqual([name, access.filter(([, a]) => a !== 'write').map(([t]) => t).sort()]);
      expect([name, [...writes].sort()]).toEqual([name, access.filter(([, a]) => a !== 'read').map(([t]) => t).sort()]);
    }
  });

  it('lets only the registry function write the registry table: approval reads it and sends its credit marks as events', () => {
    const writesRegistry = (name: FunctionName) =>
      statementsOf(name).some((st) => st.actions.some((a) => WRITE.includes(a)) && st.resources.some((r) => tableOf(r) === 'registry'));
    expect(functionEntries.map(([name]) => name).filter(writesRegistry)).toEqual(['registry']);
    expect(functions.approval.tables.registry).toBe('read');
    expect(functions.approval.sendsTo).toContain('registry');
  });

  it('lets only the functions that say so insert with PartiQL, only into their tables (ingest: the events table)', () => {
    for (const [name, spec] of functionEntries) {
      const tablesInserted = statementsOf(name)
        .filter((st) => st.actions.includes('dynamodb:PartiQLInsert'))
        .flatMap((st) => st.resources.map(tableOf));
      const expected = 'insertsWithPartiQL' in spec ? [...(spec.insertsWithPartiQL as readonly string[])] : [];
      expect([name, [...new Set(tablesInserted)].sort()]).toEqual([name, expected.sort()]);
    }
    expect(functions.ingest.insertsWithPartiQL).toEqual(['events']);
  });

  it('lets only the functions that say so select with PartiQL, only from their tables and indexes (approval: the registry; review: its cases)', () => {
    for (const [name, spec] of functionEntries) {
      const selecting = statementsOf(name).filter((st) => st.actions.includes('dynamodb:PartiQLSelect'));
      const expected = 'selectsWithPartiQL' in spec ? [...(spec.selectsWithPartiQL as readonly string[])] : [];
      expect([name, [...new Set(selecting.flatMap((st) => st.resources.map(tableOf)))].sort()]).toEqual([name, expected.sort()]);
      // The grant reads: a statement that may select may do nothing else to those tables.
      for (const st of selecting) expect([name, st.actions]).toEqual([name, ['dynamodb:PartiQLSelect']]);
    }
    expect(functions.approval.selectsWithPartiQL).toEqual(['registry']);
    expect(functions.review.selectsWithPartiQL).toEqual(['reviews']);
    const resources = statementsOf('approval').filter((st) => st.actions.includes('dynamodb:PartiQLSelect')).flatMap((st) => st.resources);
    expect(resources.some((r) => r.endsWith('/index/*'))).toBe(true);
  });

  it('lets a function send only to its sendsTo queues and receive only from the queue it consumes', () => {
    for (const [name, spec] of functionEntries) {
      const sendsTo = new Set<string>();
      const receivesFrom = new Set<string>();
      for (const st of statementsOf(name)) {
        for (const resource of st.resources) {
          if (st.actions.some((a) => a === 'sqs:SendMessage' || a === 'sqs:*')) sendsTo.add(queueOf(resource) ?? resource);
          if (st.actions.some((a) => a === 'sqs:ReceiveMessage' || a === 'sqs:DeleteMessage')) {
            receivesFrom.add(queueOf(resource) ?? resource);
          }
        }
      }
      expect([name, [...sendsTo].sort()]).toEqual([name, [...spec.sendsTo].sort()]);
      expect([name, [...receivesFrom]]).toEqual([name, spec.consumes ? [spec.consumes.queue] : []]);
    }
  });

  it('lets only the functions that verify signatures read the signing keys', () => {
    const [secretId] = resourcesOfType(s.statefulJson, 'AWS::SecretsManager::Secret').find(
      ([, r]) => r.Properties.Name === `civicflow/${stage}/signing-keys`,
    )!;
    for (const [name, spec] of functionEntries) {
      const secretStatements = statementsOf(name).filter((st) => st.actions.some((a) => a.startsWith('secretsmanager:')));
      const resources = secretStatements.flatMap((st) => st.resources);
      expect([name, resources]).toEqual([name, spec.readsSigningKeys ? [`AWS::SecretsManager::Secret:${secretId}`] : []]);
    }
  });

  it('never allows Action "*", and Resource "*" only for the acknowledged X-Ray actions', () => {
    for (const [name] of functionEntries) {
      for (const st of statementsOf(name)) {
        expect(st.actions).not.toContain('*');
        if (st.resources.includes('*')) {
          expect([name, st.actions.sort()]).toEqual([name, ['xray:PutTelemetryRecords', 'xray:PutTraceSegments']]);
        }
      }
    }
    // Nothing else in either stack grants "*" to an identity either.
    for (const template of [s.statefulJson, s.statelessJson]) {
      for (const [, policy] of resourcesOfType(template, 'AWS::IAM::Policy')) {
        for (const st of policy.Properties.PolicyDocument.Statement as Json[]) {
          expect(asArray(st.Action)).not.toContain('*');
          if (asArray(st.Resource).includes('*')) expect(asArray(st.Action).every((a: string) => a.startsWith('xray:'))).toBe(true);
        }
      }
    }
  });
});

describe('event sources, schedules and the HTTP API', () => {
  it('maps every consumed queue to its function with partial batch responses and topology settings', () => {
    const mappings = resourcesOfType(s.statelessJson, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(consumers.length);
    for (const [, m] of mappings) expect(m.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    for (const [name, spec] of consumers) {
      const [fnId] = functionResource(name);
      const own = mappings.filter(([, m]) => m.Properties.FunctionName.Ref === fnId);
      expect(own).toHaveLength(1);
      const p = own[0]![1].Properties;
      const consumes = spec.consumes!;
      expect(describe$(p.EventSourceArn)).toBe(`AWS::SQS::Queue:${queueResource(consumes.queue)[0]}`);
      expect([p.BatchSize, p.MaximumBatchingWindowInSeconds, p.ScalingConfig]).toEqual([
        consumes.batchSize,
        consumes.maxBatchingWindowSeconds,
        { MaximumConcurrency: consumes.maxConcurrency },
      ]);
    }
  });

  it('gives every consumed queue a visibility timeout of at least 6x its consumer timeout (as synthesized)', () => {
    for (const [, m] of resourcesOfType(s.statelessJson, 'AWS::Lambda::EventSourceMapping')) {
      const queueId = describe$(m.Properties.EventSourceArn).split(':').pop()!;
      const visibility = s.statefulJson.Resources[queueId].Properties.VisibilityTimeout as number;
      const timeout = s.statelessJson.Resources[m.Properties.FunctionName.Ref].Properties.Timeout as number;
      expect(visibility).toBeGreaterThanOrEqual(6 * timeout);
    }
  });

  it('has exactly the topology routes, each integrated with its function, no gateway authorizer', () => {
    const synthesized = resourcesOfType(s.statelessJson, 'AWS::ApiGatewayV2::Route').map(([, r]) => {
      const integrationId = r.Properties.Target['Fn::Join'][1][1].Ref as string;
      const integration = s.statelessJson.Resources[integrationId].Properties;
      const fnId = integration.IntegrationUri['Fn::GetAtt'][0] as string;
      const fnName = (s.statelessJson.Resources[fnId].Properties.FunctionName as string).replace(`civicflow-${stage}-`, '');
      return [r.Properties.RouteKey, fnName, r.Properties.AuthorizationType];
    });
    expect(synthesized.sort()).toEqual(routes.map((r) => [`${r.method} ${r.path}`, r.function, 'NONE']).sort());
  });

  it('logs API access and throttles the default stage', () => {
    s.stateless.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    s.stateless.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') }),
      DefaultRouteSettings: Match.objectLike({ ThrottlingBurstLimit: Match.anyValue(), ThrottlingRateLimit: Match.anyValue() }),
    });
  });

  it('has one scheduled rule per topology schedule, at its rate, targeting its function', () => {
    const rules = resourcesOfType(s.statelessJson, 'AWS::Events::Rule');
    expect(rules).toHaveLength(schedules.length);
    for (const schedule of schedules) {
      const [fnId] = functionResource(schedule.function);
      const own = rules.filter(([, r]) => r.Properties.Targets.some((t: Json) => t.Arn['Fn::GetAtt']?.[0] === fnId));
      expect(own).toHaveLength(1);
      // CDK writes whole hours and days in their own unit (1440 minutes is "rate(1 day)").
      expect(own[0]![1].Properties.ScheduleExpression).toBe(Schedule.rate(Duration.minutes(schedule.everyMinutes)).expressionString);
    }
  });
});

describe('alarms', () => {
  const alarms = () => resourcesOfType(s.statelessJson, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties as Json);
  const dimension = (a: Json, name: string) => (a.Dimensions as Json[]).find((d) => d.Name === name)?.Value;

  it('alarms on every DLQ that holds a message', () => {
    const dlqAlarms = alarms().filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible');
    const watched = dlqAlarms.map((a) => describe$(dimension(a, 'QueueName')));
    expect(watched.sort()).toEqual(queueNames.map((q) => `AWS::SQS::Queue:${dlqResource(q)[0]}`).sort());
    for (const a of dlqAlarms) expect([a.Threshold, a.ComparisonOperator]).toEqual([0, 'GreaterThanThreshold']);
  });

  it('alarms on errors of every function and on old messages in every consumed queue', () => {
    const errorAlarms = alarms().filter((a) => a.MetricName === 'Errors');
    expect(errorAlarms).toHaveLength(functionEntries.length);
    const ageAlarms = alarms().filter((a) => a.MetricName === 'ApproximateAgeOfOldestMessage');
    const watched = ageAlarms.map((a) => describe$(dimension(a, 'QueueName')));
    expect(watched.sort()).toEqual(consumers.map(([, f]) => `AWS::SQS::Queue:${queueResource(f.consumes!.queue)[0]}`).sort());
    for (const a of ageAlarms) expect([a.Threshold, a.ComparisonOperator]).toEqual([300, 'GreaterThanThreshold']);
  });

  it('sends every alarm to the alarm topic', () => {
    const [topicId] = resourcesOfType(s.statefulJson, 'AWS::SNS::Topic')[0]!;
    for (const a of alarms()) expect(asArray(a.AlarmActions).map(describe$)).toEqual([`AWS::SNS::Topic:${topicId}`]);
  });
});

describe('cdk-nag', () => {
  it('left no unacknowledged finding in either stack', () => {
    const violations = (s.validationReport.pluginReports as Json[]).flatMap((r) =>
      (r.violations as Json[]).map((v) => `${r.pluginName} ${v.ruleName}`),
    );
    expect(violations).toEqual([]);
  });

  it('is live and its acknowledgements are per finding: a new queue without DLQ or TLS, or a new wildcard, fails synth', () => {
    const bad = synthesisError((built) => {
      new sqs.Queue(built.stateful, 'NakedQueue');
      built.stateless.functions.query.role.addToPolicy(
        new iam.PolicyStatement({ actions: ['dynamodb:*'], resources: ['*'] }),
      );
    });
    expect(bad).toMatch(/AwsSolutions-SQS3/);
    expect(bad).toMatch(/AwsSolutions-SQS4/);
    // Resource::* is acknowledged on that role for X-Ray, but only that finding: the new action wildcard fails.
    expect(bad).toMatch(/AwsSolutions-IAM5\[Action::dynamodb:\*\]/);
  });
});

function synthesisError(spoil: (built: ReturnType<typeof buildApp>) => void): string {
  const built = buildApp(stage, {
    appProps: { outdir: tempDir('civicflow-cdk-'), context: { 'aws:cdk:bundling-stacks': [] } },
  });
  spoil(built);
  try {
    built.app.synth();
  } catch (e) {
    return String(e);
  }
  return 'synthesized without findings';
}
