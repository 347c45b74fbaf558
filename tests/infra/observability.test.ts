/**
 * What auditors read in CloudWatch, as synthesized: the dashboard's widgets and the metrics
 * each shows, every alarm with its metric and threshold, the saved Logs Insights queries, and the
 * append-only guard on the audit trail.
 */
import { Duration } from 'aws-cdk-lib';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { AUDIT_REWRITE_ACTIONS } from '#infra/constructs/civic-function';
import { TABLE_REWRITE_ACTIONS } from '#infra/constructs/civic-table';
import { DEFAULT_UPWARD_OLDEST_PENDING_SECONDS, ITEMS_DEFERRED_ALARM_PERIODS, OLDEST_MESSAGE_CONTEXT_KEY, RECORDS_DEFERRED_PER_HOUR_ALARM, savedQueries, SIMULATIONS_REQUEUED_ALARM_PERCENT, SIMULATIONS_REQUEUED_MIN_STARTS } from '#infra/stacks/observability';
import { stageConfig } from '#topology/stages';
import { functions, queues, schedules, routes, type FunctionName, type QueueName } from '#topology';
import { asArray, describeRef, resourcesOfType, synthCivicFlow, type Json, type SynthResult } from './helpers';

const stage = 'dev';
const functionNames = Object.keys(functions) as FunctionName[];
const queueNames = Object.keys(queues) as QueueName[];
const consumedQueues = functionNames.flatMap((f) => {
  const consumes = (functions[f] as { consumes?: { queue: QueueName } }).consumes;
  return consumes ? [consumes.queue] : [];
});

let s: SynthResult;
beforeAll(() => {
  s = synthCivicFlow(stage, { bundle: false });
});

const describe$ = (v: unknown) => describeRef(v, s.statelessJson, s.statefulJson);

/** The dashboard body as JSON, each CloudFormation token rendered by what it points at. */
function dashboardBody(): Json {
  const dashboards = resourcesOfType(s.statelessJson, 'AWS::CloudWatch::Dashboard');
  expect(dashboards).toHaveLength(1);
  const p = dashboards[0]![1].Properties;
  expect(p.DashboardName).toBe(`civicflow-${stage}`);
  const body = p.DashboardBody;
  const text = typeof body === 'string' ? body : (body['Fn::Join'][1] as unknown[]).map((part) => describe$(part)).join('');
  return JSON.parse(text) as Json;
}

/** Each widget: its title and the metric rows it plots ([namespace, name, dim, value, ...] or an expression). */
function widgets(): { title: string; type: string; metrics: unknown[][]; annotations?: Json }[] {
  return (dashboardBody().widgets as Json[]).map((w) => ({
    title: (w.properties.title ?? w.properties.markdown ?? '') as string,
    type: w.type as string,
    metrics: (w.properties.metrics ?? []) as unknown[][],
    annotations: w.properties.annotations,
  }));
}
const widget = (title: string) => {
  const found = widgets().filter((w) => w.title === title);
  expect([title, found.length]).toEqual([title, 1]);
  return found[0]!;
};
/** Metric rows reduced to "Namespace/Metric dim=value …" strings; math expressions to their expression. */
function series(title: string): string[] {
  return widget(title).metrics.map((row) => {
    const last = row[row.length - 1];
    if (row.length === 1 && last && typeof last === 'object' && 'expression' in (last as Json)) return (last as Json).expression as string;
    const values = row.filter((x) => typeof x === 'string') as string[];
    const [ns, name, ...dims] = values;
    const pairs: string[] = [];
    for (let i = 0; i + 1 < dims.length; i += 2) pairs.push(`${dims[i]}=${dims[i + 1]}`);
    return [`${ns}/${name}`, ...pairs].join(' ');
  });
}
/** Options of a metric row ({stat, label, period}). */
const optionsOf = (title: string) => widget(title).metrics.map((row) => row[row.length - 1] as Json);

describe('dashboard', () => {
  it('has one widget per figure group of 秒批, 免申即享, 好差评 and the platform, plus the alarm status', () => {
    expect(widgets().map((w) => w.title.split('\n')[0])).toEqual([
      `# CivicFlow ${stage} — 南山区 (440305)`,
      '秒批 decisions by outcome',
      '秒批率 (instant approvals / decisions on instant items, %)',
      '秒批 materials waived (免提交), overdue verifications, decisions stored without their facts',
      '秒批 decision latency (ms)',
      '秒批 time-limit compression (%)',
      '一件事 bundles finished, by outcome',
      '一件事 decided with no person (%), materials saved',
      "一件事 working days against the items' legal days (%)",
      '免申即享 pushes and grants',
      '免申即享 notification delivery',
      '免申即享 matching: profiles per slice, publish to last push (ms)',
      '免申即享 days from eligible to push (mean, hourly)',
      '免申即享 objections: filed, upheld, dismissed, added by self-objection (hourly)',
      '免申即享 recoveries (追回): entitlements and yuan recovered (hourly)',
      '免申即享 publicity to payment (mean natural days, hourly)',
      '免申即享 publicity windows closed, listed pairs lapsed with their policy (hourly)',
      '好差评 reviews by level, 差评, completed cases',
      '好差评 composite score by department (this month, /10)',
      '好差评 差评整改率, coverage by department (this month)',
      '好差评 overdue rectifications (flagged per run; cases this month by department)',
      'Ingest: events accepted and rejected; API latency',
      '好差评 upward sync: platform answers per run (acked, rejected, retrying, parked)',
      '好差评 upward sync: oldest record on its way (s)',
      '办不成事 hard cases: opened, offered, steps taken, events refused',
      '办不成事 overdue hard cases (flagged)',
      '沙盘推演 simulations started, and queued by the sweep (their start stopped half-way)',
      'Queue depth (visible messages)',
      'Age of oldest message (s)',
      'DLQ depth (must be 0)',
      'Function errors',
      'Function throttles',
      'Function latency p95 (ms)',
      'Queue consumers: records failed (each logged "record failed"; SQS hands it out again)',
      'Queue consumers: records left for redelivery, their batch out of time',
      'Alarms',
    ]);
  });

  it('shows each capability\'s figures from the functions\' EMF metrics (namespace CivicFlow, service dimension)', () => {
    expect(series('秒批 decisions by outcome')).toEqual([
      `SEARCH('{CivicFlow,Outcome,service} MetricName="Decisions" service="approval"', 'Sum', 300)`,
      `SEARCH('{CivicFlow,Outcome,service} MetricName="Decisions" service="approvalDeadlines"', 'Sum', 300)`,
    ]);
    // The 秒批率 expression and the two metrics it divides (hidden rows with ids).
    const rate = series('秒批率 (instant approvals / decisions on instant items, %)');
    expect(rate).toEqual(
      expect.arrayContaining([
        '100 * approvals / decisions',
        'CivicFlow/InstantApprovals service=approval',
        'CivicFlow/DecisionsOnInstantItems service=approval',
      ]),
    );
    expect(series('秒批 materials waived (免提交), overdue verifications, decisions stored without their facts')).toEqual([
      'CivicFlow/MaterialsWaived service=approval',
      'CivicFlow/OverdueVerifications service=approvalDeadlines',
      'CivicFlow/DecisionFactsDropped service=approval',
    ]);
    expect(series('秒批 decision latency (ms)')).toEqual(Array(3).fill('CivicFlow/DecisionLatency service=approval'));
    expect(optionsOf('秒批 decision latency (ms)').map((o) => o.stat)).toEqual(['p50', 'p95', 'Maximum']);
    expect(series('秒批 time-limit compression (%)')).toEqual(['CivicFlow/TimeLimitCompression service=approval']);
    // 办不成事: what the hard-case consumer and its schedule emit.
    expect(series('办不成事 hard cases: opened, offered, steps taken, events refused')).toEqual([
      'CivicFlow/HardCasesOpened service=hardcase',
      'CivicFlow/HardCasesOffered service=hardcase',
      'CivicFlow/HardCasesOffered service=hardcaseSchedule',
      'CivicFlow/HardCaseSteps service=hardcase',
      'CivicFlow/HardCaseEventsRefused service=hardcase',
    ]);
    expect(series('办不成事 overdue hard cases (flagged)')).toEqual(['CivicFlow/HardCasesOverdue service=hardcase', 'CivicFlow/HardCasesOverdue service=hardcaseSchedule']);
    // Started: each job POST /simulations stored (the simulations function), beside the sweep's share of them;
    // on the right, that share as the simulations-requeued alarm reads it, with its threshold.
    const simulations = '沙盘推演 simulations started, and queued by the sweep (their start stopped half-way)';
    expect(series(simulations)).toEqual([
      'CivicFlow/SimulationsStarted service=simulations',
      'CivicFlow/SimulationsRequeued service=simulationSweep',
      '100 * FILL(part, 0) / IF(FILL(whole, 0) > 10, FILL(whole, 0), 10)',
    ]);
    expect(optionsOf(simulations).map((o) => [o.stat, o.period, o.yAxis])).toEqual([['Sum', 3600, undefined], ['Sum', 3600, undefined], [undefined, 3600, 'right']]);
    expect(widget(simulations).annotations).toEqual({
      horizontal: [expect.objectContaining({ value: SIMULATIONS_REQUEUED_ALARM_PERCENT, label: 'alarm (%)', yAxis: 'right' })],
    });

    // 一件事: from the approval consumer and the deadline schedule (which may finish a bundle by terminating a child).
    expect(series('一件事 bundles finished, by outcome')).toEqual([
      `SEARCH('{CivicFlow,Outcome,service} MetricName="BundlesDecided" service="approval"', 'Sum', 300)`,
      `SEARCH('{CivicFlow,Outcome,service} MetricName="BundlesDecided" service="approvalDeadlines"', 'Sum', 300)`,
    ]);
    expect(series('一件事 decided with no person (%), materials saved')).toEqual(
      expect.arrayContaining([
        '100 * FILL(n, 0) / (FILL(a, 0) + FILL(d, 0))',
        'FILL(savedA, 0) + FILL(savedD, 0)',
        'CivicFlow/BundlesDecidedWithNoPerson service=approval',
        'CivicFlow/BundlesDecided service=approval',
        'CivicFlow/BundlesDecided service=approvalDeadlines',
        'CivicFlow/BundleMaterialsSaved service=approval',
        'CivicFlow/BundleMaterialsSaved service=approvalDeadlines',
      ]),
    );
    expect(series("一件事 working days against the items' legal days (%)")).toEqual([
      'CivicFlow/BundleTimeAgainstLegal service=approval',
      'CivicFlow/BundleTimeAgainstLegal service=approvalDeadlines',
    ]);
    // Average, the metric's default statistic, is left out of the body.
    expect(optionsOf("一件事 working days against the items' legal days (%)").map((o) => [o.stat, o.label])).toEqual([[undefined, 'mean %'], [undefined, 'mean % (deadlines)']]);

    // Summed over every function that emits them (publication, slices, the schedule's releases), none listed by hand.
    expect(series('免申即享 pushes and grants')).toEqual([
      `SUM(SEARCH('{CivicFlow,service} MetricName="EntitlementsNotified"', 'Sum', 300))`,
      `SUM(SEARCH('{CivicFlow,service} MetricName="EntitlementsGranted"', 'Sum', 300))`,
    ]);
    expect(series('免申即享 notification delivery')).toEqual([
      'CivicFlow/NotificationsDelivered service=notify',
      'CivicFlow/NotificationFailures service=notify',
    ]);
    expect(series('免申即享 matching: profiles per slice, publish to last push (ms)')).toEqual([
      'CivicFlow/MatchSliceProfiles service=match',
      `SEARCH('{CivicFlow,PolicyId,service} MetricName="PublishToLastPushMs" service="match"', 'Maximum', 300)`,
    ]);
    expect(series('免申即享 days from eligible to push (mean, hourly)')).toEqual([
      `SUM(SEARCH('{CivicFlow,service} MetricName="EligibleToPushDays"', 'Sum', 3600)) / ` +
        `SUM(SEARCH('{CivicFlow,service} MetricName="EntitlementsNotified"', 'Sum', 3600))`,
    ]);
    // 公示, 异议 and 追回: what the policy consumer counts once a change is written.
    expect(series('免申即享 objections: filed, upheld, dismissed, added by self-objection (hourly)')).toEqual([
      'CivicFlow/ObjectionsFiled service=policy',
      'CivicFlow/ObjectionsUpheld service=policy',
      'CivicFlow/ObjectionsUpheldAfterRelease service=policy',
      'CivicFlow/ObjectionsDismissed service=policy',
      'CivicFlow/EntitlementsAddedBySelfObjection service=policy',
    ]);
    expect(optionsOf('免申即享 objections: filed, upheld, dismissed, added by self-objection (hourly)').map((o) => o.period)).toEqual([3600, 3600, 3600, 3600, 3600]);
    expect(series('免申即享 recoveries (追回): entitlements and yuan recovered (hourly)')).toEqual([
      'CivicFlow/EntitlementsRecovered service=policy',
      'CivicFlow/RecoveredAmount service=policy',
    ]);
    expect(series('免申即享 publicity to payment (mean natural days, hourly)')).toEqual(
      expect.arrayContaining(['days / paid', 'CivicFlow/PublicityToPaymentDays service=policy', 'CivicFlow/PaidAfterPublicity service=policy']),
    );
    // Pairs lapse at the schedule's close and in the policy consumer (a dismissal or self-objection after it): summed over both.
    expect(series('免申即享 publicity windows closed, listed pairs lapsed with their policy (hourly)')).toEqual([
      'CivicFlow/PublicityWindowsClosed service=entitlementSchedule',
      `SUM(SEARCH('{CivicFlow,service} MetricName="PublicityPairsLapsed"', 'Sum', 3600))`,
    ]);

    expect(series('好差评 reviews by level, 差评, completed cases')).toEqual([
      `SEARCH('{CivicFlow,Level,service} MetricName="ReviewsReceived" service="review"', 'Sum', 300)`,
      'CivicFlow/BadReviews service=review',
      'CivicFlow/CasesCompleted service=review',
    ]);
    expect(series('好差评 composite score by department (this month, /10)')).toEqual([
      `SEARCH('{CivicFlow,Department,service} MetricName="CompositeScore" service="reviewSchedule"', 'Maximum', 300)`,
    ]);
    expect(series('好差评 差评整改率, coverage by department (this month)')).toEqual([
      `SEARCH('{CivicFlow,Department,service} MetricName="RectificationRate" service="reviewSchedule"', 'Maximum', 300)`,
      `SEARCH('{CivicFlow,Department,service} MetricName="Coverage" service="reviewSchedule"', 'Maximum', 300)`,
    ]);
    expect(series('好差评 overdue rectifications (flagged per run; cases this month by department)')).toEqual([
      'CivicFlow/OverdueRectifications service=reviewSchedule',
      'CivicFlow/OverdueRectifications service=review',
      `SEARCH('{CivicFlow,Department,service} MetricName="OverdueRectificationCases" service="reviewSchedule"', 'Maximum', 300)`,
    ]);
    expect(series('好差评 upward sync: platform answers per run (acked, rejected, retrying, parked)')).toEqual(
      ['UpwardAcked', 'UpwardRejected', 'UpwardRetrying', 'UpwardParked'].map((m) => `CivicFlow/${m} service=upwardSync`),
    );
    expect(series('好差评 upward sync: oldest record on its way (s)')).toEqual(['CivicFlow/UpwardOldestPendingSeconds service=upwardSync']);
    expect(optionsOf('好差评 upward sync: oldest record on its way (s)').map((o) => o.stat)).toEqual(['Maximum']);
    expect(widget('好差评 upward sync: oldest record on its way (s)').annotations).toEqual({
      horizontal: [expect.objectContaining({ value: DEFAULT_UPWARD_OLDEST_PENDING_SECONDS, label: 'alarm' })],
    });
    const ingest = series('Ingest: events accepted and rejected; API latency');
    expect(ingest.slice(0, 2)).toEqual(['CivicFlow/EventsAccepted service=ingest', 'CivicFlow/EventsRejected service=ingest']);
    expect(ingest[2]).toMatch(/^AWS\/ApiGateway\/Latency ApiId=AWS::ApiGatewayV2::Api:/);
  });

  it('shows depth and age of every queue and the depth of every DLQ, by their physical names', () => {
    expect(series('Queue depth (visible messages)')).toEqual(
      queueNames.map((q) => `AWS/SQS/ApproximateNumberOfMessagesVisible QueueName=civicflow-${stage}-${q}`),
    );
    expect(series('Age of oldest message (s)')).toEqual(
      queueNames.map((q) => `AWS/SQS/ApproximateAgeOfOldestMessage QueueName=civicflow-${stage}-${q}`),
    );
    expect(widget('Age of oldest message (s)').annotations).toEqual({
      horizontal: [expect.objectContaining({ value: 300, label: 'alarm' })],
    });
    expect(series('DLQ depth (must be 0)')).toEqual(
      queueNames.map((q) => `AWS/SQS/ApproximateNumberOfMessagesVisible QueueName=civicflow-${stage}-${q}-dlq`),
    );
    // The names the dashboard uses are the queues the stateful stack creates.
    const created = resourcesOfType(s.statefulJson, 'AWS::SQS::Queue').map(([, q]) => q.Properties.QueueName as string);
    for (const q of queueNames) expect(created).toEqual(expect.arrayContaining([`civicflow-${stage}-${q}`, `civicflow-${stage}-${q}-dlq`]));
  });

  it('shows errors, throttles and p95 latency of every function', () => {
    const per = (metric: string) => functionNames.map((f) => `AWS/Lambda/${metric} FunctionName=civicflow-${stage}-${f}`);
    expect(series('Function errors')).toEqual(per('Errors'));
    expect(series('Function throttles')).toEqual(per('Throttles'));
    expect(series('Function latency p95 (ms)')).toEqual(per('Duration'));
    expect(optionsOf('Function latency p95 (ms)').every((o) => o.stat === 'p95')).toBe(true);
    const created = resourcesOfType(s.statelessJson, 'AWS::Lambda::Function').map(([, f]) => f.Properties.FunctionName as string);
    expect(created.sort()).toEqual(functionNames.map((f) => `civicflow-${stage}-${f}`).sort());
  });

  it("shows each queue consumer's failed records and the records it left for redelivery, per consumer", () => {
    const consumers = ['registry', 'approval', 'policy', 'match', 'notify', 'review', 'hardcase', 'simulation'];
    expect(series('Queue consumers: records failed (each logged "record failed"; SQS hands it out again)')).toEqual(
      consumers.map((f) => `CivicFlow/RecordsFailed service=${f}`),
    );
    expect(series('Queue consumers: records left for redelivery, their batch out of time')).toEqual(consumers.map((f) => `CivicFlow/RecordsDeferred service=${f}`));
    // Every function an event-source mapping feeds, and nothing else.
    expect(consumers).toHaveLength(resourcesOfType(s.statelessJson, 'AWS::Lambda::EventSourceMapping').length);
  });

  it('lists every alarm of the stack in the alarm status widget', () => {
    const body = dashboardBody();
    const statusWidget = (body.widgets as Json[]).find((w) => w.properties.title === 'Alarms')!;
    const alarmIds = resourcesOfType(s.statelessJson, 'AWS::CloudWatch::Alarm').map(([id]) => `AWS::CloudWatch::Alarm:${id}`);
    expect((statusWidget.properties.alarms as string[]).map((a) => a.replace(/^.*?(AWS::CloudWatch::Alarm:)/, '$1')).sort()).toEqual(
      alarmIds.sort(),
    );
  });
});

describe('alarms to the SNS topic', () => {
  const alarms = () => resourcesOfType(s.statelessJson, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties as Json);
  const byName = (name: string) => {
    const found = alarms().filter((a) => a.AlarmName === name);
    expect([name, found.length]).toEqual([name, 1]);
    return found[0]!;
  };
  const dims = (a: Json) => Object.fromEntries((a.Dimensions as Json[]).map((d) => [d.Name, describe$(d.Value)]));
  const queueId = (physical: string) =>
    resourcesOfType(s.statefulJson, 'AWS::SQS::Queue').find(([, q]) => q.Properties.QueueName === physical)![0];

  it('alarms on each figure with its metric, statistic, period and threshold', () => {
    const table = [
      ['overdue-verifications', 'OverdueVerifications', 'approvalDeadlines'],
      ['calendar-uncovered', 'CalendarYearUncovered', 'approvalDeadlines'],
      ['upward-parked', 'UpwardParked', 'upwardSync'],
    ] as const;
    for (const [suffix, metric, service] of table) {
      const a = byName(`civicflow-${stage}-${suffix}`);
      expect([a.Namespace, a.MetricName, dims(a), a.Statistic, a.Period]).toEqual(['CivicFlow', metric, { service }, 'Sum', 900]);
      expect([a.Threshold, a.ComparisonOperator, a.EvaluationPeriods, a.TreatMissingData]).toEqual([
        0,
        'GreaterThanThreshold',
        1,
        'notBreaching',
      ]);
    }
  });

  it.each([
    ['overdue rectifications flagged by the schedule or by a late step', 'overdue-rectifications', 'OverdueRectifications', 'reviewSchedule', 'review'],
    ['upward records refused by the platform or, as they are created, by the profile', 'upward-rejected', 'UpwardRejected', 'upwardSync', 'review'],
  ])('alarms on %s: the sum of both counts', (_what, suffix, metricName, first, second) => {
    const a = byName(`civicflow-${stage}-${suffix}`);
    expect([a.MetricName, a.Dimensions]).toEqual([undefined, undefined]);
    const metrics = a.Metrics as Json[];
    const expression = metrics.find((m) => m.Expression !== undefined)!;
    expect([expression.Expression, expression.ReturnData]).toEqual(['FILL(m0, 0) + FILL(m1, 0)', true]);
    const counted = metrics
      .filter((m) => m.MetricStat !== undefined)
      .map((m) => {
        const stat = m.MetricStat as Json;
        const metric = stat.Metric as Json;
        return [m.Id, metric.Namespace, metric.MetricName, (metric.Dimensions as Json[]).map((d) => `${d.Name}=${d.Value}`), stat.Stat, stat.Period, m.ReturnData];
      });
    expect(counted).toEqual([
      ['m0', 'CivicFlow', metricName, [`service=${first}`], 'Sum', 900, false],
      ['m1', 'CivicFlow', metricName, [`service=${second}`], 'Sum', 900, false],
    ]);
    expect([a.Threshold, a.ComparisonOperator, a.EvaluationPeriods, a.TreatMissingData]).toEqual([0, 'GreaterThanThreshold', 1, 'notBreaching']);
  });

  it('alarms on the age of the oldest upward-sync record still on its way: the gauge\'s highest reading over 5 minutes', () => {
    const a = byName(`civicflow-${stage}-upward-oldest-pending`);
    expect([a.Namespace, a.MetricName, dims(a), a.Statistic, a.Period]).toEqual(['CivicFlow', 'UpwardOldestPendingSeconds', { service: 'upwardSync' }, 'Maximum', 300]);
    expect([a.Threshold, a.ComparisonOperator, a.EvaluationPeriods, a.TreatMissingData]).toEqual([3600, 'GreaterThanThreshold', 1, 'notBreaching']);
    expect(DEFAULT_UPWARD_OLDEST_PENDING_SECONDS).toBe(3600);
    expect(a.AlarmDescription).toMatch(/more than 3600 s/);
  });

  it('alarms on an item a scheduled run failed on: the sum of every run over a list, any in 15 minutes', () => {
    const a = byName(`civicflow-${stage}-items-failed`);
    const metrics = a.Metrics as Json[];
    const expression = metrics.find((m) => m.Expression !== undefined)!;
    expect([expression.Expression, expression.ReturnData]).toEqual(['FILL(m0, 0) + FILL(m1, 0) + FILL(m2, 0) + FILL(m3, 0) + FILL(m4, 0) + FILL(m5, 0)', true]);
    const counted = metrics
      .filter((m) => m.MetricStat !== undefined)
      .map((m) => {
        const metric = (m.MetricStat as Json).Metric as Json;
        return [metric.MetricName, (metric.Dimensions as Json[]).map((d) => `${d.Name}=${d.Value}`), (m.MetricStat as Json).Stat];
      });
    expect(counted).toEqual(
      ['approvalDeadlines', 'reviewSchedule', 'hardcaseSchedule', 'upwardSync', 'simulationSweep', 'entitlementSchedule'].map((service) => ['ItemsFailed', [`service=${service}`], 'Sum']),
    );
    expect([a.Threshold, a.ComparisonOperator, a.EvaluationPeriods, a.TreatMissingData]).toEqual([0, 'GreaterThanThreshold', 1, 'notBreaching']);
    const [topicId] = resourcesOfType(s.statefulJson, 'AWS::SNS::Topic')[0]!;
    expect(asArray(a.AlarmActions).map(describe$)).toEqual([`AWS::SNS::Topic:${topicId}`]);
  });

  // One alarm on the sum fired as well when two schedules each worked off a backlog in alternate periods,
  // and named no schedule when one kept falling behind: each function's own series, its own periods in a row.
  it('alarms on items a scheduled run kept leaving for the next run: one alarm per run over a list, any in each of 4 periods of 15 minutes in a row of its own', () => {
    const [topicId] = resourcesOfType(s.statefulJson, 'AWS::SNS::Topic')[0]!;
    const services = ['approvalDeadlines', 'reviewSchedule', 'hardcaseSchedule', 'upwardSync', 'simulationSweep', 'entitlementSchedule'];
    for (const service of services) {
      const a = byName(`civicflow-${stage}-${service}-items-deferred`);
      // Its function's count alone, no expression over the others.
      expect([a.Metrics, a.Namespace, a.MetricName, dims(a), a.Statistic, a.Period]).toEqual([undefined, 'CivicFlow', 'ItemsDeferred', { service }, 'Sum', 900]);
      // One run that defers is a backlog being worked off; an hour of them is a schedule that cannot keep up.
      expect([a.Threshold, a.ComparisonOperator, a.EvaluationPeriods, a.DatapointsToAlarm, a.TreatMissingData]).toEqual([0, 'GreaterThanThreshold', 4, undefined, 'notBreaching']);
      expect(a.AlarmDescription).toMatch(new RegExp(`^The scheduled run of ${service} .* in each of 4 15-minute periods in a row`));
      expect(asArray(a.AlarmActions).map(describe$)).toEqual([`AWS::SNS::Topic:${topicId}`]);
    }
    expect(ITEMS_DEFERRED_ALARM_PERIODS).toBe(4);
    // Every function that writes ItemsDeferred has one, and no alarm reads the sum any more.
    const deferred = alarms().filter((a) => a.MetricName === 'ItemsDeferred' || JSON.stringify(a.Metrics ?? []).includes('ItemsDeferred'));
    expect(deferred.map((a) => a.AlarmName).sort()).toEqual(services.map((service) => `civicflow-${stage}-${service}-items-deferred`).sort());
  });

  it('alarms on records the consumers left for redelivery: the sum of every consumer, more than 100 in an hour', () => {
    const a = byName(`civicflow-${stage}-records-deferred`);
    const metrics = a.Metrics as Json[];
    const expression = metrics.find((m) => m.Expression !== undefined)!;
    expect([expression.Expression, expression.ReturnData]).toEqual([[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `FILL(m${i}, 0)`).join(' + '), true]);
    const counted = metrics
      .filter((m) => m.MetricStat !== undefined)
      .map((m) => {
        const metric = (m.MetricStat as Json).Metric as Json;
        return [metric.MetricName, (metric.Dimensions as Json[]).map((d) => `${d.Name}=${d.Value}`), (m.MetricStat as Json).Stat, (m.MetricStat as Json).Period];
      });
    // Every function an event-source mapping feeds, and nothing else.
    const mapped = resourcesOfType(s.statelessJson, 'AWS::Lambda::EventSourceMapping').length;
    expect(counted).toHaveLength(mapped);
    expect(counted).toEqual(
      ['registry', 'approval', 'policy', 'match', 'notify', 'review', 'hardcase', 'simulation'].map((service) => ['RecordsDeferred', [`service=${service}`], 'Sum', 3600]),
    );
    expect([a.Threshold, a.ComparisonOperator, a.EvaluationPeriods, a.TreatMissingData]).toEqual([100, 'GreaterThanThreshold', 1, 'notBreaching']);
    expect(RECORDS_DEFERRED_PER_HOUR_ALARM).toBe(100);
    expect(a.AlarmDescription).toMatch(/more than 100 records in an hour/);
    const [topicId] = resourcesOfType(s.statefulJson, 'AWS::SNS::Topic')[0]!;
    expect(asArray(a.AlarmActions).map(describe$)).toEqual([`AWS::SNS::Topic:${topicId}`]);
  });

  it('alarms on simulations the sweep had to queue: more than 10 % of an hour\'s starts, counted as at least 10, missing data not breaching', () => {
    const a = byName(`civicflow-${stage}-simulations-requeued`);
    const metrics = a.Metrics as Json[];
    const expression = metrics.find((m) => m.Expression !== undefined)!;
    expect([expression.Expression, expression.ReturnData]).toEqual(['100 * FILL(part, 0) / IF(FILL(whole, 0) > 10, FILL(whole, 0), 10)', true]);
    const counted = metrics
      .filter((m) => m.MetricStat !== undefined)
      .map((m) => {
        const metric = (m.MetricStat as Json).Metric as Json;
        return [m.Id, metric.Namespace, metric.MetricName, (metric.Dimensions as Json[]).map((d) => `${d.Name}=${d.Value}`), (m.MetricStat as Json).Stat, (m.MetricStat as Json).Period];
      });
    // The sweep's count over the API's: each job the sweep queues was counted as started when it was stored.
    expect(counted).toEqual([
      ['part', 'CivicFlow', 'SimulationsRequeued', ['service=simulationSweep'], 'Sum', 3600],
      ['whole', 'CivicFlow', 'SimulationsStarted', ['service=simulations'], 'Sum', 3600],
    ]);
    expect([a.Threshold, a.ComparisonOperator, a.EvaluationPeriods, a.TreatMissingData]).toEqual([10, 'GreaterThanThreshold', 1, 'notBreaching']);
    expect([SIMULATIONS_REQUEUED_ALARM_PERCENT, SIMULATIONS_REQUEUED_MIN_STARTS]).toEqual([10, 10]);
    expect(a.AlarmDescription).toMatch(/more than 10 % of an hour's simulation starts \(counted as at least 10\)/);
    // What it decides for an hour of `requeued` and `started` (undefined: the function wrote no count), with the
    // expression read as CloudWatch's metric math reads it.
    const js = (expression.Expression as string).replace(/FILL\((\w+), 0\)/g, '($1 ?? 0)').replace(/IF\(/g, 'iff(');
    const share = new Function('part', 'whole', 'iff', `return ${js};`) as (p?: number, w?: number, iff?: unknown) => number;
    const fires = (requeued: number | undefined, started: number | undefined) => share(requeued, started, (c: boolean, t: number, f: number) => (c ? t : f)) > a.Threshold;
    // One stranded start alone is a timeout now and then, whatever the hour's starts.
    expect([fires(1, 1), fires(1, 9), fires(1, undefined)]).toEqual([false, false, false]);
    // Few starts, most of them stranded: the start path is failing (3 in an hour never came).
    expect([fires(2, 2), fires(2, 10), fires(2, 20), fires(2, undefined)]).toEqual([true, true, false, true]);
    // Many: a minute's outage is not an alarm; a tenth of the starts is.
    expect([fires(3, 200), fires(20, 200), fires(21, 200)]).toEqual([false, false, true]);
    expect([fires(0, 500), fires(undefined, 500), fires(undefined, undefined)]).toEqual([false, false, false]);
    const [topicId] = resourcesOfType(s.statefulJson, 'AWS::SNS::Topic')[0]!;
    expect([asArray(a.AlarmActions).map(describe$), asArray(a.OKActions).map(describe$)]).toEqual([[`AWS::SNS::Topic:${topicId}`], [`AWS::SNS::Topic:${topicId}`]]);
  });

  it('takes the oldest-pending threshold from the stage\'s upward configuration, and refuses a nonsense value', () => {
    const base = stageConfig(stage);
    const upward = { profile: 'national', url: 'https://platform.example.gov.cn/api/evaluations', dataSource: '144' };
    const other = synthCivicFlow(stage, { bundle: false, config: { ...base, upward: { ...upward, oldestPendingAlarmSeconds: 900 } } });
    const alarm = resourcesOfType(other.statelessJson, 'AWS::CloudWatch::Alarm')
      .map(([, x]) => x.Properties as Json)
      .find((x) => x.AlarmName === `civicflow-${stage}-upward-oldest-pending`)!;
    expect([alarm.Threshold, alarm.Statistic]).toEqual([900, 'Maximum']);
    expect(() => synthCivicFlow(stage, { bundle: false, config: { ...base, upward: { ...upward, oldestPendingAlarmSeconds: 30 } } })).toThrow(
      /oldestPendingAlarmSeconds must be whole seconds from 60/,
    );
  });

  it('alarms on every DLQ not empty, every function error and old messages in every consumed queue', () => {
    for (const q of queueNames) {
      const a = byName(`civicflow-${stage}-${q}-dlq-not-empty`);
      expect([a.Namespace, a.MetricName, a.Statistic, a.Threshold, a.ComparisonOperator]).toEqual([
        'AWS/SQS',
        'ApproximateNumberOfMessagesVisible',
        'Maximum',
        0,
        'GreaterThanThreshold',
      ]);
      expect(dims(a)).toEqual({ QueueName: `AWS::SQS::Queue:${queueId(`civicflow-${stage}-${q}-dlq`)}` });
    }
    for (const f of functionNames) {
      const a = byName(`civicflow-${stage}-${f}-errors`);
      expect([a.Namespace, a.MetricName, a.Statistic, a.Period, a.Threshold, a.ComparisonOperator]).toEqual([
        'AWS/Lambda',
        'Errors',
        'Sum',
        60,
        0,
        'GreaterThanThreshold',
      ]);
    }
    for (const q of consumedQueues) {
      const a = byName(`civicflow-${stage}-${q}-oldest-message`);
      expect([a.Namespace, a.MetricName, a.Statistic, a.Threshold, a.ComparisonOperator]).toEqual([
        'AWS/SQS',
        'ApproximateAgeOfOldestMessage',
        'Maximum',
        300,
        'GreaterThanThreshold',
      ]);
      expect(dims(a)).toEqual({ QueueName: `AWS::SQS::Queue:${queueId(`civicflow-${stage}-${q}`)}` });
    }
    // The figure alarms: 9, and one items-deferred alarm per run over a list (6).
    expect(alarms()).toHaveLength(15 + queueNames.length + functionNames.length + consumedQueues.length);
  });

  it('sends every alarm and its recovery to the alarm topic', () => {
    const [topicId] = resourcesOfType(s.statefulJson, 'AWS::SNS::Topic')[0]!;
    for (const a of alarms()) {
      expect([a.AlarmName, asArray(a.AlarmActions).map(describe$), asArray(a.OKActions).map(describe$)]).toEqual([
        a.AlarmName,
        [`AWS::SNS::Topic:${topicId}`],
        [`AWS::SNS::Topic:${topicId}`],
      ]);
    }
  });

  it('takes the old-message age from the stage context, and refuses a nonsense value', () => {
    const other = synthCivicFlow(stage, { bundle: false, appProps: { context: { [OLDEST_MESSAGE_CONTEXT_KEY]: '900' } } });
    const ages = resourcesOfType(other.statelessJson, 'AWS::CloudWatch::Alarm')
      .map(([, a]) => a.Properties as Json)
      .filter((a) => a.MetricName === 'ApproximateAgeOfOldestMessage');
    expect(ages).toHaveLength(consumedQueues.length);
    for (const a of ages) expect(a.Threshold).toBe(900);
    expect(() => synthCivicFlow(stage, { bundle: false, appProps: { context: { [OLDEST_MESSAGE_CONTEXT_KEY]: '0' } } })).toThrow(
      /whole seconds from 1/,
    );
  });
});

describe('saved Logs Insights queries', () => {
  const definitions = () => resourcesOfType(s.statelessJson, 'AWS::Logs::QueryDefinition').map(([, q]) => q.Properties as Json);
  const logGroupsOf = (q: Json) =>
    asArray(q.LogGroupNames).map((ref) => s.statelessJson.Resources[(ref as Json).Ref].Properties.LogGroupName as string);

  it('saves exactly the five auditor questions, each over the log groups of the functions that log its lines', () => {
    const expected: [string, string[], string][] = [
      [
        'why-was-this-application-decided-so',
        ['approval', 'approvalDeadlines'],
        'fields @timestamp, applicationId, itemCode, itemVersion, sequence, cause, outcome, reasons.0, reasons.1, reasons.2, latencyMs\n' +
          '| filter message = "decision"\n| filter applicationId = "SQ-20261103-000187"\n| sort @timestamp asc',
      ],
      [
        'all-decisions-of-an-item-in-a-period',
        ['approval', 'approvalDeadlines'],
        'fields @timestamp, applicationId, sequence, cause, outcome, reasons.0, latencyMs\n' +
          '| filter message = "decision"\n| filter itemCode = "CG-0107"\n| sort @timestamp asc\n| limit 10000',
      ],
      [
        'overdue-bad-reviews-this-month',
        ['review', 'reviewSchedule'],
        'fields @timestamp, caseId, reviewId, departmentCode, itemCode, kinds.0, state, flagChange\n' +
          '| filter message in ["rectification.overdue", "rectification.overdue.withdrawn"]\n' +
          '| stats sum(flagChange) as flags, latest(state) as state, max(@timestamp) as lastChangedAt by caseId, departmentCode\n' +
          // A case whose every flag was withdrawn (a step taken in time, processed after the flag) is not listed.
          '| filter flags > 0\n' +
          '| sort departmentCode asc\n| limit 10000',
      ],
      [
        'who-was-pushed-policy-p-and-when',
        ['notify'],
        'fields @timestamp, policyId, policyVersion, creditCode, notifiedAt, deliveredAt, channels.0, channels.1\n' +
          '| filter message = "entitlement.notified"\n| filter policyId = "POL-2026-EXPORT-INS"\n| sort notifiedAt asc\n| limit 10000',
      ],
      [
        'every-action-on-a-rectification-case',
        ['review', 'reviewSchedule'],
        'fields @timestamp, message, action, outcome, code, reason, actorDepartment, actorStaff, at, kinds.0, state, reviewLevel\n' +
          '| filter caseId = "SQ-20261103-000187"\n| filter message like /^(review|rectification)\\./\n| sort @timestamp asc',
      ],
    ];
    const defs = definitions();
    expect(defs.map((d) => d.Name).sort()).toEqual(expected.map(([n]) => `civicflow/${stage}/${n}`).sort());
    for (const [name, fns, query] of expected) {
      const d = defs.find((x) => x.Name === `civicflow/${stage}/${name}`)!;
      expect([name, d.QueryString]).toEqual([name, query]);
      expect([name, logGroupsOf(d)]).toEqual([name, fns.map((f) => `/aws/lambda/civicflow-${stage}-${f}`)]);
    }
    expect(savedQueries(stage)).toHaveLength(expected.length);
  });

  it('reads only fields the functions write (the log lines are asserted in tests/integration/report.test.ts)', () => {
    for (const d of definitions()) expect(d.QueryString).toMatch(/filter (message = "[a-z.]+"|message in \["[a-z.]+"(, "[a-z.]+")*\]|caseId = )/);
  });
});

describe('append-only audit trail', () => {
  const roleStatements = (name: FunctionName) => {
    const [, fn] = resourcesOfType(s.statelessJson, 'AWS::Lambda::Function').find(
      ([, r]) => r.Properties.FunctionName === `civicflow-${stage}-${name}`,
    )!;
    const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
    return resourcesOfType(s.statelessJson, 'AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
  };
  const onAudit = (st: Json) => asArray(st.Resource).some((r) => /:table\/civicflow-dev-audit$/.test(describe$(r)));

  it('denies every function UpdateItem, DeleteItem, BatchWriteItem and PartiQL writes on the audit table', () => {
    for (const name of functionNames) {
      const denies = roleStatements(name).filter((st) => st.Effect === 'Deny' && onAudit(st));
      expect([name, denies.length]).toEqual([name, 1]);
      expect(asArray(denies[0]!.Action).sort()).toEqual([...AUDIT_REWRITE_ACTIONS].sort());
    }
  });

  it('allows the audit writers PutItem only (create-only puts), never an update or delete', () => {
    const writers = functionNames.filter((f) => (functions[f].tables as Record<string, string>).audit === 'write');
    expect(writers.length).toBeGreaterThan(3);
    for (const name of writers) {
      const allowed = roleStatements(name)
        .filter((st) => st.Effect === 'Allow' && onAudit(st))
        .flatMap((st) => asArray(st.Action) as string[]);
      expect([name, allowed.sort()]).toEqual([name, ['dynamodb:DescribeTable', 'dynamodb:PutItem']]);
    }
  });

  it('gives the audit table a resource policy that denies rewrites to every principal', () => {
    const [, audit] = resourcesOfType(s.statefulJson, 'AWS::DynamoDB::Table').find(
      ([, t]) => t.Properties.TableName === `civicflow-${stage}-audit`,
    )!;
    const [statement] = audit.Properties.ResourcePolicy.PolicyDocument.Statement as Json[];
    expect(statement).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' } });
    expect(asArray(statement!.Action).sort()).toEqual([...TABLE_REWRITE_ACTIONS].sort());
    expect(describe$(statement!.Resource)).toBe(`arn:<AWS::Partition>:dynamodb:<AWS::Region>:<AWS::AccountId>:table/civicflow-${stage}-audit`);
    // No other table carries one.
    const others = resourcesOfType(s.statefulJson, 'AWS::DynamoDB::Table').filter(([, t]) => t.Properties.ResourcePolicy);
    expect(others).toHaveLength(1);
  });
});

describe('the monthly report', () => {
  it('is built by a daily schedule and read through GET /reports/{district}/{month}', () => {
    const schedule = schedules.find((x) => x.name === 'monthly-report')!;
    expect(schedule.function).toBe('monthlyReport');
    const rules = resourcesOfType(s.statelessJson, 'AWS::Events::Rule').filter(
      ([, r]) => r.Properties.Name === `civicflow-${stage}-monthly-report`,
    );
    expect(rules).toHaveLength(1);
    expect(rules[0]![1].Properties.ScheduleExpression).toBe(Schedule.rate(Duration.days(1)).expressionString);
    expect(routes).toEqual(expect.arrayContaining([{ method: 'GET', path: '/reports/{district}/{month}', function: 'query' }]));
    expect(functions.monthlyReport.tables).toEqual({ approvals: 'read', entitlements: 'read', reviews: 'read', hardcases: 'read', reports: 'readwrite' });
    expect((functions.query.tables as Record<string, string>).reports).toBe('read');
  });
});
