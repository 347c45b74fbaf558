/**
 * The query function (functions/query/handler.ts) answering a big district's monthly report stored in the
 * reports table, against DynamoDB Local: 12,000 service items and 1,200 policies, 6.2 MB of JSON, over the
 * 6 MB Lambda answers. Asked with `Accept-Encoding: gzip` it answers the report gzipped (base64, as API
 * Gateway's HTTP APIs send binary) well within the limit; without, a 406 saying to ask with gzip, not the
 * bare 502 Lambda's refusal would be.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { gunzipSync } from 'node:zlib';
import { devKey, signedHeaders } from '#auth/signature';
import { LAMBDA_RESPONSE_BYTES, responseBytes } from '#platform/http';
import { CURSOR_KEY_ENTRY } from '#platform/signing-keys';
import { useTestDynamo } from '#support/dynamo';
import { useEnv } from '#support/logs';

const AUDITOR = '/auditors/district';
useTestDynamo();
useEnv({ SIGNING_KEYS: JSON.stringify({ [AUDITOR]: devKey(AUDITOR), [CURSOR_KEY_ENTRY]: devKey(CURSOR_KEY_ENTRY) }), LOG_LEVEL: 'SILENT' });
// After the environment: the report's builder reaches the capabilities' stores, which create the logger.
const { bigReport } = await import('#support/big-report');
let handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
let reportJson: string;
beforeAll(async () => {
  ({ handler } = (await import('#functions/query/handler')) as unknown as { handler: typeof handler });
  const report = bigReport({ items: 12_000, policies: 1_200, departments: 60 });
  reportJson = JSON.stringify(report);
  expect(await (await import('#report/store')).saveReport(report)).toBe(true);
}, 120_000);

function get(path: string, headers: Record<string, string> = {}): Promise<APIGatewayProxyStructuredResultV2> {
  const event = {
    version: '2.0',
    routeKey: 'GET /reports/{district}/{month}',
    rawPath: path,
    rawQueryString: '',
    headers: { ...signedHeaders(AUDITOR, devKey(AUDITOR), 'GET', path, ''), ...headers },
    pathParameters: { district: '440305', month: '2026-11' },
    requestContext: { http: { method: 'GET', path } },
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
  return handler(event, { functionName: 'query', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context);
}

it('runs with the logger the file set quiet', async () => {
  expect((await import('#platform/powertools')).logger.getLevelName()).toBe('SILENT');
});

describe('GET /reports/{district}/{month} of a report over 6 MB', () => {
  it('answers it gzipped to a client that accepts gzip, within what Lambda answers', async () => {
    const out = await get('/reports/440305/2026-11', { 'accept-encoding': 'gzip, deflate, br' });
    expect(out).toMatchObject({ statusCode: 200, isBase64Encoded: true, headers: expect.objectContaining({ 'content-encoding': 'gzip' }) });
    expect(responseBytes(out)).toBeLessThan(LAMBDA_RESPONSE_BYTES);
    expect(gunzipSync(Buffer.from(out.body!, 'base64')).toString('utf8')).toBe(reportJson);
  }, 60_000);

  it('answers 406 saying to ask with Accept-Encoding: gzip to a client that does not, instead of an answer Lambda refuses', async () => {
    const out = await get('/reports/440305/2026-11');
    expect(out.statusCode).toBe(406);
    expect(JSON.parse(out.body!).error).toMatch(/ask again with the header "Accept-Encoding: gzip"/);
    expect(responseBytes(out)).toBeLessThan(LAMBDA_RESPONSE_BYTES);
  }, 60_000);
});
