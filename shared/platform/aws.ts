import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * SDK clients at module scope, reused across invocations. Endpoints come from the standard
 * `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL_SQS` variables, which the local runtime sets to its
 * stand-ins; in AWS they are unset.
 */
export const dynamo = new DynamoDBClient({ maxAttempts: 5 });
export const ddb = DynamoDBDocumentClient.from(dynamo, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});
// With an explicit endpoint (the local stand-in), the queue URL's host is not an address to call.
export const sqs = new SQSClient({ maxAttempts: 5, useQueueUrlAsEndpoint: !process.env.AWS_ENDPOINT_URL_SQS });
