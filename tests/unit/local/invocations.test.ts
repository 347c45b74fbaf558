/**
 * The local runtime runs every function in one process, sharing the module-scope Powertools logger
 * (local/invocations.ts): two handlers of different functions whose invocations interleave across their
 * awaits each log under their own function name and keys, as they would in their own Lambda environments.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { lambdaContext } from '#local/pollers';
import { scopeInvocations, scoped } from '#local/invocations';
import { captureLogs, useEnv, type CapturedLogs } from '#support/logs';

// As the runtime: its environment and the scopes first, then the handler modules (and their logger).
// scopeInvocations sets AWS_LAMBDA_MAX_CONCURRENCY: put back after the file too.
useEnv({ LOG_LEVEL: 'INFO', CIVICFLOW_LOCAL: '1', AWS_LAMBDA_MAX_CONCURRENCY: process.env.AWS_LAMBDA_MAX_CONCURRENCY });
let logger: Logger;
let out: CapturedLogs;

beforeAll(async () => {
  scopeInvocations();
  ({ logger } = await import('#platform/powertools'));
  out = captureLogs({ from: 'stdout' });
});
afterAll(() => out.restore());
beforeEach(() => out.clear());

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A handler as the functions write them: middy, the shared logger, its Lambda context injected. */
function handlerOf(name: string, body: () => Promise<void>) {
  return scoped(
    middy(async (_event: unknown, _context: Context) => {
      logger.appendKeys({ caseOf: name });
      logger.info(`${name}.start`);
      await body();
      logger.info(`${name}.end`);
      return name;
    }).use(injectLambdaContext(logger, { resetKeys: true })) as unknown as (event: unknown, context: Context) => Promise<string>,
  );
}

describe('functions sharing the local process', () => {
  it('log under their own function name and keys while their invocations interleave', async () => {
    const bStarted = deferred();
    const aLogged = deferred();
    // approval starts, waits for notify to start (which sets its own context), then logs again.
    const approval = handlerOf('approval', () => bStarted.promise);
    const notify = handlerOf('notify', async () => {
      bStarted.resolve();
      await aLogged.promise;
    });
    const a = approval({}, lambdaContext('approval', 30));
    const b = notify({}, lambdaContext('notify', 30));
    await a;
    aLogged.resolve();
    expect(await Promise.all([a, b])).toEqual(['approval', 'notify']);

    expect(out.json().map((l) => [l.message, l.function, l.caseOf])).toEqual([
      ['approval.start', 'approval', 'approval'],
      ['notify.start', 'notify', 'notify'],
      ['approval.end', 'approval', 'approval'],
      ['notify.end', 'notify', 'notify'],
    ]);
  });

  it('leave nothing of an invocation on a line logged outside any (the runtime loading a module)', async () => {
    await handlerOf('report', async () => undefined)({}, lambdaContext('report', 30));
    logger.info('outside');
    const last = out.json().at(-1);
    expect(last).toMatchObject({ message: 'outside' });
    expect(last!.function).toBeUndefined();
    expect(last!.caseOf).toBeUndefined();
  });
});
