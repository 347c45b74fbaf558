/**
 * One process, every function: each invocation gets its own Powertools state.
 *
 * In AWS each function has its own execution environments, so the module-scope `logger` and `metrics` of
 * shared/platform/powertools.ts serve one function, one invocation at a time. Locally every handler runs
 * in this one process and shares those two instances, and invocations of different functions interleave
 * across their awaits. Powertools keeps what `injectLambdaContext` and `logMetrics` set per invocation (the
 * Lambda context a log line names its function by, temporary keys, the log level, metrics and dimensions,
 * batch state) in the instance — so one function's invocation overwrote another's, and its log lines
 * named the other function.
 *
 * Lambda itself runs several invocations in one process on Lambda Managed Instances: its runtime sets
 * AWS_LAMBDA_MAX_CONCURRENCY and runs each invocation inside its own scope of
 * `globalThis.awslambda.InvokeStore` (an AsyncLocalStorage), and Powertools then keeps that state in the
 * invocation's scope. The local runtime does the same: `scopeInvocations()` before the handlers are
 * loaded, and `scoped(handler)` around each handler. The functions' code and bundles are unchanged.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context } from 'aws-lambda';

type Scope = Record<string | symbol, unknown>;

/** The keys Lambda's runtime sets in each invocation's scope (those of `@aws/lambda-invoke-store`). */
const PROTECTED = {
  REQUEST_ID: Symbol.for('_AWS_LAMBDA_REQUEST_ID'),
  X_RAY_TRACE_ID: Symbol.for('_AWS_LAMBDA_X_RAY_TRACE_ID'),
  TENANT_ID: Symbol.for('_AWS_LAMBDA_TENANT_ID'),
  TRACEPARENT: Symbol.for('_AWS_LAMBDA_TRACEPARENT'),
  TRACESTATE: Symbol.for('_AWS_LAMBDA_TRACESTATE'),
  BAGGAGE: Symbol.for('_AWS_LAMBDA_BAGGAGE'),
} as const;

/**
 * What Powertools reads as `globalThis.awslambda.InvokeStore`. Unlike Lambda's, code outside any
 * invocation (a module being loaded, the runtime's own work) shares one scope instead of failing with
 * "No context available": locally more than handlers run in the process.
 */
class LocalInvokeStore {
  static readonly PROTECTED_KEYS = PROTECTED;
  private readonly als = new AsyncLocalStorage<Scope>();
  private readonly outside: Scope = {};

  private current(): Scope {
    return this.als.getStore() ?? this.outside;
  }
  isProtectedKey(key: string | symbol): boolean {
    return (Object.values(PROTECTED) as Array<string | symbol>).includes(key);
  }
  getContext(): Scope | undefined {
    return this.als.getStore();
  }
  hasContext(): boolean {
    return this.als.getStore() !== undefined;
  }
  get<T = unknown>(key: string | symbol): T | undefined {
    return this.current()[key] as T | undefined;
  }
  set<T = unknown>(key: string | symbol, value: T): void {
    if (this.isProtectedKey(key)) throw new Error(`Cannot modify protected Lambda context field: ${String(key)}`);
    this.current()[key] = value;
  }
  run<T>(scope: Scope, fn: () => T): T {
    return this.als.run(scope, fn);
  }
  getRequestId(): string {
    return this.get<string>(PROTECTED.REQUEST_ID) ?? '-';
  }
  getXRayTraceId(): string | undefined {
    return this.get<string>(PROTECTED.X_RAY_TRACE_ID);
  }
  getTenantId(): string | undefined {
    return this.get<string>(PROTECTED.TENANT_ID);
  }
  getTraceparent(): string | undefined {
    return this.get<string>(PROTECTED.TRACEPARENT);
  }
  getTracestate(): string | undefined {
    return this.get<string>(PROTECTED.TRACESTATE);
  }
  getBaggage(): string | undefined {
    return this.get<string>(PROTECTED.BAGGAGE);
  }
}

const store = new LocalInvokeStore();

/**
 * Tells Powertools that invocations share this process, as Lambda's runtime does on Managed Instances.
 * Called before the handler modules are loaded; idempotent.
 */
export function scopeInvocations(): void {
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '1000';
  const g = globalThis as unknown as { awslambda?: { InvokeStore?: unknown } };
  g.awslambda ??= {};
  g.awslambda.InvokeStore = store;
}

/** The handler, each of whose invocations runs in a scope of its own (what it logs names its function). */
export function scoped<E, C, R>(handler: (event: E, context: C) => Promise<R>): (event: E, context: C) => Promise<R> {
  return (event, context) =>
    store.run({ [PROTECTED.REQUEST_ID]: (context as Partial<Context> | undefined)?.awsRequestId }, () => handler(event, context));
}
