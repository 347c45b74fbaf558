/**
 * The HTTP functions' errors: Lambda's runtime would log what a handler throws as it is, outside the masking
 * of our logger, so the functions log it masked and throw an error without its text.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeIdNumber } from '#contract/identifiers';
import { invokeMasked } from '#support/masked';

const ID = makeIdNumber('440305', '19900307', '123');
const saved = { LOG_LEVEL: process.env.LOG_LEVEL, POWERTOOLS_DEV: process.env.POWERTOOLS_DEV, CIVICFLOW_LOCAL: process.env.CIVICFLOW_LOCAL };
let maskedErrors: typeof import('#platform/http-errors').maskedErrors;
beforeAll(async () => {
  process.env.LOG_LEVEL = 'INFO';
  delete process.env.POWERTOOLS_DEV;
  delete process.env.CIVICFLOW_LOCAL;
  ({ maskedErrors } = await import('#platform/http-errors'));
});
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
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
