import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

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
 */
export const dynamo = new DynamoDBClient({ maxAttempts: 5, logger: sdkLogger });
export const ddb = DynamoDBDocumentClient.from(dynamo, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});
