import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { gzipSync } from 'node:zlib';
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

/**
 * The most a synchronous Lambda invocation answers: the response object as JSON, 6 MB. Over it Lambda
 * refuses the answer and API Gateway sends a bare 502.
 */
export const LAMBDA_RESPONSE_BYTES = 6 * 1024 * 1024;

/** Answers shorter than this are sent as they are: gzip saves little on them. */
export const GZIP_MIN_BYTES = 1024;

/**
 * Whether an `Accept-Encoding` header takes gzip: `gzip` (or `x-gzip`, or `*`) with a q-value above 0, as
 * RFC 9110 reads it. Absent, or `identity` only, it does not.
 */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (!coding) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam === undefined ? 1 : Number(qParam.slice(2));
    q.set(coding.trim(), Number.isFinite(value) ? value : 0);
  }
  const gzip = q.get('gzip') ?? q.get('x-gzip') ?? q.get('*');
  return gzip !== undefined && gzip > 0;
}

/** The bytes Lambda counts of an answer: the response object as JSON (a body's quotes are escaped in it). */
export function responseBytes(result: HttpResult): number {
  return Buffer.byteLength(JSON.stringify(result), 'utf8');
}

/**
 * The answer as the client can take it and Lambda can send it. A client that accepts gzip gets a body of
 * GZIP_MIN_BYTES or more gzipped (`Content-Encoding: gzip`, the bytes base64-encoded with `isBase64Encoded`,
 * which API Gateway's HTTP APIs send as binary): a JSON answer shrinks 10 to 20 times, so one far over the
 * limit (a big district's monthly report) still fits. One that does not, asking for an answer over the
 * limit, gets a 406 saying to ask with `Accept-Encoding: gzip` instead of Lambda's bare 502.
 */
export function encodedFor(result: HttpResult, acceptEncoding: string | undefined, limitBytes: number = LAMBDA_RESPONSE_BYTES): HttpResult {
  const body = result.body;
  if (typeof body !== 'string' || result.isBase64Encoded || Buffer.byteLength(body, 'utf8') < GZIP_MIN_BYTES) return result;
  const headers = { ...result.headers, vary: 'accept-encoding' };
  if (acceptsGzip(acceptEncoding)) {
    const gzipped: HttpResult = { ...result, headers: { ...headers, 'content-encoding': 'gzip' }, body: gzipSync(body).toString('base64'), isBase64Encoded: true };
    if (responseBytes(gzipped) <= limitBytes) return gzipped;
    return problem(500, `the answer is ${Buffer.byteLength(body, 'utf8')} bytes of JSON, over the ${limitBytes} bytes a response can carry even gzipped`);
  }
  const plain: HttpResult = { ...result, headers };
  if (responseBytes(plain) <= limitBytes) return plain;
  return {
    ...problem(406, `the answer is ${Buffer.byteLength(body, 'utf8')} bytes of JSON, over the ${limitBytes} bytes a response can carry: ask again with the header "Accept-Encoding: gzip" (curl --compressed), and it is sent gzipped`),
    headers: { 'content-type': 'application/json; charset=utf-8', vary: 'accept-encoding' },
  };
}
