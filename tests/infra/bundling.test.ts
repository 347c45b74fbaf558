import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESM_REQUIRE_BANNER } from '../../infra/constructs/civic-function';
import { stageConfig } from '../../infra/config';
import { functions, type FunctionName } from '../../infra/topology';
import { resourcesOfType, synthCivicFlow, type SynthResult } from './helpers';

// The one synthesis that runs esbuild for every function (the other infra tests skip bundling), on prod.
const stage = 'prod';
const config = stageConfig(stage);
let s: SynthResult;
beforeAll(() => {
  s = synthCivicFlow(stage, { bundle: true });
}, 120_000);

describe('function bundles (prod)', () => {
  it('bundles every topology function as a minified ESM module with the require banner and a source map', () => {
    const fns = resourcesOfType(s.statelessJson, 'AWS::Lambda::Function');
    const bundled = fns.map(([, fn]) => {
      const name = (fn.Properties.FunctionName as string).replace(`civicflow-${stage}-`, '') as FunctionName;
      // Staged assets live in `asset.<hash>`, and the function's S3 key is `<hash>.zip`.
      const dir = join(s.outdir, `asset.${(fn.Properties.Code.S3Key as string).replace(/\.zip$/, '')}`);
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect([name, code.startsWith(ESM_REQUIRE_BANNER)]).toEqual([name, true]);
      expect([name, existsSync(join(dir, 'index.mjs.map'))]).toEqual([name, true]);
      // The SDK is bundled, never imported from the runtime's copy.
      expect([name, /from\s*["']@aws-sdk\/|import\(["']@aws-sdk\//.test(code)]).toEqual([name, false]);
      return name;
    });
    expect(bundled.sort()).toEqual(Object.keys(functions).sort());
  });

  it('applies the prod configuration: alarm e-mail, log retention, log level', () => {
    s.stateful.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: config.alarmEmail });
    for (const [, fn] of resourcesOfType(s.statelessJson, 'AWS::Lambda::Function')) {
      expect(fn.Properties.Environment.Variables.LOG_LEVEL).toBe('INFO');
      const logGroup = s.statelessJson.Resources[fn.Properties.LoggingConfig.LogGroup.Ref];
      expect(logGroup.Properties.RetentionInDays).toBe(config.logRetentionDays);
    }
  });

  it('leaves no unacknowledged cdk-nag finding on prod either', () => {
    expect((s.validationReport.pluginReports as { violations: unknown[] }[]).flatMap((r) => r.violations)).toEqual([]);
  });
});
