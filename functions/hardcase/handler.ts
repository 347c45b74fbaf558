/**
 * The hard-case consumer (办不成事): cases reported by the 12345 hotline, the window and the online portal,
 * their steps, and 秒批 decisions that may offer a case. Thin: parse, map, call the use case, count what
 * happened. Refusals are recorded by the use case and do not throw; what throws is retried by SQS (an
 * update whose report or earlier step is still on its way, an infrastructure error).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { applicationDecidedSchema } from '#contract/internal-schemas';
import { carriedBy, receiveCountOf, sqsConsumer, type CarriedBy } from '#platform/consumer';
import { afterCommit } from '#platform/group-commit';
import { countsOnce } from '#platform/refusals';
import { logger, metrics } from '#platform/powertools';
import { stageHardCaseService, toDecided, toNewCase, toUpdate, type Outcome } from '#hardcase';
import { eventRef } from '#platform/inbound';

const parse = carriedBy('hardcase', { 'civicflow.application.decided': applicationDecidedSchema });

type HardCaseEvent = CarriedBy<'hardcase'>;

const METRIC: Partial<Record<Outcome['outcome'], string>> = {
  opened: 'HardCasesOpened',
  applied: 'HardCaseSteps',
  refused: 'HardCaseEventsRefused',
  offered: 'HardCasesOffered',
};

async function handle(event: HardCaseEvent, receiveCount: number): Promise<Outcome> {
  const service = stageHardCaseService();
  const ref = eventRef(event);
  switch (event.type) {
    case 'gov.hardcase.reported':
      return service.report(toNewCase(event.data), ref);
    case 'gov.hardcase.updated':
      return service.update(toUpdate(event.data), ref, receiveCount);
    case 'civicflow.application.decided':
      return service.decided(toDecided(event.data));
  }
}

export const handler = sqsConsumer(
  async (event, record) => {
    const out = await handle(event, receiveCountOf(record));
    afterCommit(() => {
      // No description, no phone: the case id leads to them for those entitled.
      logger.info('hardcase', { eventId: event.id, eventType: event.type, caseId: out.caseId, outcome: out.outcome, ...(out.code ? { code: out.code, reason: out.reason } : {}) });
      // A refusal an earlier delivery recorded was counted then.
      const name = countsOnce(out) ? METRIC[out.outcome] : undefined;
      if (name) metrics.addMetric(name, MetricUnit.Count, 1);
      if (out.overdueFlagged) metrics.addMetric('HardCasesOverdue', MetricUnit.Count, out.overdueFlagged);
    });
  },
  { parse },
);
