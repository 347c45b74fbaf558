/**
 * Physical names of CivicFlow resources. Tables and queues are named, not generated, so that operators'
 * commands (redrive, Logs Insights) and IAM statements can name them, and so the stateless stack can refer
 * to a table by name instead of through a CloudFormation export that would pin the stateful stack.
 */
export const physicalName = (stage: string, name: string) => `civicflow-${stage}-${name}`;
export const deadLetterQueueName = (stage: string, queue: string) => `${physicalName(stage, queue)}-dlq`;
