/**
 * What auditors read in CloudWatch: one dashboard per stage, the figure alarms (overdue
 * rectifications, overdue commitment verifications, the upward sync's refused, parked and waiting records,
 * simulations the sweep had to queue)
 * and the saved Logs Insights queries for the questions
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
import { queueConsumers, type FunctionName } from '#topology';
import { addDashboard, civicMetric } from './dashboard';
import { pascal } from './stateful';
import { RECORDS_DEFERRED_METRIC } from '#platform/consumer';
import { ITEMS_DEFERRED_METRIC, ITEMS_FAILED_METRIC } from '#platform/time-reserve';

export { NAMESPACE, civicMetric } from './dashboard';

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

/** Default of the upward sync's "oldest pending record" alarm; a stage sets `upward.oldestPendingAlarmSeconds`. */
export const DEFAULT_UPWARD_OLDEST_PENDING_SECONDS = 3600;
/** The gauge is written every minute, so five minutes hold several readings of it. */
export const GAUGE_ALARM_PERIOD = Duration.minutes(5);

/** The age (seconds) above which a record still on its way to the platform raises the alarm. */
export function upwardOldestPendingSeconds(config: StageConfig): number {
  return config.upward?.oldestPendingAlarmSeconds ?? DEFAULT_UPWARD_OLDEST_PENDING_SECONDS;
}

interface FigureAlarmBase {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly metricName: string;
  readonly service: FunctionName;
}

/**
 * A count a schedule run adds to: fires when a run counted any (the Sum over the run's period is above 0),
 * or, with `threshold` and `period`, when the Sum over that period is above the threshold.
 */
export interface CountAlarm extends FigureAlarmBase {
  readonly kind: 'count';
  /** Other functions that add to the same count under their own `service`: the alarm reads their sum. */
  readonly alsoFrom?: readonly FunctionName[];
  /** Above this Sum over the period; 0 when not given. */
  readonly threshold?: number;
  /** FIGURE_ALARM_PERIOD when not given. */
  readonly period?: Duration;
  /** Periods in a row that must each be above the threshold; 1 when not given. */
  readonly evaluationPeriods?: number;
}

/**
 * A count as a share (percent) of another count over the same period: fires when the count is above
 * `threshold` percent of the other, the other taken as at least `atLeast` (an hour with few of it, or none,
 * then needs more than `threshold` × `atLeast` / 100).
 */
export interface ShareAlarm extends FigureAlarmBase {
  readonly kind: 'share';
  /** The count it is a share of, and the function that writes it. */
  readonly of: { readonly metricName: string; readonly service: FunctionName };
  readonly atLeast: number;
  /** Percent. */
  readonly threshold: number;
  readonly period: Duration;
}

/** A reading a function writes on every run: fires when the highest reading of a period is above `threshold`. */
export interface GaugeAlarm extends FigureAlarmBase {
  readonly kind: 'gauge';
  readonly threshold: number;
}

export type FigureAlarm = CountAlarm | ShareAlarm | GaugeAlarm;

/**
 * The share of an hour's simulation starts (percent) the sweep may queue before `simulations-requeued`
 * fires. Each one it queues is a start that stopped between storing its job and queueing it, and whose client
 * did not retry with its key (a retry queues it itself). The starts are the measure: the API counts every job
 * it stores (SimulationsStarted, as it is stored), so the requeued are a share of them. A fixed number was
 * noise with many simulations (a minute's outage of the queue strands every start in it: 3 of 200 in an hour
 * is an outage passed) and late with few (every start of a quiet hour failing, 2 of 2, never reached 3).
 * A tenth of the starts stranded is no longer a timeout or a crash now and then: the start path keeps failing.
 *
 * Not a share of the slices: no metric counts them, and a job is 16 slices (an item) or 64 (a policy), so a
 * share of slices would move with the mix of drafts rather than with the failures.
 */
export const SIMULATIONS_REQUEUED_ALARM_PERCENT = 10;

/**
 * The starts of an hour count as at least this many in `simulations-requeued`'s share. One stranded start is
 * then never an alarm by itself (a lone timeout, in an hour of 1 start or of 9), and two are when the hour had
 * 10 starts or fewer (a fifth of them or more). It also keeps the share finite: the sweep queues a job 2 to 7
 * minutes after its start (the grace period, then the next run of a 5-minute schedule), so a start late in
 * one hour is counted as requeued in the next, which may have no start at all.
 */
export const SIMULATIONS_REQUEUED_MIN_STARTS = 10;

/**
 * Records the queue consumers left for redelivery in an hour, because a batch's time left fell below its
 * reserve, above which `records-deferred` fires. A slow minute of DynamoDB defers a few batches (tens of
 * records, each back within the visibility timeout, no harm done); more than 100 an hour means batches keep
 * running out of time, so records are received again and again and may reach a DLQ: a function's timeout
 * is too short for its batch size, or the table is throttled.
 */
export const RECORDS_DEFERRED_PER_HOUR_ALARM = 100;

/**
 * Periods of FIGURE_ALARM_PERIOD (15 minutes) in a row in which one scheduled run's function left items for
 * its next run, after which its `<function>-items-deferred` fires. A run that defers some is working off a
 * backlog (after an outage, a day's reminders falling due at once, a month-end rush): the next run or two
 * take the rest, and nobody need look. Every period of an hour having its deferred items (four runs in a row
 * of a 15-minute schedule, all that the upward sender ran in it) means that schedule does less per run than
 * falls due: the backlog does not shrink, and what waits (a deadline, an invitation, an upward record) is
 * later every run. Any item counts (threshold 0): how many are left follows the size of the list, not how
 * far behind the schedule is.
 *
 * One alarm per function, not one on their sum: "in each of four periods" of a sum fires as well when two
 * schedules each work off a backlog in alternate periods (neither falling behind), and says no more than
 * "some schedule" when one does. Each run writes its count under its function's `service`, so the alarm
 * reads that one series: the alarm names the schedule, and its periods in a row are that schedule's. The
 * cost is small: five standard alarms more per stage, each on one metric (the sum's alarm read all six).
 * ItemsFailed keeps one alarm on the sum: it fires on any failed item in one period, which the sum shows
 * whichever function counted it, and its description sends the reader to the logs that name it.
 */
export const ITEMS_DEFERRED_ALARM_PERIODS = 4;

/**
 * The runs over a list (the users of the time box): each writes ItemsFailed and ItemsDeferred under its name,
 * and has an items-deferred alarm of its own (ITEMS_DEFERRED_ALARM_PERIODS says why).
 */
const LIST_RUNS: readonly FunctionName[] = ['approvalDeadlines', 'reviewSchedule', 'hardcaseSchedule', 'upwardSync', 'simulationSweep', 'entitlementSchedule'];

/**
 * Alarms on figures: overdue rectifications, overdue commitment verifications, the calendar's years, upward
 * sync, simulations the sweep had to queue, items a scheduled run failed on or kept leaving for the next.
 */
export const figureAlarms = (config: StageConfig): readonly FigureAlarm[] => figureAlarmsOf(config.stage, upwardOldestPendingSeconds(config));

const figureAlarmsOf = (stage: string, oldestPendingSeconds: number): readonly FigureAlarm[] => [
  {
    id: 'OverdueRectificationsAlarm',
    name: `civicflow-${stage}-overdue-rectifications`,
    description:
      '好差评: a rectification was flagged overdue (not acknowledged or not rectified in time), by the review schedule or by a step taken after the deadline.',
    metricName: 'OverdueRectifications',
    service: 'reviewSchedule',
    kind: 'count',
    // A step taken after a deadline the schedule has not flagged yet raises the flag in the review consumer.
    alsoFrom: ['review'],
  },
  {
    id: 'OverdueVerificationsAlarm',
    name: `civicflow-${stage}-overdue-verifications`,
    description: '秒批: an approval on commitment (告知承诺) was not verified by its department in time.',
    metricName: 'OverdueVerifications',
    service: 'approvalDeadlines',
    kind: 'count',
  },
  {
    id: 'CalendarUncoveredAlarm',
    name: `civicflow-${stage}-calendar-uncovered`,
    description:
      'Deadlines: the working-day calendar has no public holidays for a year within 90 days, so deadlines across them would come early. Add that year\'s holidays and 调休 working days to the stage config (calendar.holidays, calendar.workdays), or upgrade chinese-days and run npm run calendar:dataset.',
    metricName: 'CalendarYearUncovered',
    service: 'approvalDeadlines',
    kind: 'count',
  },
  {
    id: 'UpwardParkedAlarm',
    name: `civicflow-${stage}-upward-parked`,
    description: '好差评 upward sync: a record failed its last attempt and is PARKED; fix the platform link, then npm run resync -- --state PARKED.',
    metricName: 'UpwardParked',
    service: 'upwardSync',
    kind: 'count',
  },
  {
    id: 'UpwardRejectedAlarm',
    name: `civicflow-${stage}-upward-rejected`,
    description:
      '好差评 upward sync: a record was refused, by the platform or by the profile before sending (a mapping or validation failure); GET /reviews/sync/records?state=REJECTED says why.',
    metricName: 'UpwardRejected',
    service: 'upwardSync',
    kind: 'count',
    // A record the profile refuses is created REJECTED with the review change, in the review consumer.
    alsoFrom: ['review'],
  },
  {
    id: 'UpwardOldestPendingAlarm',
    name: `civicflow-${stage}-upward-oldest-pending`,
    description:
      `好差评 upward sync: a record has waited more than ${oldestPendingSeconds} s to reach the platform (down, unreachable ` +
      'or too slow). GET /reviews/sync/records?state=PENDING shows each record\'s last error; docs/operations.md says what to do.',
    metricName: 'UpwardOldestPendingSeconds',
    service: 'upwardSync',
    kind: 'gauge',
    threshold: oldestPendingSeconds,
  },
  {
    id: 'SimulationsRequeuedAlarm',
    name: `civicflow-${stage}-simulations-requeued`,
    description:
      `沙盘推演: the simulation sweep queued more than ${SIMULATIONS_REQUEUED_ALARM_PERCENT} % of an hour's simulation starts (counted as at least ` +
      `${SIMULATIONS_REQUEUED_MIN_STARTS}), each one a POST /simulations that stored its job and stopped before queueing it: the start path is failing. ` +
      'Look for the simulations function\'s "request failed" lines (503: the table or the queue out; 500: a defect).',
    metricName: 'SimulationsRequeued',
    service: 'simulationSweep',
    kind: 'share',
    of: { metricName: 'SimulationsStarted', service: 'simulations' },
    atLeast: SIMULATIONS_REQUEUED_MIN_STARTS,
    threshold: SIMULATIONS_REQUEUED_ALARM_PERCENT,
    period: Duration.hours(1),
  },
  {
    id: 'RecordsDeferredAlarm',
    name: `civicflow-${stage}-records-deferred`,
    description:
      `Queue consumers left more than ${RECORDS_DEFERRED_PER_HOUR_ALARM} records in an hour for SQS to hand out again, because a batch was running out of time ` +
      '(its "batch out of time: records left for redelivery" warnings). Each comes back with its receive count up; a function whose batches keep ' +
      'running out of time needs a longer timeout or a smaller batch, or its table is throttled. docs/operations.md, "A function that runs out of time".',
    metricName: RECORDS_DEFERRED_METRIC,
    service: queueConsumers[0]!,
    kind: 'count',
    threshold: RECORDS_DEFERRED_PER_HOUR_ALARM,
    period: Duration.hours(1),
    // Every SQS consumer writes the count under its own function.
    alsoFrom: queueConsumers.slice(1),
  },
  {
    id: 'ItemsFailedAlarm',
    name: `civicflow-${stage}-items-failed`,
    description:
      'A scheduled run (or an operator\'s upward re-push) could not do an item (a case, bundle, outbox, publicity window, time-index entry, upward record or simulation): it logged it with its id and ' +
      'left it as it was, and the run went on with the others. It fails again every run until someone looks. Logs Insights on the ' +
      'function, filter level = "ERROR", names it and the error.',
    metricName: ITEMS_FAILED_METRIC,
    service: LIST_RUNS[0]!,
    kind: 'count',
    // Every run over a list writes the count under its own function.
    alsoFrom: LIST_RUNS.slice(1),
  },
  ...LIST_RUNS.map(
    (service): FigureAlarm => ({
      id: `${pascal(service)}ItemsDeferredAlarm`,
      name: `civicflow-${stage}-${service}-items-deferred`,
      description:
        `The scheduled run of ${service} left items it had no time to start (a case, bundle, outbox, publicity window, upward record or simulation) ` +
        `in each of ${ITEMS_DEFERRED_ALARM_PERIODS} 15-minute periods in a row: it does less per run than falls due, and what waits is later every run. ` +
        'Each run\'s log line says how many (deferred); the function needs a longer timeout, or its table is throttled. docs/operations.md, ' +
        '"A schedule that keeps deferring".',
      metricName: ITEMS_DEFERRED_METRIC,
      service,
      kind: 'count',
      evaluationPeriods: ITEMS_DEFERRED_ALARM_PERIODS,
    }),
  ),
];

/** The `simulations-requeued` alarm's share, as the 沙盘推演 graph plots it beside its threshold. */
function simulationsRequeuedShare(alarms: readonly FigureAlarm[]): { readonly metric: cloudwatch.IMetric; readonly threshold: number } {
  const a = alarms.find((x): x is ShareAlarm => x.id === 'SimulationsRequeuedAlarm' && x.kind === 'share');
  if (a === undefined) throw new Error('no simulations-requeued share alarm');
  return { metric: shareOf(a, `queued by the sweep, % of starts (at least ${a.atLeast})`), threshold: a.threshold };
}

export interface SavedQuery {
  readonly id: string;
  /** The name auditors see in Logs Insights ("Saved queries"), in the stage's folder. */
  readonly name: string;
  readonly functions: readonly FunctionName[];
  readonly query: logs.QueryStringProps;
  /** Filters on the stats' results, after the stats lines (the CDK's QueryString puts its filters before). */
  readonly filterAfterStats?: readonly string[];
}

/** A saved query's text: CDK's QueryString, with `filterAfterStats` after its last stats line. */
export class SavedQueryString extends logs.QueryString {
  constructor(
    props: logs.QueryStringProps,
    private readonly afterStats: readonly string[] = [],
  ) {
    super(props);
  }

  override toString(): string {
    const lines = super.toString().split('\n');
    if (this.afterStats.length === 0) return lines.join('\n');
    const lastStats = lines.findLastIndex((l) => l.startsWith('| stats '));
    if (lastStats < 0) throw new Error('filterAfterStats needs a stats statement');
    lines.splice(lastStats + 1, 0, ...this.afterStats.map((f) => `| filter ${f}`));
    return lines.join('\n');
  }
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
    // Flags are raised by the schedule, and by a step taken after a deadline the schedule had not flagged; a
    // step taken by the deadline but processed after the flag withdraws it (a line with a negative flagChange),
    // and so does the approval of an invalid claim, which takes the 差评 out of every figure. The flags still
    // held are summed per case, and a case whose every flag was withdrawn is left out.
    functions: ['review', 'reviewSchedule'],
    query: {
      fields: ['@timestamp', 'caseId', 'reviewId', 'departmentCode', 'itemCode', 'kinds.0', 'state', 'flagChange'],
      filterStatements: ['message in ["rectification.overdue", "rectification.overdue.withdrawn"]'],
      statsStatements: ['sum(flagChange) as flags, latest(state) as state, max(@timestamp) as lastChangedAt by caseId, departmentCode'],
      sort: 'departmentCode asc',
      limit: 10000,
    },
    filterAfterStats: ['flags > 0'],
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

/**
 * A count alarm's metric: the Sum over the period of its function's count, or, when other functions add to
 * it, of all of them (a function that counted nothing in the period adds 0).
 */
function countOf(a: CountAlarm): cloudwatch.IMetric {
  const period = a.period ?? FIGURE_ALARM_PERIOD;
  const own = civicMetric(a.metricName, a.service, cloudwatch.Stats.SUM, period);
  if (!a.alsoFrom || a.alsoFrom.length === 0) return own;
  const metrics = [own, ...a.alsoFrom.map((f) => civicMetric(a.metricName, f, cloudwatch.Stats.SUM, period))];
  return new cloudwatch.MathExpression({
    expression: metrics.map((_, i) => `FILL(m${i}, 0)`).join(' + '),
    usingMetrics: Object.fromEntries(metrics.map((m, i) => [`m${i}`, m])),
    period,
    label: a.metricName,
  });
}

/**
 * A share alarm's metric: 100 × the count's Sum / the other's Sum over the period, the other at least
 * `atLeast` (either counted nothing in the period: 0; a function writes a count only when it ran).
 */
function shareOf(a: ShareAlarm, label?: string): cloudwatch.MathExpression {
  const whole = 'FILL(whole, 0)';
  return new cloudwatch.MathExpression({
    expression: `100 * FILL(part, 0) / IF(${whole} > ${a.atLeast}, ${whole}, ${a.atLeast})`,
    usingMetrics: {
      part: civicMetric(a.metricName, a.service, cloudwatch.Stats.SUM, a.period),
      whole: civicMetric(a.of.metricName, a.of.service, cloudwatch.Stats.SUM, a.period),
    },
    period: a.period,
    label: label ?? `${a.metricName} (% of ${a.of.metricName})`,
  });
}

export function addObservability(stack: Stack, props: ObservabilityProps): Observability {
  const stage = props.config.stage;
  // Missing data is not breaching: a stage that reports nothing upward writes no sync metric at all, and a
  // sender that stops running is the function-errors alarm's business.
  const createdAlarms = figureAlarms(props.config).map((a) =>
    props.alarm(a.id, {
      alarmName: a.name,
      alarmDescription: a.description,
      metric:
        a.kind === 'count'
          ? countOf(a)
          : a.kind === 'share'
            ? shareOf(a)
            : civicMetric(a.metricName, a.service, cloudwatch.Stats.MAXIMUM, GAUGE_ALARM_PERIOD),
      threshold: a.threshold ?? 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: a.kind === 'count' ? (a.evaluationPeriods ?? 1) : 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
  );
  const queries = savedQueries(stage).map(
    (q) =>
      new logs.QueryDefinition(stack, q.id, {
        queryDefinitionName: q.name,
        queryString: new SavedQueryString(q.query, q.filterAfterStats),
        logGroups: q.functions.map((f) => props.functions[f].logGroup),
      }),
  );
  const dashboard = addDashboard(stack, {
    config: props.config,
    api: props.api,
    oldestMessageAgeSeconds: oldestMessageAgeSeconds(stack),
    upwardOldestPendingSeconds: upwardOldestPendingSeconds(props.config),
    simulationsRequeued: simulationsRequeuedShare(figureAlarms(props.config)),
    alarms: [...props.alarms, ...createdAlarms],
  });
  return { dashboard, figureAlarms: createdAlarms, queries };
}
