/**
 * What function bundles take in place of `@smithy/core/event-streams` (an esbuild alias in
 * `infra/constructs/civic-function.ts`).
 *
 * The SDK's protocol code imports the event-stream codec lazily, for operations that stream events (Bedrock,
 * Transcribe, S3 Select and the like). DynamoDB, SQS and Secrets Manager have no such operation, so the
 * functions never load it; bundled, it was ~19 KB of every function. Should a function ever call an
 * event-stream operation, it fails here with this message: remove the alias from `BUNDLE_ALIASES`.
 * Tests, scripts and the local runtime run from source and keep the SDK's module.
 */
function leftOut(): never {
  throw new Error('@smithy/core/event-streams is left out of function bundles (BUNDLE_ALIASES): no function calls an event-stream operation');
}

/** Same names as the two exports the SDK's protocol code loads. */
export class EventStreamSerde {
  constructor() {
    leftOut();
  }
}

export const eventStreamSerdeProvider = (): never => leftOut();
