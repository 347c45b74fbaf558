import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUNDLE_AIM_BYTES, ESM_REQUIRE_BANNER } from '#infra/constructs/civic-function';
import { stageConfig } from '#topology/stages';
import { functions, type FunctionName } from '#topology';
import { resourcesOfType, synthCivicFlow, tempDir, type SynthResult } from './helpers';

// The one synthesis that runs esbuild for every function (the other infra tests skip bundling), on prod.
const stage = 'prod';
const config = stageConfig(stage);
let s: SynthResult;
beforeAll(() => {
  s = synthCivicFlow(stage, { bundle: true });
}, 120_000);

/** The staged bundle (`index.mjs`) of one function of the synthesized stack. */
function bundleOf(name: FunctionName): string {
  for (const [, fn] of resourcesOfType(s.statelessJson, 'AWS::Lambda::Function')) {
    if (fn.Properties.FunctionName !== `civicflow-${stage}-${name}`) continue;
    return join(s.outdir, `asset.${(fn.Properties.Code.S3Key as string).replace(/\.zip$/, '')}`, 'index.mjs');
  }
  throw new Error(`no function ${name}`);
}

/**
 * Runs a bundle's handler in a fresh Node process, as Lambda would (its environment, no ~/.aws), with DynamoDB's
 * endpoint pointed at a local HTTP server that records each request's headers and answers as DynamoDB would.
 */
async function invokeBundle(name: FunctionName, event: unknown, credentials: Record<string, string>) {
  const requests: Array<{ target: string; headers: IncomingHttpHeaders }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      requests.push({ target, headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      if (target === 'AmazonSQS.SendMessageBatch') {
        // The SQS client checks each message body's MD5.
        const entries = (JSON.parse(body) as { Entries: Array<{ Id: string; MessageBody: string }> }).Entries;
        const md5 = (text: string) => createHash('md5').update(text).digest('hex');
        res.end(JSON.stringify({ Successful: entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: md5(e.MessageBody) })), Failed: [] }));
      } else res.end(target.endsWith('.Query') ? '{"Items":[],"Count":0}' : '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const tables = Object.fromEntries(
    Object.entries(resourcesOfType(s.statelessJson, 'AWS::Lambda::Function').find(([, f]) => f.Properties.FunctionName === `civicflow-${stage}-${name}`)![1].Properties.Environment.Variables as Record<string, unknown>)
      .filter(([k]) => k.startsWith('TABLE_') || k.startsWith('QUEUE_'))
      .map(([k]) => [k, k.startsWith('QUEUE_') ? `https://sqs.ap-east-1.amazonaws.com/000000000000/${k}` : `bundle-test-${k}`]),
  );
  const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(bundleOf(name)).href)});
process.stdout.write(JSON.stringify(await handler(${JSON.stringify(event)}, { awsRequestId: 'r-1', functionName: 'f', getRemainingTimeInMillis: () => 30000 })));`;
  try {
    const child = spawn(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: tempDir('civicflow-bundle-home-'),
        AWS_REGION: 'ap-east-1',
        AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}`,
        AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${port}`,
        AWS_MAX_ATTEMPTS: '1',
        CIVICFLOW_CONFIG: JSON.stringify(config),
        CIVICFLOW_STAGE: stage,
        POWERTOOLS_METRICS_DISABLED: 'true',
        POWERTOOLS_SERVICE_NAME: 'bundle-test',
        POWERTOOLS_METRICS_NAMESPACE: 'CivicFlow',
        LOG_LEVEL: 'ERROR',
        ...tables,
        ...credentials,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { code, stdout, stderr, requests };
  } finally {
    server.close();
  }
}

describe('function bundles (prod)', () => {
  it('bundles every topology function as a minified ESM module with the require banner and a source map', () => {
    const fns = resourcesOfType(s.statelessJson, 'AWS::Lambda::Function');
    const bundled = fns.map(([, fn]) => {
      const name = (fn.Properties.FunctionName as string).replace(`civicflow-${stage}-`, '') as FunctionName;
      // Staged assets live in `asset.<hash>`, and the function's S3 key is `<hash>.zip`.
      const dir = join(s.outdir, `asset.${(fn.Properties.Code.S3Key as string).replace(/\.zip$/, '')}`);
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect([name, code.startsWith(ESM_REQUIRE_BANNER)]).toEqual([name, true]);
      expect([name, existsSync(join(dir, 'index.mjs.map'))]).toEqual([name, true]);
      // The SDK is bundled, never imported from the runtime's copy.
      expect([name, /from\s*["']@aws-sdk\/|import\(["']@aws-sdk\//.test(code)]).toEqual([name, false]);
      return name;
    });
    expect(bundled.sort()).toEqual(Object.keys(functions).sort());
  });

  it('replaces the SDK\'s default credential chain with the Lambda environment\'s credentials', () => {
    for (const name of Object.keys(functions) as FunctionName[]) {
      const code = readFileSync(bundleOf(name), 'utf8');
      // The default chain's SSO and web-identity providers, and the STS and SSO clients they carry, are gone.
      expect([name, /AWS_WEB_IDENTITY_TOKEN_FILE|sso_start_url|AssumeRoleWithWebIdentity/.test(code)]).toEqual([name, false]);
      expect([name, code.includes('AWS_SECRET_ACCESS_KEY')]).toEqual([name, true]);
    }
  });

  it('keeps every function\'s bundle under the aim, so an addition that passes it fails here and not at the next bench', () => {
    const sizes = (Object.keys(functions) as FunctionName[]).map((name) => [name, statSync(bundleOf(name)).size] as const);
    expect(sizes.filter(([, bytes]) => bytes > BUNDLE_AIM_BYTES)).toEqual([]);
  });

  it('carries of each SDK client\'s package.json only its version, and no legal comments', () => {
    for (const name of Object.keys(functions) as FunctionName[]) {
      const code = readFileSync(bundleOf(name), 'utf8');
      // The rest of the SDK's package.json (its dependencies, its scripts), and esbuild's block of legal comments.
      expect([name, ['devDependencies', '"build:types"', '@preserve', 'Bundled license information'].filter((text) => code.includes(text))]).toEqual([name, []]);
    }
  });

  it('leaves out the SDK\'s event-stream codec, which no function loads, for a module that says so', () => {
    for (const name of Object.keys(functions) as FunctionName[]) {
      const code = readFileSync(bundleOf(name), 'utf8');
      // Strings of @smithy/core/event-streams (its decoder's error, the initial-response marker).
      expect([name, ['Truncated event message received', 'initialResponseMarker'].filter((text) => code.includes(text))]).toEqual([name, []]);
      expect([name, code.includes('no function calls an event-stream operation')]).toEqual([name, true]);
    }
  });

  it('builds DynamoDB\'s endpoint cache on the Map-based LRU cache, not on mnemonist', () => {
    for (const name of Object.keys(functions) as FunctionName[]) {
      expect([name, readFileSync(bundleOf(name), 'utf8').includes('mnemonist/lru-cache')]).toEqual([name, false]);
    }
  });

  it('writes Chinese text as UTF-8, not as 6-byte \\u escapes', () => {
    const approval = readFileSync(bundleOf('approval'), 'utf8');
    // The start of the packing dictionary (shared/approval/store/dictionary.ts): 核查期限.
    expect(approval.includes('核查期限')).toBe(true);
    expect(approval.includes('\\u6838\\u67E5')).toBe(false);
  });

  it('gives the match and notify workers only the store code they use', () => {
    // Key prefixes the store writes only when publishing a policy (the active index), refusing an event or
    // running a slice: a worker wired to the whole store would carry them all.
    const policy = readFileSync(bundleOf('policy'), 'utf8');
    const match = readFileSync(bundleOf('match'), 'utf8');
    const notify = readFileSync(bundleOf('notify'), 'utf8');
    for (const key of ['ACTIVE#', 'REFUSAL#', 'RUN#']) expect([key, policy.includes(key)]).toEqual([key, true]);
    expect(['ACTIVE#', 'REFUSAL#'].filter((key) => match.includes(key))).toEqual([]);
    expect(match.includes('RUN#')).toBe(true);
    expect(['ACTIVE#', 'REFUSAL#', 'RUN#', 'OBJECTION#'].filter((key) => notify.includes(key))).toEqual([]);
  });

  it('gives the policy function only the use cases of its queue', () => {
    // Log lines of the match slices, the delivery of notifications and the schedule's publicity run: the policy
    // function calls none of them, and a bundle wired to the whole service would carry them all.
    const policy = readFileSync(bundleOf('policy'), 'utf8');
    // (Quoted as the minified log call has them: an objection's refusal says "the publicity window closed at".)
    const lines = ['"slice skipped"', '"notification without an outbox record"', '"publicity window closed"'];
    expect(lines.filter((line) => policy.includes(line))).toEqual([]);
    expect(readFileSync(bundleOf('entitlementSchedule'), 'utf8').includes('"publicity window closed"')).toBe(true);
    // Nor the store's part for them: the outbox's claim (stale SENDING records) and its delivered mark.
    const outbox = ['":stale"', '":delivered"'];
    expect(outbox.filter((value) => policy.includes(value))).toEqual([]);
    const notify = readFileSync(bundleOf('notify'), 'utf8');
    expect(outbox.filter((value) => notify.includes(value))).toEqual(outbox);
  });

  it('gives the approval consumer none of the deadlines schedule\'s queries and writes, nor the readers\' bundle list', () => {
    // The byDue query (deadlines past, unsent outboxes), a bundle's due entry taken out, and the partition of
    // bundles' due entries written before: shared/approval/store/deadlines.ts, which only the schedule imports.
    const schedule = ['"duePk = :p AND dueAt < :before"', '"REMOVE duePk, dueAt"', '"DUE#BUNDLE_SUPPLEMENT"'];
    const approval = readFileSync(bundleOf('approval'), 'utf8');
    const deadlines = readFileSync(bundleOf('approvalDeadlines'), 'utf8');
    expect(schedule.filter((text) => approval.includes(text))).toEqual([]);
    expect(schedule.filter((text) => deadlines.includes(text))).toEqual(schedule);
    // Every bundle's current version, one bundle's by its code (the 16-shard byItem query): `bundleReader`,
    // which only the query routes and the monthly report take; neither the consumer nor the schedule lists bundles.
    const summaries = '"itemShard = :s AND begins_with(itemKey, :b)"';
    expect([approval, deadlines].map((bundle) => bundle.includes(summaries))).toEqual([false, false]);
    expect(['query', 'monthlyReport'].map((name) => readFileSync(bundleOf(name as FunctionName), 'utf8').includes(summaries))).toEqual([true, true]);
  });

  it('gives the simulations API only the start of a job, not the slices\' replay', () => {
    // The slice worker's log line: the API wired to the whole service would carry the replay of approval's
    // decisions (and the preset dictionary they are packed with) and the matching of profiles.
    const line = '"simulation slice"';
    expect(readFileSync(bundleOf('simulations'), 'utf8').includes(line)).toBe(false);
    expect(readFileSync(bundleOf('simulation'), 'utf8').includes(line)).toBe(true);
  });

  it('gives the simulations API the schemas of the item and policy versions it validates, not every inbound type\'s', () => {
    // Messages of an application's and a review's schemas (the catalogue of every inbound type, schemas.ts),
    // and one of the item version's (version-schemas.ts), which the API validates a draft with.
    const others = ['"is only for a bundle application (with bundleCode)"', '"must give at least one reason when outcome is REJECTED"'];
    const item = '"is required when mode is commitment"';
    const api = readFileSync(bundleOf('simulations'), 'utf8');
    expect(others.filter((message) => api.includes(message))).toEqual([]);
    expect(api.includes(item)).toBe(true);
    const ingest = readFileSync(bundleOf('ingest'), 'utf8');
    expect(others.filter((message) => ingest.includes(message))).toEqual(others);
  });

  it('keeps the receipt kinds\' descriptions in the query routes only', () => {
    const description = 'Already recorded under another event id';
    expect(readFileSync(bundleOf('query'), 'utf8').includes(description)).toBe(true);
    const others = (Object.keys(functions) as FunctionName[]).filter((name) => name !== 'query');
    expect(others.filter((name) => readFileSync(bundleOf(name), 'utf8').includes(description))).toEqual([]);
  });

  it('leaves out what a function imports but never uses: the read-only query routes carry no SQS client', () => {
    // package.json's "sideEffects": false lets esbuild drop a module none of whose exports are used, even
    // when it builds a client at module scope; the query routes reach the hard-case module, whose adapters send.
    const sqsTarget = 'AmazonSQS';
    expect(readFileSync(bundleOf('approval'), 'utf8').includes(sqsTarget)).toBe(true);
    expect(readFileSync(bundleOf('query'), 'utf8').includes(sqsTarget)).toBe(false);
  });

  it('a bundle signs its requests with the credentials Lambda puts in the environment, and needs no other source', async () => {
    const sample = JSON.parse(readFileSync(join(import.meta.dirname, '../../events/samples/gov.credit.updated/good-standing.json'), 'utf8'));
    const event = { Records: [{ messageId: 'm-1', receiptHandle: 'h', body: JSON.stringify(sample), attributes: { ApproximateReceiveCount: '1' }, messageAttributes: {}, eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:ap-east-1:000000000000:q', awsRegion: 'ap-east-1', md5OfBody: '' }] };
    const ok = await invokeBundle('registry', event, {
      AWS_ACCESS_KEY_ID: 'AKIDBUNDLETEST',
      AWS_SECRET_ACCESS_KEY: 'bundle-test-secret',
      AWS_SESSION_TOKEN: 'bundle-test-session',
    });
    expect({ code: ok.code, stderr: ok.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(ok.stdout)).toEqual({ batchItemFailures: [] });
    // The credit record is stored with the event's receipt (one transaction), then the enterprise is queued for re-matching.
    expect(ok.requests.map((r) => r.target)).toEqual(['DynamoDB_20120810.TransactWriteItems', 'AmazonSQS.SendMessageBatch']);
    for (const [r, service] of ok.requests.map((r, i) => [r, ['dynamodb', 'sqs'][i]] as const)) {
      expect(r.headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=AKIDBUNDLETEST/\\d{8}/ap-east-1/${service}/aws4_request`));
      expect(r.headers['x-amz-security-token']).toBe('bundle-test-session');
    }
    // Each client's user agent names its installed version (what the bundle keeps of the client's package.json).
    const version = (client: string) => (JSON.parse(readFileSync(join(import.meta.dirname, `../../node_modules/@aws-sdk/client-${client}/package.json`), 'utf8')) as { version: string }).version;
    expect(ok.requests.map((r) => /\bapi\/(\w+)#([\d.]+)/.exec(String(r.headers['user-agent']))?.slice(1))).toEqual([
      ['dynamodb', version('dynamodb')],
      ['sqs', version('sqs')],
    ]);

    // Without them the record fails at once, naming the missing variables (no metadata service, no ~/.aws).
    const none = await invokeBundle('registry', event, {});
    expect(none.requests).toEqual([]);
    // (A batch whose every record fails is thrown whole, as Powertools does, and Lambda retries it.)
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('All 1 records of the batch failed');
    expect(none.stderr).toMatch(/Unable to find environment variable credentials/);
  }, 30_000);

  it('applies the prod configuration: alarm e-mail, log retention, log level', () => {
    s.stateful.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: config.alarmEmail });
    for (const [, fn] of resourcesOfType(s.statelessJson, 'AWS::Lambda::Function')) {
      expect(fn.Properties.Environment.Variables.LOG_LEVEL).toBe('INFO');
      const logGroup = s.statelessJson.Resources[fn.Properties.LoggingConfig.LogGroup.Ref];
      expect(logGroup.Properties.RetentionInDays).toBe(config.logRetentionDays);
    }
  });

  it('leaves no unacknowledged cdk-nag finding on prod either', () => {
    expect((s.validationReport.pluginReports as { violations: unknown[] }[]).flatMap((r) => r.violations)).toEqual([]);
  });
});
