/**
 * The parse step of a consumer (`carriedBy`, shared/contract/queued.ts): a handler receives only the events
 * its queue carries, typed; an internal event that breaks its schema, a type the queue does not carry or a
 * body that is no CloudEvent fails its record alone (to the DLQ after the queue's receives), logged masked.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { creditMarkedEvent } from '#contract/internal';
import { creditMarkedSchema } from '#contract/internal-schemas';
import { captureLogs, useEnv, type CapturedLogs } from '#support/logs';

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

const ZHANG = '440305199003071236';
// Read when the Powertools logger is created. Its errors go to stderr; the "record failed" lines are kept here.
useEnv({ LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true' });
let consumer: typeof import('#platform/consumer');
let failed: CapturedLogs;

beforeAll(async () => {
  consumer = await import('#platform/consumer');
  failed = captureLogs({ from: 'stderr', keep: (line) => line.includes('"record failed"') });
});
afterAll(() => failed.restore());
beforeEach(() => failed.clear());

function record(messageId: string, body: unknown): SQSRecord {
  return {
    messageId,
    receiptHandle: `h-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'test', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:registry',
    awsRegion: 'us-east-1',
  };
}

const context = { functionName: 'registry', awsRequestId: 'r', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

const mark = creditMarkedEvent({ subjectId: ZHANG, applicationId: 'SQ-20261104-000077', at: '2026-11-21T07:30:02.118Z' });
const credit = {
  specversion: '1.0',
  id: 'credit-2026-000001',
  source: '/systems/credit',
  type: 'gov.credit.updated',
  time: '2026-11-01T08:00:00+08:00',
  data: { subjectId: ZHANG, asOf: '2026-11-01', rating: 'A', dishonest: false, falseCommitment: false },
};

function registryConsumer(seen: Array<{ type: string; id: string; data: unknown }>): Handler {
  const { carriedBy, sqsConsumer } = consumer;
  const parse = carriedBy('registry', { 'civicflow.credit.marked': creditMarkedSchema });
  return sqsConsumer(
    async (event) => {
      // Typed by the parse step: each case sees the data of its own type.
      switch (event.type) {
        case 'civicflow.credit.marked':
          seen.push({ type: event.type, id: event.id, data: event.data.kind === 'falseCommitment' ? event.data.applicationId : event.data.policyId });
          return;
        case 'gov.credit.updated':
          seen.push({ type: event.type, id: event.id, data: event.data.rating });
          return;
        default:
          seen.push({ type: event.type, id: event.id, data: null });
      }
    },
    { parse },
  ) as unknown as Handler;
}

describe('a consumer with a parse step (carriedBy)', () => {
  it('hands each event its queue carries to the handler, typed, and fails only the malformed ones', async () => {
    const seen: Array<{ type: string; id: string; data: unknown }> = [];
    const handler = registryConsumer(seen);
    const out = await handler(
      {
        Records: [
          record('m-mark', mark),
          record('m-credit', credit),
          record('m-bad-mark', { ...mark, id: `credit-marked:${ZHANG}`, data: { ...mark.data, at: 'yesterday' } }),
          record('m-not-carried', { ...credit, id: 'policy-1', type: 'gov.policy.published' }),
          record('m-not-cloudevent', { id: 'x', data: {} }),
          record('m-not-json', '{'),
        ],
      },
      context,
    );
    expect(seen).toEqual([
      { type: 'civicflow.credit.marked', id: mark.id, data: 'SQ-20261104-000077' },
      { type: 'gov.credit.updated', id: 'credit-2026-000001', data: 'A' },
    ]);
    expect(out.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['m-bad-mark', 'm-not-carried', 'm-not-cloudevent', 'm-not-json']);
  });

  it('trusts inbound data (validated at the edge) but parses internal data with its schema', async () => {
    const seen: Array<{ type: string; id: string; data: unknown }> = [];
    const handler = registryConsumer(seen);
    // An inbound event the edge accepted under an older schema still reaches its use case.
    const older = { ...credit, data: { ...credit.data, rating: 'E' } };
    const out = await handler({ Records: [record('m-older', older), record('m-extra', { ...mark, data: { ...mark.data, extra: 1 } })] }, context);
    expect(out.batchItemFailures).toEqual([]);
    expect(seen.map((s) => s.data)).toEqual(['E', 'SQ-20261104-000077']);
  });

  it('logs what was wrong with a malformed message, masked', async () => {
    const handler = registryConsumer([]);
    await handler({ Records: [record('m-bad-mark', { ...mark, id: `credit-marked:${ZHANG}`, data: { ...mark.data, at: 'yesterday' } })] }, context).catch(() => undefined);
    expect(failed.lines).toHaveLength(1);
    const line = failed.json()[0]!;
    expect(line.messageId).toBe('m-bad-mark');
    expect(line.eventType).toBe('civicflow.credit.marked');
    expect(String(line.error)).toMatch(/malformed message: civicflow\.credit\.marked .*data\.at: /);
    expect(failed.lines[0]).not.toContain(ZHANG);
  });
});
