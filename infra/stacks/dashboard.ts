/**
 * The stage's CloudWatch dashboard, row by row: the figures of 秒批, 一件事, 免申即享, 好差评 and 办不成事 from the
 * functions' EMF metrics, then the platform (queues, dead-letter queues, function errors, throttles, latency)
 * and the alarms' status. observability.ts creates it with the figure alarms and the saved queries.
 */
import { Duration, type Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { StageConfig } from '#topology/stages';
import { deadLetterQueueName, physicalName } from '#infra/constructs/names';
import { functions as functionSpecs, queueConsumers, queues as queueSpecs, type FunctionName, type QueueName } from '#topology';
import { RECORDS_DEFERRED_METRIC, RECORDS_FAILED_METRIC } from '#platform/consumer';

export const NAMESPACE = 'CivicFlow';
const WIDTH = 24;

type Row = cloudwatch.IWidget[];

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

/** A metric summed over every function that emits it: none can be left out of the sum by a list written here. */
function sumOfEveryService(metricName: string, periodSeconds: number): string {
  return `SUM(SEARCH('{${NAMESPACE},service} MetricName="${metricName}"', 'Sum', ${periodSeconds}))`;
}

/** An SQS metric of one queue, by its physical name, per minute. */
function queueMetric(metricName: string, queueName: string, label: string, statistic: string = cloudwatch.Stats.MAXIMUM) {
  return new cloudwatch.Metric({
    namespace: 'AWS/SQS',
    metricName,
    dimensionsMap: { QueueName: queueName },
    statistic,
    period: Duration.minutes(1),
    label,
  });
}

/** A Lambda metric of one function, by its physical name, per minute. */
function lambdaMetric(stage: string, metricName: string, fn: FunctionName, statistic: string) {
  return new cloudwatch.Metric({
    namespace: 'AWS/Lambda',
    metricName,
    dimensionsMap: { FunctionName: physicalName(stage, fn) },
    statistic,
    period: Duration.minutes(1),
    label: fn,
  });
}

export interface DashboardProps {
  readonly config: StageConfig;
  readonly api: apigwv2.HttpApi;
  /** The "old messages" alarm's threshold (s), drawn on the age graph. */
  readonly oldestMessageAgeSeconds: number;
  /** The upward sync's "oldest pending record" alarm threshold (s), drawn on its graph. */
  readonly upwardOldestPendingSeconds: number;
  /** The "simulations requeued" alarm's share of the starts (%) and its threshold, drawn on the 沙盘推演 graph. */
  readonly simulationsRequeued: { readonly metric: cloudwatch.IMetric; readonly threshold: number };
  /** Every alarm to show in the alarm status widget. */
  readonly alarms: readonly cloudwatch.Alarm[];
}

export function addDashboard(stack: Stack, props: DashboardProps): cloudwatch.Dashboard {
  const stage = props.config.stage;
  const dashboard = new cloudwatch.Dashboard(stack, 'Dashboard', {
    dashboardName: `civicflow-${stage}`,
    defaultInterval: Duration.days(7),
  });
  const rows: Row[] = [
    headerRow(props.config),
    ...approvalRows(),
    bundleRow(),
    entitlementRow(),
    publicityRow(),
    ...reviewRows(props.api),
    upwardSyncRow(props.upwardOldestPendingSeconds),
    hardCaseRow(),
    simulationRow(props.simulationsRequeued),
    ...platformRows(stage, props.oldestMessageAgeSeconds),
    [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: WIDTH, alarms: [...props.alarms] })],
  ];
  for (const row of rows) dashboard.addWidgets(...row);
  return dashboard;
}

function headerRow(config: StageConfig): Row {
  return [
    new cloudwatch.TextWidget({
      width: WIDTH,
      height: 2,
      markdown:
        `# CivicFlow ${config.stage} — ${config.district.name} (${config.district.code})\n` +
        'Figures of 秒批, 免申即享 and 好差评 from the functions\' EMF metrics (namespace `CivicFlow`), then the platform: ' +
        'queues, dead-letter queues, function errors, throttles and latency. Saved queries: Logs Insights → Saved queries → ' +
        `\`civicflow/${config.stage}/…\`. The monthly report: \`GET /reports/${config.district.code}/YYYY-MM\`.`,
    }),
  ];
}

/** 秒批 */
function approvalRows(): Row[] {
  return [
    [
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
        title: '秒批 materials waived (免提交), overdue verifications, decisions stored without their facts',
        width: 8,
        left: [
          civicMetric('MaterialsWaived', 'approval', 'Sum', Duration.minutes(5), 'materials waived'),
          civicMetric('OverdueVerifications', 'approvalDeadlines', 'Sum', Duration.minutes(5), 'overdue verifications'),
          // Facts too large to keep with the decision: a simulation cannot replay these.
          civicMetric('DecisionFactsDropped', 'approval', 'Sum', Duration.minutes(5), 'facts dropped (over the storage budget)'),
        ],
      }),
    ],
    [
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
    ],
  ];
}

/**
 * 一件事: bundle applications reaching a final outcome (the approval consumer, or the deadline schedule
 * terminating a child), each counted once — by outcome, the share with no person, materials saved, and the
 * working days against the sum of the items' legal days.
 */
function bundleRow(): Row {
  return [
    new cloudwatch.GraphWidget({
      title: '一件事 bundles finished, by outcome',
      width: 8,
      stacked: true,
      left: [searchBy('BundlesDecided', 'Outcome', 'approval', 'Sum', 'approval'), searchBy('BundlesDecided', 'Outcome', 'approvalDeadlines', 'Sum', 'deadlines')],
    }),
    new cloudwatch.GraphWidget({
      title: '一件事 decided with no person (%), materials saved',
      width: 8,
      left: [
        new cloudwatch.MathExpression({
          expression: '100 * FILL(n, 0) / (FILL(a, 0) + FILL(d, 0))',
          label: 'no person %',
          usingMetrics: {
            n: civicMetric('BundlesDecidedWithNoPerson', 'approval'),
            a: civicMetric('BundlesDecided', 'approval'),
            d: civicMetric('BundlesDecided', 'approvalDeadlines'),
          },
          period: Duration.minutes(5),
        }),
      ],
      leftYAxis: { min: 0, max: 100 },
      right: [
        new cloudwatch.MathExpression({
          expression: 'FILL(savedA, 0) + FILL(savedD, 0)',
          label: 'materials saved',
          usingMetrics: { savedA: civicMetric('BundleMaterialsSaved', 'approval'), savedD: civicMetric('BundleMaterialsSaved', 'approvalDeadlines') },
          period: Duration.minutes(5),
        }),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: '一件事 working days against the items\' legal days (%)',
      width: 8,
      left: [
        civicMetric('BundleTimeAgainstLegal', 'approval', 'Average', Duration.minutes(5), 'mean %'),
        civicMetric('BundleTimeAgainstLegal', 'approvalDeadlines', 'Average', Duration.minutes(5), 'mean % (deadlines)'),
      ],
    }),
  ];
}

/** 免申即享 */
function entitlementRow(): Row {
  return [
    new cloudwatch.GraphWidget({
      title: '免申即享 pushes and grants',
      width: 6,
      left: [
        // Pushes come from a publication or re-match (policy), a slice (match) and the schedule's releases.
        new cloudwatch.MathExpression({ expression: sumOfEveryService('EntitlementsNotified', 300), label: 'notified', period: Duration.minutes(5) }),
        new cloudwatch.MathExpression({ expression: sumOfEveryService('EntitlementsGranted', 300), label: 'granted', period: Duration.minutes(5) }),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: '免申即享 notification delivery',
      width: 6,
      left: [
        civicMetric('NotificationsDelivered', 'notify', 'Sum', Duration.minutes(5), 'delivered'),
        civicMetric('NotificationFailures', 'notify', 'Sum', Duration.minutes(5), 'failures'),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: '免申即享 matching: profiles per slice, publish to last push (ms)',
      width: 6,
      left: [civicMetric('MatchSliceProfiles', 'match', 'Sum', Duration.minutes(5), 'profiles matched')],
      right: [searchBy('PublishToLastPushMs', 'PolicyId', 'match', 'Maximum', 'publish to last push')],
    }),
    new cloudwatch.GraphWidget({
      title: '免申即享 days from eligible to push (mean, hourly)',
      width: 6,
      left: [
        new cloudwatch.MathExpression({
          // Every function that pushes (publish, match, the schedule's releases and time flips) emits both.
          expression: `${sumOfEveryService('EligibleToPushDays', 3600)} / ${sumOfEveryService('EntitlementsNotified', 3600)}`,
          label: 'mean days',
          period: Duration.hours(1),
        }),
      ],
    }),
  ];

}

/**
 * 免申即享 公示, 异议 and 追回, hourly (they are few): the objections, recoveries and payments from the policy
 * queue's consumer; the windows the schedule closed and the listed pairs that lapsed with their policy.
 */
function publicityRow(): Row {
  const hourly = (name: string, label: string) => civicMetric(name, 'policy', cloudwatch.Stats.SUM, Duration.hours(1), label);
  return [
    new cloudwatch.GraphWidget({
      title: '免申即享 objections: filed, upheld, dismissed, added by self-objection (hourly)',
      width: 6,
      left: [
        hourly('ObjectionsFiled', 'filed'),
        hourly('ObjectionsUpheld', 'upheld'),
        hourly('ObjectionsUpheldAfterRelease', 'upheld after release (not removed)'),
        hourly('ObjectionsDismissed', 'dismissed'),
        hourly('EntitlementsAddedBySelfObjection', 'added by self-objection'),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: '免申即享 recoveries (追回): entitlements and yuan recovered (hourly)',
      width: 6,
      left: [hourly('EntitlementsRecovered', 'recovered')],
      right: [hourly('RecoveredAmount', 'yuan recovered')],
    }),
    new cloudwatch.GraphWidget({
      title: '免申即享 publicity to payment (mean natural days, hourly)',
      width: 6,
      left: [
        new cloudwatch.MathExpression({
          expression: 'days / paid',
          label: 'mean days from listing to payment',
          usingMetrics: { days: hourly('PublicityToPaymentDays', 'days'), paid: hourly('PaidAfterPublicity', 'paid') },
          period: Duration.hours(1),
        }),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: '免申即享 publicity windows closed, listed pairs lapsed with their policy (hourly)',
      width: 6,
      left: [
        civicMetric('PublicityWindowsClosed', 'entitlementSchedule', cloudwatch.Stats.SUM, Duration.hours(1), 'windows closed'),
        // Lapsed at the close (the schedule), or by a dismissal or self-objection processed after it (the policy consumer).
        new cloudwatch.MathExpression({ expression: sumOfEveryService('PublicityPairsLapsed', 3600), label: 'pairs lapsed', period: Duration.hours(1) }),
      ],
    }),
  ];
}

/** 好差评 */
function reviewRows(api: apigwv2.HttpApi): Row[] {
  return [
    [
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
    ],
    [
      new cloudwatch.GraphWidget({
        title: '好差评 overdue rectifications (flagged per run; cases this month by department)',
        width: 12,
        left: [
          civicMetric('OverdueRectifications', 'reviewSchedule', 'Sum', Duration.minutes(15), 'flagged'),
          civicMetric('OverdueRectifications', 'review', 'Sum', Duration.minutes(15), 'flagged by a late step'),
        ],
        right: [searchBy('OverdueRectificationCases', 'Department', 'reviewSchedule', 'Maximum', 'overdue cases')],
      }),
      new cloudwatch.GraphWidget({
        title: 'Ingest: events accepted and rejected; API latency',
        width: 12,
        left: [
          civicMetric('EventsAccepted', 'ingest', 'Sum', Duration.minutes(5), 'accepted'),
          civicMetric('EventsRejected', 'ingest', 'Sum', Duration.minutes(5), 'rejected'),
        ],
        right: [api.metricLatency({ statistic: 'p95', period: Duration.minutes(5), label: 'API p95 ms' })],
      }),
    ],
  ];
}

/** 好差评 upward sync: what each run of the sender got back, and how long the oldest record has waited. */
function upwardSyncRow(oldestPendingSeconds: number): Row {
  return [
    new cloudwatch.GraphWidget({
      title: '好差评 upward sync: platform answers per run (acked, rejected, retrying, parked)',
      width: 12,
      stacked: true,
      left: [
        civicMetric('UpwardAcked', 'upwardSync', 'Sum', Duration.minutes(5), 'acked'),
        civicMetric('UpwardRejected', 'upwardSync', 'Sum', Duration.minutes(5), 'rejected'),
        civicMetric('UpwardRetrying', 'upwardSync', 'Sum', Duration.minutes(5), 'retrying'),
        civicMetric('UpwardParked', 'upwardSync', 'Sum', Duration.minutes(5), 'parked'),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: '好差评 upward sync: oldest record on its way (s)',
      width: 12,
      left: [civicMetric('UpwardOldestPendingSeconds', 'upwardSync', 'Maximum', Duration.minutes(5), 'oldest pending')],
      leftYAxis: { min: 0 },
      leftAnnotations: [{ value: oldestPendingSeconds, label: 'alarm', color: cloudwatch.Color.RED }],
    }),
  ];
}

/**
 * 沙盘推演 — simulations started (each job a POST /simulations stored; a repeat of its Idempotency-Key is
 * not one) and those the sweep queued: each one's start stopped between storing the job and queueing it
 * (the `simulations` function's `request failed` lines at that time say why). The sweep's line is a share
 * of the starts, normally flat at 0; on the right, that share as the alarm reads it, and its threshold.
 */
function simulationRow(requeued: DashboardProps['simulationsRequeued']): Row {
  return [
    new cloudwatch.GraphWidget({
      title: '沙盘推演 simulations started, and queued by the sweep (their start stopped half-way)',
      width: 24,
      left: [
        civicMetric('SimulationsStarted', 'simulations', 'Sum', Duration.hours(1), 'started'),
        civicMetric('SimulationsRequeued', 'simulationSweep', 'Sum', Duration.hours(1), 'queued by the sweep'),
      ],
      leftYAxis: { min: 0 },
      right: [requeued.metric],
      rightYAxis: { min: 0, label: '%', showUnits: false },
      rightAnnotations: [{ value: requeued.threshold, label: 'alarm (%)', color: cloudwatch.Color.RED }],
    }),
  ];
}

/** 办不成事 — hard cases opened (reported or offered), steps taken, events refused, overdue flags. */
function hardCaseRow(): Row {
  return [
    new cloudwatch.GraphWidget({
      title: '办不成事 hard cases: opened, offered, steps taken, events refused',
      width: 12,
      left: [
        civicMetric('HardCasesOpened', 'hardcase', 'Sum', Duration.hours(1), 'opened (reported)'),
        civicMetric('HardCasesOffered', 'hardcase', 'Sum', Duration.hours(1), 'offered (terminated application)'),
        civicMetric('HardCasesOffered', 'hardcaseSchedule', 'Sum', Duration.hours(1), 'offered (manual review past its days)'),
        civicMetric('HardCaseSteps', 'hardcase', 'Sum', Duration.hours(1), 'steps taken'),
        civicMetric('HardCaseEventsRefused', 'hardcase', 'Sum', Duration.hours(1), 'events refused'),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: '办不成事 overdue hard cases (flagged)',
      width: 12,
      stacked: true,
      left: [
        civicMetric('HardCasesOverdue', 'hardcase', 'Sum', Duration.hours(1), 'flagged by a step'),
        civicMetric('HardCasesOverdue', 'hardcaseSchedule', 'Sum', Duration.hours(1), 'flagged by the schedule'),
      ],
    }),
  ];
}

/** Platform — queue depth and age, DLQ depth, errors, throttles, latency, the consumers' failed and deferred records */
function platformRows(stage: string, oldestMessageAgeSeconds: number): Row[] {
  const functionNames = Object.keys(functionSpecs) as FunctionName[];
  const queueNames = Object.keys(queueSpecs) as QueueName[];
  return [
    [
      new cloudwatch.GraphWidget({
        title: 'Queue depth (visible messages)',
        width: 8,
        left: queueNames.map((q) => queueMetric('ApproximateNumberOfMessagesVisible', physicalName(stage, q), q)),
      }),
      new cloudwatch.GraphWidget({
        title: 'Age of oldest message (s)',
        width: 8,
        left: queueNames.map((q) => queueMetric('ApproximateAgeOfOldestMessage', physicalName(stage, q), q)),
        leftAnnotations: [{ value: oldestMessageAgeSeconds, label: 'alarm', color: cloudwatch.Color.RED }],
      }),
      new cloudwatch.GraphWidget({
        title: 'DLQ depth (must be 0)',
        width: 8,
        left: queueNames.map((q) => queueMetric('ApproximateNumberOfMessagesVisible', deadLetterQueueName(stage, q), `${q} DLQ`)),
      }),
    ],
    [
      new cloudwatch.GraphWidget({
        title: 'Function errors',
        width: 8,
        left: functionNames.map((f) => lambdaMetric(stage, 'Errors', f, cloudwatch.Stats.SUM)),
      }),
      new cloudwatch.GraphWidget({
        title: 'Function throttles',
        width: 8,
        left: functionNames.map((f) => lambdaMetric(stage, 'Throttles', f, cloudwatch.Stats.SUM)),
      }),
      new cloudwatch.GraphWidget({
        title: 'Function latency p95 (ms)',
        width: 8,
        left: functionNames.map((f) => lambdaMetric(stage, 'Duration', f, 'p95')),
      }),
    ],
    // A batch that failed some records and did the rest is no function error: these show it as it happens.
    [
      new cloudwatch.GraphWidget({
        title: 'Queue consumers: records failed (each logged "record failed"; SQS hands it out again)',
        width: 12,
        left: queueConsumers.map((f) => civicMetric(RECORDS_FAILED_METRIC, f, cloudwatch.Stats.SUM, Duration.minutes(5), f)),
      }),
      new cloudwatch.GraphWidget({
        title: 'Queue consumers: records left for redelivery, their batch out of time',
        width: 12,
        left: queueConsumers.map((f) => civicMetric(RECORDS_DEFERRED_METRIC, f, cloudwatch.Stats.SUM, Duration.minutes(5), f)),
      }),
    ],
  ];
}
