import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * The SDK's logger middleware builds a sensitive-data-filtered copy of every request and response for
 * `logger?.info?.(…)`, even when the default logger discards it (a few % of a handler's CPU, measured in a
 * profile of the local soak). A logger without `info` skips that work; the others discard as the default does.
 */
const sdkLogger = { debug() {}, warn() {}, error() {}, trace() {} } as unknown as NonNullable<DynamoDBClientConfig['logger']>;

/**
 * SDK clients at module scope, reused across invocations. Endpoints come from the standard
 * `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL_SQS` variables, which the local runtime sets to its
 * stand-ins; in AWS they are unset.
 */
export const dynamo = new DynamoDBClient({ maxAttempts: 5, logger: sdkLogger });
export const ddb = DynamoDBDocumentClient.from(dynamo, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});
// With an explicit endpoint (the local stand-in), the queue URL's host is not an address to call.
export const sqs = new SQSClient({ maxAttempts: 5, logger: sdkLogger, useQueueUrlAsEndpoint: !process.env.AWS_ENDPOINT_URL_SQS });
