import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { env } from '../../infra/topology';
import { ddb } from '../platform/aws';
import { requireEnv } from '../platform/config';
import { json, problem } from '../platform/http';
import { eventKey } from '../ingest/store';
import type { QueryRoutes } from './router';

export const eventRoutes: QueryRoutes = {
  /** An accepted inbound event as recorded at the edge: proof of receipt, its content hash and queue. */
  'GET /events/{id}': async ({ params, query }) => {
    const source = query.source;
    if (!source) return problem(400, 'query parameter "source" is required (the CloudEvents source, e.g. /systems/catalog)');
    const out = await ddb.send(
      new GetCommand({ TableName: requireEnv(env.table('events')), Key: eventKey(source, params.id ?? '') }),
    );
    if (!out.Item) return problem(404, `no event (${source}, ${params.id}) was accepted`);
    const { source: s, id, type, queue, hash, receivedAt, event } = out.Item;
    return json(200, { source: s, id, type, queue, hash, receivedAt, event: JSON.parse(event as string) });
  },
};
