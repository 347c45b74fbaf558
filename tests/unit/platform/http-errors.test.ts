/**
 * The HTTP functions' errors: Lambda's runtime would log what a handler throws as it is, outside the masking
 * of our logger, so the functions log it masked and throw an error without its text.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeIdNumber } from '#contract/identifiers';
import { useEnv } from '#support/logs';
import { invokeMasked } from '#support/masked';

const ID = makeIdNumber('440305', '19900307', '123');
useEnv({ LOG_LEVEL: 'INFO', POWERTOOLS_DEV: undefined, CIVICFLOW_LOCAL: undefined });
let maskedErrors: typeof import('#platform/http-errors').maskedErrors;
beforeAll(async () => {
  ({ maskedErrors } = await import('#platform/http-errors'));
});

describe('errors of the HTTP functions', () => {
  it('are logged masked and rethrown without the text that quoted the input', async () => {
    const { thrown, lines } = await invokeMasked(maskedErrors, async () => {
      throw new Error(`recording event (/systems/data-sharing, person-${ID}) failed: ValidationException`);
    });
    expect(thrown).toBeInstanceOf(Error);
    expect(`${(thrown as Error).message}\n${(thrown as Error).stack}`).not.toContain(ID);
    expect(lines).toContain('request failed');
    expect(lines).toContain(`person-440305********${ID.slice(-4)}`);
    expect(lines).not.toContain(ID);
  });

  it('is what every HTTP function uses', () => {
    for (const file of ['functions/ingest/handler.ts', 'functions/query/handler.ts', 'functions/simulation/api.ts']) {
      const source = readFileSync(fileURLToPath(new URL(`../../../${file}`, import.meta.url)), 'utf8');
      expect([file, source.includes('.use(maskedErrors())')]).toEqual([file, true]);
    }
  });
});
