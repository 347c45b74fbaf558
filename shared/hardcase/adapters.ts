/**
 * The ports as the functions run them: the DynamoDB store, the outbound queue, the functions' clock, the
 * stage's working calendar and its hard-case deadlines. Unit tests build the service with in-memory ports
 * instead (tests/support/memory/hardcase.ts).
 */
import { stageCalendar } from '#platform/calendar';
import { nowIso } from '#platform/clock';
import { publish } from '#platform/outbound';
import { config } from '#platform/stage-config';
import { DEFAULT_HARDCASE_CONFIG, type HardCaseConfig } from './domain';
import type { HardCasePorts } from './ports';
import { createHardCaseService, type HardCaseService } from './service';
import { dynamoHardCaseStore } from './store';

export function stageHardCaseConfig(): HardCaseConfig {
  return config().hardCase ?? DEFAULT_HARDCASE_CONFIG;
}

export function stagePorts(): HardCasePorts {
  return { store: dynamoHardCaseStore, publish, now: nowIso, calendar: stageCalendar(), config: stageHardCaseConfig() };
}

let service: HardCaseService | undefined;

/** The service on the stage's ports, built once per container. */
export function stageHardCaseService(): HardCaseService {
  service ??= createHardCaseService(stagePorts());
  return service;
}
