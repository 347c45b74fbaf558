import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HttpResult } from '#platform/http';

/** A read-only route: gets the path parameters and query string, returns an HTTP result. */
export type QueryRoute = (req: {
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly principal: string;
  readonly event: APIGatewayProxyEventV2;
}) => Promise<HttpResult>;

/** Route table keyed by the API Gateway route key, e.g. "GET /applications/{applicationId}". */
export type QueryRoutes = Readonly<Record<string, QueryRoute>>;
