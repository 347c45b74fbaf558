import { Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, stackNames, type BuildAppOptions, type CivicFlowApp } from '#infra/app';
import { captureLogs } from '#support/logs';

export type Json = Record<string, any>;

const tempDirs: string[] = [];
/** A temporary folder removed when the test file ends. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs `fn` without CDK's "Bundling asset <path>..." lines on stderr (esbuild itself is quiet below
 * warnings): a test shows its result, not eleven progress lines.
 */
function withoutBundlingProgress<T>(fn: () => T): T {
  const progress = captureLogs({ from: 'stderr', keep: (line) => line.startsWith('Bundling asset ') });
  try {
    return fn();
  } finally {
    progress.restore();
  }
}

export interface SynthResult {
  readonly built: CivicFlowApp;
  readonly outdir: string;
  readonly stateful: Template;
  readonly stateless: Template;
  readonly statefulJson: Json;
  readonly statelessJson: Json;
  /** CDK's policy validation report (cdk-nag findings), if any plugin ran. */
  readonly validationReport: Json;
}

/**
 * Synthesizes the app once. `bundle: false` skips esbuild (the context key CDK itself uses for
 * `cdk synth --exclusively`), so structural tests do not depend on function code being edited elsewhere.
 */
export function synthCivicFlow(stage: string, opts: { bundle: boolean } & BuildAppOptions): SynthResult {
  const outdir = tempDir('civicflow-cdk-');
  const context: Record<string, unknown> = { ...opts.appProps?.context };
  if (!opts.bundle) context['aws:cdk:bundling-stacks'] = [];
  // Assets are bundled as the functions are constructed, in buildApp.
  const built = withoutBundlingProgress(() => buildApp(stage, { ...opts, appProps: { ...opts.appProps, outdir, context } }));
  const assembly = built.app.synth();
  const names = stackNames(built.config.stage);
  const statefulJson = assembly.getStackByName(names.stateful).template as Json;
  const statelessJson = assembly.getStackByName(names.stateless).template as Json;
  return {
    built,
    outdir,
    stateful: Template.fromJSON(statefulJson),
    stateless: Template.fromJSON(statelessJson),
    statefulJson,
    statelessJson,
    validationReport: JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as Json,
  };
}

export function resourcesOfType(template: Json, type: string): [string, Json][] {
  return Object.entries(template.Resources as Record<string, Json>).filter(([, r]) => r.Type === type);
}

/**
 * Names what a CloudFormation value points at, across the two stacks: an import of the stateful stack's
 * export becomes `<Type>:<logical id>` there (e.g. `AWS::SQS::Queue:RegistryQueue910762BE`), a Ref or
 * GetAtt in the same template becomes `<Type>:<logical id>`, and a Fn::Join becomes its rendered string.
 */
export function describeRef(value: unknown, local: Json, stateful: Json): string {
  if (typeof value === 'string') return value;
  const v = value as Json;
  if (v.Ref !== undefined) return refTo(local, v.Ref);
  if (v['Fn::GetAtt']) return refTo(local, v['Fn::GetAtt'][0]);
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map((p) => describeRef(p, local, stateful)).join(v['Fn::Join'][0]);
  if (v['Fn::ImportValue']) {
    const output = Object.values(stateful.Outputs as Record<string, Json>).find(
      (o) => o.Export?.Name === v['Fn::ImportValue'],
    );
    if (!output) throw new Error(`No export ${v['Fn::ImportValue']}`);
    return describeRef(output.Value, stateful, stateful);
  }
  throw new Error(`Cannot describe ${JSON.stringify(value)}`);
}

function refTo(template: Json, logicalId: string): string {
  if (logicalId.startsWith('AWS::')) return `<${logicalId}>`;
  const resource = template.Resources[logicalId] as Json | undefined;
  if (!resource) throw new Error(`No resource ${logicalId}`);
  return `${resource.Type}:${logicalId}`;
}

export const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
