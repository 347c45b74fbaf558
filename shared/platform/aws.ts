import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { abortsWithInvocation } from './invocation-scope';

/**
 * The SDK's logger middleware builds a sensitive-data-filtered copy of every request and response for
 * `logger?.info?.(…)`, even when the default logger discards it (a few % of a handler's CPU, measured in a
 * profile of the local soak). A logger without `info` skips that work; the others discard as the default does.
 */
export const sdkLogger = { debug() {}, warn() {}, error() {}, trace() {} } as unknown as NonNullable<DynamoDBClientConfig['logger']>;

/**
 * The DynamoDB clients at module scope, reused across invocations. The endpoint comes from the standard
 * `AWS_ENDPOINT_URL_DYNAMODB` variable, which the local runtime sets to its stand-in; in AWS it is unset.
 * The SQS client is in queues.ts, so that a function that sends nothing (query) does not bundle it: a
 * client built at module scope is a side effect the bundler must keep wherever the module is imported.
 * Each client's calls made by an HTTP function are cut off when middy ends its invocation
 * (invocation-signal.ts); a document client sends on its own, so it is wrapped as well as its client.
 */
export const dynamo = abortsWithInvocation(new DynamoDBClient({ maxAttempts: 5, logger: sdkLogger }));
const marshallOptions = { removeUndefinedValues: true, convertClassInstanceToMap: false };
export const ddb = abortsWithInvocation(DynamoDBDocumentClient.from(dynamo, { marshallOptions }));

let numbersAsText: DynamoDBDocumentClient | undefined;

/**
 * A document client reading every stored number as the SDK's NumberValue (its decimal text, whole), for a
 * reader that checks what it reads and keeps what it cannot read as it was stored: `ddb` reads a number past
 * 2^53 as a bigint and throws on one that is neither a safe number nor a whole one (12345678901234567890.5),
 * which fails the whole Query or Get before the reader sees the item. numbers.ts turns the text into a number
 * where a number holds it exactly; writes marshal a NumberValue back to the same text. Over a low-level client
 * of its own: a document client keeps its options on its client's config, so a second one over `dynamo`
 * would change how `ddb` reads. Built on first use, so a function that never reads this way never builds it.
 */
export const ddbNumbersAsText = (): DynamoDBDocumentClient =>
  (numbersAsText ??= abortsWithInvocation(
    DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 5, logger: sdkLogger }), {
      marshallOptions,
      unmarshallOptions: { wrapNumbers: true },
    }),
  ));
