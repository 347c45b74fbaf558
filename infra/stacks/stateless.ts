import { Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { StageConfig } from '#topology/stages';
import { CivicFunction, retention } from '#infra/constructs/civic-function';
import {
  functions as functionSpecs,
  queues as queueSpecs,
  tables as tableSpecs,
  routes,
  schedules,
  type FunctionName,
  type FunctionSpec,
  type QueueName,
  type TableName,
  type TableSpec,
} from '#topology';
import { mapTopology, pascal, type StatefulResources } from './stateful';
import { physicalName } from '#infra/constructs/names';
import { addObservability, DEFAULT_OLDEST_MESSAGE_AGE_SECONDS, oldestMessageAgeSeconds, type Observability } from './observability';

export interface StatelessStackProps extends StackProps {
  readonly config: StageConfig;
  readonly stateful: StatefulResources;
}

/** Gateway-wide throttling: generous for upstream batch posts, still a ceiling against a runaway sender. */
export const API_THROTTLE = { rateLimit: 200, burstLimit: 400 } as const;
/** The default age of an old message: one that means consumers are failing or cannot keep up. */
export const OLDEST_MESSAGE_ALARM_SECONDS = DEFAULT_OLDEST_MESSAGE_AGE_SECONDS;


/**
 * Code and wiring: one function per topology function, the HTTP API with the topology's routes,
 * the SQS event-source mappings, the schedules and the alarms. Replaceable at any time; it holds no data.
 */
export class StatelessStack extends Stack {
  readonly functions: Readonly<Record<FunctionName, CivicFunction>>;
  readonly api: apigwv2.HttpApi;
  readonly alarms: readonly cloudwatch.Alarm[];
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, stateful } = props;
    const alarmAction = new cwActions.SnsAction(stateful.alarmTopic);
    const alarms: cloudwatch.Alarm[] = [];
    const alarm = (alarmId: string, alarmProps: cloudwatch.AlarmProps) => {
      const created = new cloudwatch.Alarm(this, alarmId, alarmProps);
      created.addAlarmAction(alarmAction);
      created.addOkAction(alarmAction);
      alarms.push(created);
      return created;
    };
    const oldestMessageSeconds = oldestMessageAgeSeconds(this);

    // Tables are referred to by their fixed names, not through exports of the stateful stack: IAM statements
    // then name the tables themselves, and the stateful stack stays free to change without export locks.
    this.addStackDependency(Stack.of(stateful.key));
    const tables = mapTopology<TableName, TableSpec, dynamodb.ITable>(tableSpecs, (name, spec) =>
      dynamodb.Table.fromTableAttributes(this, `${pascal(name)}TableRef`, {
        tableName: physicalName(config.stage, name),
        encryptionKey: stateful.key,
        globalIndexes: Object.keys(spec.indexes ?? {}),
      }),
    );

    const built = {} as Record<FunctionName, CivicFunction>;
    for (const [name, spec] of Object.entries(functionSpecs) as [FunctionName, FunctionSpec][]) {
      const fn = new CivicFunction(this, `${pascal(name)}Fn`, {
        name,
        spec,
        config,
        tables,
        queues: stateful.queues,
        ...(spec.readsSigningKeys ? { signingKeys: stateful.signingKeys } : {}),
        logKey: stateful.key,
      });
      built[name] = fn;

      if (spec.consumes) {
        const { queue, batchSize, maxBatchingWindowSeconds, maxConcurrency } = spec.consumes;
        fn.function.addEventSource(
          new SqsEventSource(stateful.queues[queue], {
            batchSize,
            maxBatchingWindow: Duration.seconds(maxBatchingWindowSeconds),
            maxConcurrency,
            // A poison record fails alone; its batch-mates are deleted.
            reportBatchItemFailures: true,
          }),
        );
        alarm(`${pascal(queue)}QueueOldestMessageAlarm`, {
          alarmName: `civicflow-${config.stage}-${queue}-oldest-message`,
          alarmDescription: `Queue ${queue}: a message has waited more than ${oldestMessageSeconds} s (consumer ${name} failing or behind).`,
          metric: stateful.queues[queue].metricApproximateAgeOfOldestMessage({
            period: Duration.minutes(1),
            statistic: cloudwatch.Stats.MAXIMUM,
          }),
          threshold: oldestMessageSeconds,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      }

      alarm(`${pascal(name)}FnErrorsAlarm`, {
        alarmName: `civicflow-${config.stage}-${name}-errors`,
        alarmDescription: `Function ${name} reported errors (failed invocations, not partial batch failures).`,
        metric: fn.function.metricErrors({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    this.functions = built;

    for (const queue of Object.keys(queueSpecs) as QueueName[]) {
      alarm(`${pascal(queue)}DlqNotEmptyAlarm`, {
        alarmName: `civicflow-${config.stage}-${queue}-dlq-not-empty`,
        alarmDescription: `Dead-letter queue of ${queue} holds messages: inspect, fix, then redrive.`,
        metric: stateful.deadLetterQueues[queue].metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    this.api = this.httpApi(config, stateful, built);
    this.observability = addObservability(this, { config, functions: built, api: this.api, alarm, alarms: [...alarms] });
    this.alarms = alarms;

    for (const schedule of schedules) {
      const rule = new events.Rule(this, `${pascal(schedule.function)}Schedule`, {
        ruleName: `civicflow-${config.stage}-${schedule.name}`,
        description: schedule.description,
        schedule: events.Schedule.rate(Duration.minutes(schedule.everyMinutes)),
      });
      // A missed run is caught up by the next one (the schedules work on due dates), so a few retries suffice.
      rule.addTarget(new targets.LambdaFunction(built[schedule.function].function, { retryAttempts: 2 }));
    }
  }

  private httpApi(
    config: StageConfig,
    stateful: StatefulResources,
    fns: Record<FunctionName, CivicFunction>,
  ): apigwv2.HttpApi {
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      logGroupName: `/civicflow/${config.stage}/api-access`,
      retention: retention(config.logRetentionDays),
      encryptionKey: stateful.key,
    });
    const api = new apigwv2.HttpApi(this, 'Api', {
      apiName: `civicflow-${config.stage}`,
      description: 'CivicFlow: CloudEvents ingest and read-only queries for upstream systems and auditors.',
      createDefaultStage: false,
    });
    api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        // No headers or bodies: requests carry personal data and signatures.
        format: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latency: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    for (const route of routes) {
      let integration = integrations.get(route.function);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${pascal(route.function)}Integration`, fns[route.function].function);
        integrations.set(route.function, integration);
      }
      const [created] = api.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration,
      });
      Validations.of(created!).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Every request is HMAC-signed by its source and verified inside the function: the signature covers the ' +
          'body, which a gateway authorizer cannot see. Unsigned or mis-signed requests get 401 from the function.',
      });
    }
    return api;
  }
}

