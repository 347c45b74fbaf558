import { stageConfig, stages, validateStageConfig, type StageConfig } from '#topology/stages';
import { buildApp } from '#infra/app';

// Building constructs without synthesizing: bundling is skipped, so these tests stay fast.
const noBundling = { context: { 'aws:cdk:bundling-stacks': [] } };
const dev = stageConfig('dev');

const bad: [string, StageConfig, RegExp][] = [
  [
    'a source allowed an unknown event type',
    { ...dev, sources: { '/systems/catalog': { types: ['gov.catalog.item.deleted' as never] } } },
    /unknown type "gov.catalog.item.deleted"/,
  ],
  ['a time zone that is not IANA', { ...dev, timeZone: 'China/Beijing' }, /not an IANA time zone/],
  [
    'a holiday that is not YYYY-MM-DD',
    { ...dev, calendar: { ...dev.calendar, holidays: ['2025/10/01'] } },
    /not YYYY-MM-DD/,
  ],
  ['a matching slice size of 0', { ...dev, matching: { sliceSize: 0 } }, /sliceSize/],
  [
    'a 差评 acknowledgement deadline of 0 working days',
    { ...dev, deadlines: { ...dev.deadlines, acknowledgeWorkingDays: 0 } },
    /config.deadlines.acknowledgeWorkingDays must be a whole number of days from 1 to 365/,
  ],
  [
    'a default review after 2.5 natural days',
    { ...dev, deadlines: { ...dev.deadlines, defaultReviewNaturalDays: 2.5 } },
    /config.deadlines.defaultReviewNaturalDays must be a whole number/,
  ],
  [
    'a principal named like the functions\' own keys',
    { ...dev, readers: [...dev.readers, '@cursor'] },
    /"@cursor" may not start with "@"/,
  ],
];

describe('stage configuration at synth time', () => {
  it.each(bad)('rejects %s', (_why, config, message) => {
    expect(() => validateStageConfig(config)).toThrow(message);
    expect(() => buildApp('dev', { config, appProps: noBundling })).toThrow(message);
  });

  it('rejects a log retention CloudWatch Logs does not offer', () => {
    expect(() => buildApp('dev', { config: { ...dev, logRetentionDays: 31 }, appProps: noBundling })).toThrow(
      /logRetentionDays 31 is not a CloudWatch Logs retention period/,
    );
  });

  it('rejects an unknown stage', () => {
    expect(() => buildApp('staging', { appProps: noBundling })).toThrow(/Unknown stage "staging"/);
  });

  it('accepts every configured stage', () => {
    for (const name of Object.keys(stages)) expect(() => validateStageConfig(stageConfig(name))).not.toThrow();
  });

  it('takes the stage from the `stage` context value, defaulting to dev', () => {
    const prod = buildApp(undefined, { appProps: { context: { ...noBundling.context, stage: 'prod' } } });
    expect([prod.config.stage, prod.stateful.stackName, prod.stateless.stackName]).toEqual([
      'prod',
      'CivicFlow-prod-Stateful',
      'CivicFlow-prod-Stateless',
    ]);
    expect(buildApp(undefined, { appProps: noBundling }).stateless.stackName).toBe('CivicFlow-dev-Stateless');
  });
});
