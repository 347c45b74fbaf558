import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { verify } from '#auth/signature';
import { signingKeys } from './signing-keys';

export type HttpResult = APIGatewayProxyStructuredResultV2;

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

/** A JSON answer whose text is already written (e.g. bounded as it was written): sent as it is. */
export function jsonText(statusCode: number, text: string, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: text };
}

export function problem(statusCode: number, error: string, details?: Record<string, unknown>): HttpResult {
  return json(statusCode, { error, ...details });
}

export function rawBody(event: APIGatewayProxyEventV2): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/** Lower-cased header map (API Gateway v2 already lower-cases; the local gateway does too). */
export function headersOf(event: APIGatewayProxyEventV2): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) out[k.toLowerCase()] = v;
  return out;
}

/** The path the client signed: raw path plus the raw query string. */
export function signedPath(event: APIGatewayProxyEventV2): string {
  return event.rawQueryString ? `${event.rawPath}?${event.rawQueryString}` : event.rawPath;
}

/** Verifies the request signature; the wall clock (not the local runtime's shifted clock) bounds skew. */
export async function authenticate(event: APIGatewayProxyEventV2, body: Buffer) {
  const keys = await signingKeys();
  return verify(headersOf(event), keys, event.requestContext.http.method, signedPath(event), body, Date.now());
}
