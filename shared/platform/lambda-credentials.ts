/**
 * The credentials of a function in Lambda: the execution role's, which the Lambda runtime always puts in the
 * environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN).
 *
 * Function bundles use this module in place of `@aws-sdk/credential-provider-node` (an esbuild alias in
 * `infra/constructs/civic-function.ts`). The SDK's default chain also tries SSO, `~/.aws` files, web identity,
 * credential processes and the instance metadata service; a Lambda function never needs them, and with them
 * every bundle carried ~100 KB more (the STS, SSO and sign-in clients) and a slower cold import.
 * Tests, scripts and the local runtime run from source and keep the default chain.
 * Should functions ever run where credentials come another way (a container credentials endpoint, say),
 * remove the alias from `BUNDLE_ALIASES`: this provider fails at once, naming the missing variables.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

type FromEnvInit = Parameters<typeof fromEnv>[0];

/** Same name and shape as `@aws-sdk/credential-provider-node`'s export, which the clients' runtime config calls. */
export const defaultProvider = (init: FromEnvInit = {}) => fromEnv(init);
