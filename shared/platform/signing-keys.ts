import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { abortsWithInvocation, cutOffBy, invocationSignal } from './invocation-scope';

/** The read in flight or done, and the signal of the invocation it was started in (none outside one). */
let keys: { readonly value: Promise<Record<string, string>>; readonly signal: AbortSignal | undefined } | undefined;

/** Reads a waiter makes again when the read it waited on was cut off by another invocation's end. */
const READS = 3;

/**
 * The entry of the secret that is no principal's: the key the query API seals cursors with for readers who
 * see person data masked (shared/query/cursor-seal.ts). No request can be signed as it.
 */
export const CURSOR_KEY_ENTRY = '@cursor';

/**
 * The per-principal signing keys: from Secrets Manager in a deployed stage (a JSON object
 * principal → key, read once per cold start), or from `SIGNING_KEYS` (JSON) in the local runtime.
 */
export async function signingKeys(): Promise<Record<string, string>> {
  const { [CURSOR_KEY_ENTRY]: _cursor, ...principals } = await secret();
  return principals;
}

/** The cursor-sealing key, or undefined when the secret has none (a stage deployed before it existed). */
export async function cursorKey(): Promise<string | undefined> {
  return (await secret())[CURSOR_KEY_ENTRY];
}

/**
 * The secret, read once per container. Only the HTTP functions read it, and the read is cut off with the
 * rest of the invocation it started in when middy ends that invocation (invocation-signal.ts). A read that
 * fails is forgotten, so the next request reads again. Where invocations share a process (the local runtime;
 * Lambda Managed Instances), another request may be waiting on that read: its own invocation has not ended,
 * so it reads again rather than fail with the other's abort.
 */
async function secret(): Promise<Record<string, string>> {
  for (let read = 1; ; read++) {
    const current = (keys ??= { value: load(), signal: invocationSignal() });
    try {
      return await current.value;
    } catch (error) {
      // A transient failure must not poison the warm container.
      if (keys === current) keys = undefined;
      // Cut off by the end of the invocation that started the read, and this one's has not ended: read again.
      const anotherEnded = cutOffBy(current.signal, error) && invocationSignal()?.aborted !== true;
      if (!anotherEnded || read >= READS) throw error;
    }
  }
}

async function load(): Promise<Record<string, string>> {
  const arn = process.env.SIGNING_KEYS_SECRET_ARN;
  if (arn) {
    // Cut off at the end of the HTTP invocation it is read in, as the storage's calls are.
    const client = abortsWithInvocation(new SecretsManagerClient({}));
    const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    return JSON.parse(out.SecretString ?? '{}') as Record<string, string>;
  }
  const raw = process.env.SIGNING_KEYS;
  if (!raw) throw new Error('Neither SIGNING_KEYS_SECRET_ARN nor SIGNING_KEYS is set');
  return JSON.parse(raw) as Record<string, string>;
}
