import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

let keys: Promise<Record<string, string>> | undefined;

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

function secret(): Promise<Record<string, string>> {
  keys ??= load().catch((error) => {
    keys = undefined; // a transient failure must not poison the warm container
    throw error;
  });
  return keys;
}

async function load(): Promise<Record<string, string>> {
  const arn = process.env.SIGNING_KEYS_SECRET_ARN;
  if (arn) {
    const client = new SecretsManagerClient({});
    const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    return JSON.parse(out.SecretString ?? '{}') as Record<string, string>;
  }
  const raw = process.env.SIGNING_KEYS;
  if (!raw) throw new Error('Neither SIGNING_KEYS_SECRET_ARN nor SIGNING_KEYS is set');
  return JSON.parse(raw) as Record<string, string>;
}
