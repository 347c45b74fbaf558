/**
 * The local HTTP gateway: the topology's routes, turned into API Gateway HTTP API (payload v2) events
 * for the same handler modules, plus development-only controls under /_dev (never deployed).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { routes } from '#topology';
import { RETRY_AFTER_SECONDS } from '#platform/unavailable';
import { lambdaContext } from './pollers';
import { asHttpRequest } from './priority';

export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** API Gateway's HTTP API payload limit. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

interface CompiledRoute {
  readonly method: string;
  readonly path: string;
  readonly pattern: RegExp;
  readonly params: string[];
  readonly function: string;
}

export function compileRoutes(): CompiledRoute[] {
  return routes.map((r) => {
    const params: string[] = [];
    const pattern = new RegExp(
      '^' +
        r.path.replace(/\{(\w+)\+?\}/g, (_m, name: string) => {
          params.push(name);
          return '([^/]+)';
        }) +
        '$',
    );
    return { method: r.method, path: r.path, pattern, params, function: r.function };
  });
}

export type DevRoute = (req: IncomingMessage, body: Buffer, url: URL) => Promise<{ status: number; body: unknown }>;

export interface GatewayOptions {
  readonly handlers: Readonly<Record<string, { handler: HttpHandler; timeoutSeconds: number }>>;
  readonly dev: Readonly<Record<string, DevRoute>>;
  readonly onError: (error: unknown) => void;
  /**
   * The storage's state: while DynamoDB Local's JVM is being restarted the routes answer 503 with
   * Retry-After, and so does a request whose handler failed because the JVM died under it. (A function
   * that could not reach its storage answers 503 with Retry-After itself, as in AWS: that answer passes.)
   */
  readonly storage?: () => { readonly restarting: boolean; readonly crashes: number };
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

function storageRestarting(res: ServerResponse): void {
  send(res, 503, { message: `the storage (DynamoDB Local) is restarting: retry after ${RETRY_AFTER_SECONDS} s` }, { 'retry-after': String(RETRY_AFTER_SECONDS) });
}

/** Whether a failure of a request that began at `before` is the storage's restart, not the handler's. */
async function failedByRestart(options: GatewayOptions, before: { crashes: number } | undefined): Promise<boolean> {
  if (!options.storage || !before) return false;
  // The JVM's exit may be noticed a while after the request's connection to it broke: on a busy machine
  // the child's exit event has been seen to arrive more than 250 ms later, and the client was told 500.
  // Only a failed request waits here, and only in the local runtime.
  for (let i = 0; i < 40; i++) {
    const now = options.storage();
    if (now.restarting || now.crashes !== before.crashes) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

export function gatewayListener(options: GatewayOptions): RequestListener {
  const compiled = compileRoutes();
  return async (req, res) => {
    const storageBefore = options.storage?.();
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = await readBody(req);
      if (body === 'too-large') return send(res, 413, { message: 'Request Entity Too Large' });
      const dev = options.dev[`${req.method} ${url.pathname}`] ?? matchDev(options.dev, req.method ?? 'GET', url.pathname);
      if (dev) {
        const out = await dev(req, body, url);
        return send(res, out.status, out.body);
      }
      const route = compiled.find((r) => r.method === req.method && r.pattern.test(url.pathname));
      if (!route) {
        const known = compiled.some((r) => r.pattern.test(url.pathname));
        return send(res, known ? 405 : 404, { message: known ? 'Method Not Allowed' : 'Not Found' });
      }
      const match = route.pattern.exec(url.pathname)!;
      const decoded = decodePathParameters(route.params, match);
      if (!decoded.ok) return send(res, 400, { message: `path parameter "${decoded.name}" is not valid percent-encoded UTF-8` });
      const pathParameters = decoded.values;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
      }
      const rawQueryString = url.search.startsWith('?') ? url.search.slice(1) : '';
      const event: APIGatewayProxyEventV2 = {
        version: '2.0',
        routeKey: `${route.method} ${route.path}`,
        rawPath: url.pathname,
        rawQueryString,
        headers,
        queryStringParameters: rawQueryString ? Object.fromEntries(url.searchParams) : undefined,
        pathParameters: route.params.length ? pathParameters : undefined,
        requestContext: {
          accountId: '000000000000',
          apiId: 'local',
          domainName: '127.0.0.1',
          domainPrefix: 'local',
          http: {
            method: route.method,
            path: url.pathname,
            protocol: 'HTTP/1.1',
            sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
            userAgent: headers['user-agent'] ?? '',
          },
          requestId: randomUUID(),
          routeKey: `${route.method} ${route.path}`,
          stage: '$default',
          time: new Date().toISOString(),
          timeEpoch: Date.now(),
        },
        body: body.length ? body.toString('base64') : undefined,
        isBase64Encoded: body.length > 0,
      };
      const target = options.handlers[route.function];
      if (!target) return send(res, 500, { message: `no handler for ${route.function}` });
      if (storageBefore?.restarting) return storageRestarting(res);
      // The API's routes go ahead of the queue consumers at the stand-in (see priority.ts); /_dev does not.
      const result = await asHttpRequest(() => target.handler(event, lambdaContext(route.function, target.timeoutSeconds)));
      const retryLater = result.statusCode === 503 && result.headers?.['retry-after'] !== undefined;
      if ((result.statusCode ?? 200) >= 500 && !retryLater && (await failedByRestart(options, storageBefore))) return storageRestarting(res);
      const outBody = result.isBase64Encoded && result.body ? Buffer.from(result.body, 'base64') : (result.body ?? '');
      res.writeHead(result.statusCode ?? 200, (result.headers ?? {}) as Record<string, string>);
      res.end(outBody);
    } catch (error) {
      if (!res.headersSent && (await failedByRestart(options, storageBefore))) return storageRestarting(res);
      options.onError(error);
      if (!res.headersSent) send(res, 500, { message: 'Internal Server Error' });
      else res.end();
    }
  };
}

/** Path parameters decoded as API Gateway does; a malformed %-escape is the client's error (400), not ours. */
function decodePathParameters(
  names: readonly string[],
  match: RegExpExecArray,
): { ok: true; values: Record<string, string> } | { ok: false; name: string } {
  const values: Record<string, string> = {};
  for (const [i, name] of names.entries()) {
    try {
      values[name] = decodeURIComponent(match[i + 1]!);
    } catch {
      return { ok: false, name };
    }
  }
  return { ok: true, values };
}

function matchDev(dev: Readonly<Record<string, DevRoute>>, method: string, path: string): DevRoute | undefined {
  for (const [key, route] of Object.entries(dev)) {
    const [m, p] = key.split(' ');
    if (m !== method || !p?.endsWith('/*')) continue;
    if (path.startsWith(p.slice(0, -1))) return route;
  }
  return undefined;
}
