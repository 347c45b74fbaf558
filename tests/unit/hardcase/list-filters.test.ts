/**
 * GET /hardcases refuses a filter value that is none, naming the parameter, before it reads a case: a cause
 * misspelt would otherwise list no case, as if the month had none of that cause.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { stages } from '#topology/stages';

process.env.CIVICFLOW_CONFIG = JSON.stringify(stages.local);
const { hardCaseRoutes } = await import('#query/hardcase');

const list = (query: Record<string, string>) =>
  hardCaseRoutes['GET /hardcases']!({ params: {}, query: { month: '2026-11', ...query }, principal: '/auditors/district', event: {} as APIGatewayProxyEventV2 });

describe('the filters of GET /hardcases', () => {
  it('refuses a cause that is none, listing the causes and unclassified', async () => {
    const answer = await list({ cause: 'crossdepartment' });
    expect(answer.statusCode).toBe(400);
    const body = JSON.parse(answer.body as string) as Record<string, unknown>;
    expect(JSON.stringify(body)).toContain('cause must be one of policyGap, crossDepartment');
    expect(JSON.stringify(body)).toContain('other, unclassified; got \\"crossdepartment\\"');
  });
});
