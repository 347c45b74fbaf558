/**
 * The CivicFlow CDK app: `cdk synth -c stage=<stage>` (default from cdk.json) builds the stateful and the
 * stateless stack of one stage from the one topology, and runs the cdk-nag AwsSolutions checks on both.
 */
import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { fileURLToPath } from 'node:url';
import { stageConfig, validateStageConfig, type StageConfig } from '#topology/stages';
import { StatefulStack } from './stacks/stateful';
import { StatelessStack } from './stacks/stateless';

export interface BuildAppOptions {
  /** Passed to `new App()`, e.g. an `outdir` for tests. */
  readonly appProps?: AppProps;
  /** Overrides the named stage's configuration (still validated); for tests of alternative configs. */
  readonly config?: StageConfig;
}

export interface CivicFlowApp {
  readonly app: App;
  readonly config: StageConfig;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

export const stackNames = (stage: string) =>
  ({ stateful: `CivicFlow-${stage}-Stateful`, stateless: `CivicFlow-${stage}-Stateless` }) as const;

/** Builds the app for `stage`, or for the `stage` context value (`-c stage=prod`, default `dev`) when omitted. */
export function buildApp(stage?: string, opts: BuildAppOptions = {}): CivicFlowApp {
  const app = new App({
    ...opts.appProps,
    // Stated explicitly: the stateless stack imports the stateful stack's key, queues, topic and secret,
    // and a strong reference keeps those from being removed while something still uses them.
    context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong', ...opts.appProps?.context },
  });
  const config = opts.config ?? stageConfig(stage ?? stageFromContext(app));
  validateStageConfig(config);
  const names = stackNames(config.stage);
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const common = {
    env,
    tags: { project: 'civicflow', stage: config.stage },
  };
  const stateful = new StatefulStack(app, names.stateful, {
    ...common,
    config,
    description: `CivicFlow ${config.stage}: data (tables, queues, key, alarm topic, signing keys)`,
    terminationProtection: config.stage === 'prod',
  });
  const stateless = new StatelessStack(app, names.stateless, {
    ...common,
    config,
    stateful,
    description: `CivicFlow ${config.stage}: functions, HTTP API, schedules and alarms`,
  });

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, config, stateful, stateless };
}

function stageFromContext(app: App): string {
  const stage: unknown = app.node.tryGetContext('stage');
  return typeof stage === 'string' && stage.length > 0 ? stage : 'dev';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { app } = buildApp();
  app.synth();
}
