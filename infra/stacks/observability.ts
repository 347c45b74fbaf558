/**
 * What auditors read in CloudWatch (SPEC §10): one dashboard per stage, the figure alarms (overdue
 * rectifications, overdue commitment verifications) and the saved Logs Insights queries for the questions
 * auditors ask. The platform alarms (DLQ not empty, function errors, old messages) live with the resources
 * they watch in the stateless stack; every alarm goes to the stateful stack's SNS topic.
 *
 * Metrics are the functions' EMF metrics (namespace `CivicFlow`; Powertools adds the `service` dimension,
 * the topology function name). Queues and functions are named by their fixed physical names, as the
 * tables are, so the dashboard reads like the console and depends on no cross-stack export.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { StageConfig } from '#topology/stages';
import type { CivicFunction } from '#infra/constructs/civic-function';
import { deadLetterQueueName, physicalName } from '#infra/constructs/names';
import { functions as functionSpecs, queues as queueSpecs, type FunctionName, type QueueName } from '#topology';

export const NAMESPACE = 'CivicFlow';
/** The figure alarms look at what a schedule run (every 15 minutes) flagged. */
export const FIGURE_ALARM_PERIOD = Duration.minutes(15);
/** Default of the "old messages" alarm; a stage overrides it with `-c civicflow:oldestMessageAgeSeconds=N`. */
export const DEFAULT_OLDEST_MESSAGE_AGE_SECONDS = 300;
export const OLDEST_MESSAGE_CONTEXT_KEY = 'civicflow:oldestMessageAgeSeconds';

/** The age (seconds) above which a waiting message raises the alarm: CDK context, else the default. */
export function oldestMessageAgeSeconds(scope: Construct): number {
  const raw: unknown = scope.node.tryGetContext(OLDEST_MESSAGE_CONTEXT_KEY);
  if (raw === undefined) return DEFAULT_OLDEST_MESSAGE_AGE_SECONDS;
  const value = Number(raw);
  // SQS keeps a message at most 14 days; a threshold of 0 would alarm on every message.
  if (!Number.isInteger(value) || value < 1 || value > 14 * 86_400) {
    throw new Error(`${OLDEST_MESSAGE_CONTEXT_KEY} must be whole seconds from 1 to 1209600; got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** A metric a function emits, with the `service` dimension Powertools adds. */
export function civicMetric(
  metricName: string,
  service: FunctionName,
  statistic: string = cloudwatch.Stats.SUM,
  period: Duration = Duration.minutes(5),
  label?: string,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: NAMESPACE,
    metricName,
    dimensionsMap: { service },
    statistic,
    period,
    ...(label ? { label } : {}),
  });
}

/** Every series of a metric split by one more dimension (outcome, level, department, policy). */
function searchBy(metricName: string, dimension: string, service: FunctionName, statistic: string, label: string) {
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${NAMESPACE},${dimension},service} MetricName="${metricName}" service="${service}"', '${statistic}', 300)`,
    label,
    period: Duration.minutes(5),
  });
}

export interface FigureAlarm {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly metricName: string;
  readonly service: FunctionName;
}

/** Alarms on figures (SPEC §10 "overdue rectifications", §4 "an overdue verification is flagged"). */
export const figureAlarms = (stage: string): readonly FigureAlarm[] => [
  {
    id: 'OverdueRectificationsAlarm',
    name: `civicflow-${stage}-overdue-rectifications`,
    description: '好差评: the review schedule flagged a rectification overdue (not acknowledged or not rectified in time).',
    metricName: 'OverdueRectifications',
    service: 'reviewSchedule',
  },
  {
    id: 'OverdueVerificationsAlarm',
    name: `civicflow-${stage}-overdue-verifications`,
    description: '秒批: an approval on commitment (告知承诺) was not verified by its department in time.',
    metricName: 'OverdueVerifications',
    service: 'approvalDeadlines',
  },
];

export interface SavedQuery {
  readonly id: string;
  /** The name auditors see in Logs Insights ("Saved queries"), in the stage's folder. */
  readonly name: string;
  readonly functions: readonly FunctionName[];
  readonly query: logs.QueryStringProps;
}

/**
 * The saved Logs Insights queries. Each reads log lines the functions write as structured JSON (the
 * Powertools `message` plus fields); values in quotes are examples to replace, the period is the
 * console's time range. Log lines carry no ID numbers or phone numbers (the logger masks them).
 */
export const savedQueries = (stage: string): readonly SavedQuery[] => [
  {
    id: 'WhyApplicationDecidedQuery',
    name: `civicflow/${stage}/why-was-this-application-decided-so`,
    functions: ['approval', 'approvalDeadlines'],
    query: {
      fields: ['@timestamp', 'applicationId', 'itemCode', 'itemVersion', 'sequence', 'cause', 'outcome', 'reasons.0', 'reasons.1', 'reasons.2', 'latencyMs'],
      filterStatements: ['message = "decision"', 'applicationId = "SQ-20261103-000187"'],
      sort: '@timestamp asc',
    },
  },
  {
    id: 'DecisionsOfItemQuery',
    name: `civicflow/${stage}/all-decisions-of-an-item-in-a-period`,
    functions: ['approval', 'approvalDeadlines'],
    query: {
      fields: ['@timestamp', 'applicationId', 'sequence', 'cause', 'outcome', 'reasons.0', 'latencyMs'],
      filterStatements: ['message = "decision"', 'itemCode = "CG-0107"'],
      sort: '@timestamp asc',
      limit: 10000,
    },
  },
  {
    id: 'OverdueBadReviewsQuery',
    name: `civicflow/${stage}/overdue-bad-reviews-this-month`,
    functions: ['reviewSchedule'],
    query: {
      fields: ['@timestamp', 'caseId', 'reviewId', 'departmentCode', 'itemCode', 'kinds.0', 'state'],
      filterStatements: ['message = "rectification.overdue"'],
      statsStatements: ['count(*) as flags, latest(state) as state, max(@timestamp) as lastFlaggedAt by caseId, departmentCode'],
      sort: 'departmentCode asc',
      limit: 10000,
    },
  },
  {
    id: 'WhoWasPushedPolicyQuery',
    name: `civicflow/${stage}/who-was-pushed-policy-p-and-when`,
    functions: ['notify'],
    query: {
      fields: ['@timestamp', 'policyId', 'policyVersion', 'creditCode', 'notifiedAt', 'deliveredAt', 'channels.0', 'channels.1'],
      filterStatements: ['message = "entitlement.notified"', 'policyId = "POL-2026-EXPORT-INS"'],
      sort: 'notifiedAt asc',
      limit: 10000,
    },
  },
  {
    id: 'RectificationActionsQuery',
    name: `civicflow/${stage}/every-action-on-a-rectification-case`,
    functions: ['review', 'reviewSchedule'],
    query: {
      fields: ['@timestamp', 'message', 'action', 'outcome', 'code', 'reason', 'actorDepartment', 'actorStaff', 'at', 'kinds.0', 'state', 'reviewLevel'],
      filterStatements: ['caseId = "SQ-20261103-000187"', 'message like /^(review|rectification)\\./'],
      sort: '@timestamp asc',
    },
  },
];

export interface ObservabilityProps {
  readonly config: StageConfig;
  readonly functions: Readonly<Record<FunctionName, CivicFunction>>;
  readonly api: apigwv2.HttpApi;
  /** Creates an alarm that notifies the alarm topic (the stateless stack's helper). */
  readonly alarm: (id: string, props: cloudwatch.AlarmProps) => cloudwatch.Alarm;
  /** Every alarm of the stack so far, for the dashboard's alarm status widget. */
  readonly alarms: readonly cloudwatch.Alarm[];
}

export interface Observability {
  readonly dashboard: cloudwatch.Dashboard;
  readonly figureAlarms: readonly cloudwatch.Alarm[];
  readonly queries: readonly logs.QueryDefinition[];
}

const WIDTH = 24;

export function addObservability(stack: Stack, props: ObservabilityProps): Observability {
  const { config, functions } = props;
  const stage = config.stage;
  const functionNames = Object.keys(functionSpecs) as FunctionName[];
  const queueNames = Object.keys(queueSpecs) as QueueName[];

  const createdAlarms = figureAlarms(stage).map((a) =>
    props.alarm(a.id, {
      alarmName: a.name,
      alarmDescription: a.description,
      metric: civicMetric(a.metricName, a.service, cloudwatch.Stats.SUM, FIGURE_ALARM_PERIOD),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
  );

  const queries = savedQueries(stage).map(
    (q) =>
      new logs.QueryDefinition(stack, q.id, {
        queryDefinitionName: q.name,
        queryString: new logs.QueryString(q.query),
        logGroups: q.functions.map((f) => functions[f].logGroup),
      }),
  );

  const queueMetric = (metricName: string, queueName: string, label: string, statistic: string = cloudwatch.Stats.MAXIMUM) =>
    new cloudwatch.Metric({
      namespace: 'AWS/SQS',
      metricName,
      dimensionsMap: { QueueName: queueName },
      statistic,
      period: Duration.minutes(1),
      label,
    });
  const lambdaMetric = (metricName: string, fn: FunctionName, statistic: string) =>
    new cloudwatch.Metric({
      namespace: 'AWS/Lambda',
      metricName,
      dimensionsMap: { FunctionName: physicalName(stage, fn) },
      statistic,
      period: Duration.minutes(1),
      label: fn,
    });

  const dashboard = new cloudwatch.Dashboard(stack, 'Dashboard', {
    dashboardName: `civicflow-${stage}`,
    defaultInterval: Duration.days(7),
  });

  dashboard.addWidgets(
    new cloudwatch.TextWidget({
      width: WIDTH,
      height: 2,
      markdown:
        `# CivicFlow ${stage} — ${config.district.name} (${config.district.code})\n` +
        'Figures of 秒批, 免申即享 and 好差评 from the functions\' EMF metrics (namespace `CivicFlow`), then the platform: ' +
        'queues, dead-letter queues, function errors, throttles and latency. Saved queries: Logs Insights → Saved queries → ' +
        `\`civicflow/${stage}/…\`. The monthly report: \`GET /reports/${config.district.code}/YYYY-MM\`.`,
    }),
  );

  // 秒批 — SPEC §4
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: '秒批 decisions by outcome',
      width: 8,
      stacked: true,
      left: [
        searchBy('Decisions', 'Outcome', 'approval', 'Sum', 'approval'),
        searchBy('Decisions', 'Outcome', 'approvalDeadlines', 'Sum', 'deadlines'),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: '秒批率 (instant approvals / decisions on instant items, %)',
      width: 8,
      left: [
        new cloudwatch.MathExpression({
          expression: '100 * approvals / decisions',
          label: '秒批率 %',
          usingMetrics: {
            approvals: civicMetric('InstantApprovals', 'approval'),
            decisions: civicMetric('DecisionsOnInstantItems', 'approval'),
          },
          period: Duration.minutes(5),
        }),
      ],
      leftYAxis: { min: 0, max: 100 },
    }),
    new cloudwatch.GraphWidget({
      title: '秒批 materials waived (免提交), overdue verifications',
      width: 8,
      left: [
        civicMetric('MaterialsWaived', 'approval', 'Sum', Duration.minutes(5), 'materials waived'),
        civicMetric('OverdueVerifications', 'approvalDeadlines', 'Sum', Duration.minutes(5), 'overdue verifications'),
      ],
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: '秒批 decision latency (ms)',
      width: 12,
      left: [
        civicMetric('DecisionLatency', 'approval', 'p50', Duration.minutes(5), 'p50'),
        civicMetric('DecisionLatency', 'approval', 'p95', Duration.minutes(5), 'p95'),
        civicMetric('DecisionLatency', 'approval', 'Maximum', Duration.minutes(5), 'max'),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: '秒批 time-limit compression (%)',
      width: 12,
      left: [civicMetric('TimeLimitCompression', 'approval', 'Average', Duration.minutes(5), 'mean compression %')],
    }),
  );

  // 免申即享 — SPEC §5
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: '免申即享 pushes and grants',
      width: 8,
      left: [
        new cloudwatch.MathExpression({
          expression: 'notifiedPolicy + notifiedMatch',
          label: 'notified',
          usingMetrics: {
            notifiedPolicy: civicMetric('EntitlementsNotified', 'policy'),
            notifiedMatch: civicMetric('EntitlementsNotified', 'match'),
          },
          period: Duration.minutes(5),
        }),
        new cloudwatch.MathExpression({
          expression: 'grantedPolicy + grantedMatch',
          label: 'granted',
          usingMetrics: {
            grantedPolicy: civicMetric('EntitlementsGranted', 'policy'),
            grantedMatch: civicMetric('EntitlementsGranted', 'match'),
          },
          period: Duration.minutes(5),
        }),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: '免申即享 notification delivery',
      width: 8,
      left: [
        civicMetric('NotificationsDelivered', 'notify', 'Sum', Duration.minutes(5), 'delivered'),
        civicMetric('NotificationFailures', 'notify', 'Sum', Duration.minutes(5), 'failures'),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: '免申即享 matching: profiles per slice, publish to last push (ms)',
      width: 8,
      left: [civicMetric('MatchSliceProfiles', 'match', 'Sum', Duration.minutes(5), 'profiles matched')],
      right: [searchBy('PublishToLastPushMs', 'PolicyId', 'match', 'Maximum', 'publish to last push')],
    }),
  );

  // 好差评 — SPEC §6
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: '好差评 reviews by level, 差评, completed cases',
      width: 8,
      stacked: false,
      left: [
        searchBy('ReviewsReceived', 'Level', 'review', 'Sum', 'level'),
        civicMetric('BadReviews', 'review', 'Sum', Duration.minutes(5), '差评'),
        civicMetric('CasesCompleted', 'review', 'Sum', Duration.minutes(5), 'completed cases'),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: '好差评 composite score by department (this month, /10)',
      width: 8,
      left: [searchBy('CompositeScore', 'Department', 'reviewSchedule', 'Maximum', 'score')],
      leftYAxis: { min: 0, max: 10 },
    }),
    new cloudwatch.GraphWidget({
      title: '好差评 差评整改率, coverage by department (this month)',
      width: 8,
      left: [
        searchBy('RectificationRate', 'Department', 'reviewSchedule', 'Maximum', '差评整改率'),
        searchBy('Coverage', 'Department', 'reviewSchedule', 'Maximum', 'coverage'),
      ],
      leftYAxis: { min: 0, max: 1 },
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: '好差评 overdue rectifications (flagged per run; cases this month by department)',
      width: 12,
      left: [civicMetric('OverdueRectifications', 'reviewSchedule', 'Sum', Duration.minutes(15), 'flagged')],
      right: [searchBy('OverdueRectificationCases', 'Department', 'reviewSchedule', 'Maximum', 'overdue cases')],
    }),
    new cloudwatch.GraphWidget({
      title: 'Ingest: events accepted and rejected; API latency',
      width: 12,
      left: [
        civicMetric('EventsAccepted', 'ingest', 'Sum', Duration.minutes(5), 'accepted'),
        civicMetric('EventsRejected', 'ingest', 'Sum', Duration.minutes(5), 'rejected'),
      ],
      right: [props.api.metricLatency({ statistic: 'p95', period: Duration.minutes(5), label: 'API p95 ms' })],
    }),
  );

  // Platform — queue depth and age, DLQ depth, errors, throttles, latency
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Queue depth (visible messages)',
      width: 8,
      left: queueNames.map((q) => queueMetric('ApproximateNumberOfMessagesVisible', physicalName(stage, q), q)),
    }),
    new cloudwatch.GraphWidget({
      title: 'Age of oldest message (s)',
      width: 8,
      left: queueNames.map((q) => queueMetric('ApproximateAgeOfOldestMessage', physicalName(stage, q), q)),
      leftAnnotations: [{ value: oldestMessageAgeSeconds(stack), label: 'alarm', color: cloudwatch.Color.RED }],
    }),
    new cloudwatch.GraphWidget({
      title: 'DLQ depth (must be 0)',
      width: 8,
      left: queueNames.map((q) => queueMetric('ApproximateNumberOfMessagesVisible', deadLetterQueueName(stage, q), `${q} DLQ`)),
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Function errors',
      width: 8,
      left: functionNames.map((f) => lambdaMetric('Errors', f, cloudwatch.Stats.SUM)),
    }),
    new cloudwatch.GraphWidget({
      title: 'Function throttles',
      width: 8,
      left: functionNames.map((f) => lambdaMetric('Throttles', f, cloudwatch.Stats.SUM)),
    }),
    new cloudwatch.GraphWidget({
      title: 'Function latency p95 (ms)',
      width: 8,
      left: functionNames.map((f) => lambdaMetric('Duration', f, 'p95')),
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.AlarmStatusWidget({
      title: 'Alarms',
      width: WIDTH,
      alarms: [...props.alarms, ...createdAlarms],
    }),
  );

  return { dashboard, figureAlarms: createdAlarms, queries };
}
