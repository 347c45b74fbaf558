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
import { getCurrentBundle, getCurrentItem } from '#registry';
import type { ReviewConfig } from './domain/types';
import { DEFAULT_SYNC_CONFIG } from './domain/upward/sync';
import { profileNamed } from './domain/upward/profiles';
import { httpPlatformClient } from './platform-client';
import type { MetricsSink, MetricValue, ReviewPorts, UpwardPorts } from './ports';
import { runSchedule, type ScheduleRunOptions, type ScheduleSummary } from './schedule';
import { createReviewService, type ReviewService } from './service';
import { dynamoReviewStore, loadCase } from './store';
import { dynamoSyncStore } from './store/sync';
import { catalogueEntry, type CatalogueLookups } from './service/upward';
import type { SyncPorts } from './sync';

export function stageReviewConfig(): ReviewConfig {
  const d = config().deadlines;
  return {
    reminderNaturalDays: d.reminderNaturalDays,
    defaultReviewNaturalDays: d.defaultReviewNaturalDays,
    acknowledgeWorkingDays: d.acknowledgeWorkingDays,
    rectifyWorkingDays: d.rectifyWorkingDays,
    extensionWorkingDays: d.extensionWorkingDays,
    ...(config().forwardBadReviewsTo12345 ? { forwardWorkOrders: true } : {}),
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

/** The catalogue on the registry's tables, as the upward sync reads it. */
const catalogue: CatalogueLookups = {
  async item(itemCode) {
    const item = await getCurrentItem(itemCode);
    if (item === undefined) return undefined;
    return {
      name: item.name,
      promisedDays: item.promisedDays,
      departmentCode: item.departmentCode,
      ...(item.departmentCreditCode !== undefined ? { departmentCreditCode: item.departmentCreditCode } : {}),
    };
  },
  bundle: (bundleCode) => getCurrentBundle(bundleCode),
};

/** The stage's upward sync, if it reports upward: its profile, area code, data source and the catalogue. */
export function stageUpwardPorts(): UpwardPorts | undefined {
  const upward = config().upward;
  if (upward === undefined) return undefined;
  return {
    profile: profileNamed(upward.profile),
    settings: { areaCode: config().district.code, dataSource: upward.dataSource, departmentCreditCodes: {} },
    calendar: stageCalendar(),
    // A case names a service item, or a 一件事 bundle (the case a bundle application opens).
    item: (itemCode) => catalogueEntry(itemCode, catalogue),
  };
}

const log: ReviewPorts['log'] = {
  info: (message, attributes) => logger.info(message, attributes ?? {}),
  error: (message, attributes) => logger.error(message, attributes ?? {}),
};

/** The sender's ports; undefined when the stage does not report upward. */
export function stageSyncPorts(): SyncPorts | undefined {
  const upward = stageUpwardPorts();
  const url = config().upward?.url;
  if (upward === undefined || url === undefined) return undefined;
  return {
    store: dynamoSyncStore,
    platform: httpPlatformClient(url),
    now: nowIso,
    config: DEFAULT_SYNC_CONFIG,
    calendar: stageCalendar(),
    metrics: powertoolsMetrics,
    log,
    remap: { upward, loadCase },
  };
}

export function stageReviewPorts(): ReviewPorts {
  const upward = stageUpwardPorts();
  return {
    store: dynamoReviewStore,
    outbound: { publish },
    now: nowIso,
    calendar: stageCalendar(),
    config: stageReviewConfig(),
    district: config().district.code,
    metrics: powertoolsMetrics,
    log,
    ...(upward ? { upward } : {}),
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
export function runStageSchedule(options: ScheduleRunOptions = {}): Promise<ScheduleSummary> {
  return runSchedule(stageReviewPortsOnce(), options);
}

function stageReviewPortsOnce(): ReviewPorts {
  ports ??= stageReviewPorts();
  return ports;
}
