/**
 * The review use cases as the functions run them: the ports (ports.ts) on DynamoDB, the outbound queue,
 * the functions' clock, the stage's calendar, deadlines and district, and Powertools' metrics and logger.
 * Built on first use, once per container: a module that imports this reads no configuration at load.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { stageCalendar } from '#platform/calendar';
import { nowIso } from '#platform/clock';
import { publish } from '#platform/outbound';
import { logger, metrics } from '#platform/powertools';
import { config } from '#platform/stage-config';
import type { ReviewConfig } from './domain/types';
import type { MetricsSink, MetricValue, ReviewPorts } from './ports';
import { runSchedule, type ScheduleSummary } from './schedule';
import { createReviewService, type ReviewService } from './service';
import { dynamoReviewStore } from './store';

export function stageReviewConfig(): ReviewConfig {
  const d = config().deadlines;
  return {
    reminderNaturalDays: d.reminderNaturalDays,
    defaultReviewNaturalDays: d.defaultReviewNaturalDays,
    acknowledgeWorkingDays: d.acknowledgeWorkingDays,
    rectifyWorkingDays: d.rectifyWorkingDays,
    extensionWorkingDays: d.extensionWorkingDays,
  };
}

const UNITS: Readonly<Record<MetricValue['unit'], (typeof MetricUnit)[keyof typeof MetricUnit]>> = {
  Count: MetricUnit.Count,
  None: MetricUnit.NoUnit,
};

const powertoolsMetrics: MetricsSink = {
  count(name, value = 1) {
    metrics.addMetric(name, MetricUnit.Count, value);
  },
  single(dimensions, values) {
    // A single-metric instance writes its values at once, under its own dimensions.
    const single = metrics.singleMetric();
    for (const [name, value] of Object.entries(dimensions)) single.addDimension(name, value);
    for (const v of values) single.addMetric(v.name, UNITS[v.unit], v.value);
  },
};

export function stageReviewPorts(): ReviewPorts {
  return {
    store: dynamoReviewStore,
    outbound: { publish },
    clock: nowIso,
    calendar: stageCalendar(),
    config: stageReviewConfig(),
    district: config().district.code,
    metrics: powertoolsMetrics,
    log: {
      info: (message, attributes) => logger.info(message, attributes ?? {}),
      error: (message, attributes) => logger.error(message, attributes ?? {}),
    },
  };
}

let ports: ReviewPorts | undefined;
let service: ReviewService | undefined;

/** The consumer's use cases. */
export function stageReviewService(): ReviewService {
  service ??= createReviewService(stageReviewPortsOnce());
  return service;
}

/** The schedule's use case. */
export function runStageSchedule(): Promise<ScheduleSummary> {
  return runSchedule(stageReviewPortsOnce());
}

function stageReviewPortsOnce(): ReviewPorts {
  ports ??= stageReviewPorts();
  return ports;
}
