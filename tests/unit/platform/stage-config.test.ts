/**
 * How a deployed function receives its stage's configuration: every section but who may post and read
 * in CIVICFLOW_CONFIG, and those access sections compressed in CIVICFLOW_ACCESS for the functions that
 * serve HTTP only (Lambda refuses an environment over 4 KB).
 */
import { jest } from '@jest/globals';
import { stages } from '#topology/stages';
import { ACCESS_SECTIONS, decodeAccess, encodeAccess, functionConfig } from '#platform/stage-config';

const prod = stages.prod!;

describe('the configuration of a deployed function', () => {
  it('leaves the access sections out of CIVICFLOW_CONFIG and keeps everything else', () => {
    const trimmed = functionConfig(prod) as Record<string, unknown>;
    for (const section of ACCESS_SECTIONS) expect(trimmed).not.toHaveProperty(section);
    expect(Object.keys(trimmed).sort()).toEqual(Object.keys(prod).filter((k) => !(ACCESS_SECTIONS as readonly string[]).includes(k)).sort());
    expect(trimmed.deadlines).toEqual(prod.deadlines);
  });

  it('round-trips the access sections through their compressed form, at well under half their size', () => {
    const encoded = encodeAccess(prod);
    expect(decodeAccess(encoded)).toEqual({
      sources: prod.sources,
      readers: prod.readers,
      readerRoutes: prod.readerRoutes,
      personDataReaders: prod.personDataReaders,
    });
    const plain = JSON.stringify({ sources: prod.sources, readers: prod.readers, readerRoutes: prod.readerRoutes, personDataReaders: prod.personDataReaders });
    expect(encoded.length).toBeLessThan(plain.length / 2);
  });
});

describe('accessConfig()', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    jest.resetModules();
  });

  it('reads CIVICFLOW_ACCESS when it is set (a deployed HTTP function)', async () => {
    process.env.CIVICFLOW_CONFIG = JSON.stringify(functionConfig(prod));
    process.env.CIVICFLOW_ACCESS = encodeAccess(prod);
    const { accessConfig } = await import('#platform/stage-config');
    expect(accessConfig().readerRoutes).toEqual(prod.readerRoutes);
  });

  it('falls back to the whole CIVICFLOW_CONFIG (the local runtime runs every function with it)', async () => {
    process.env.CIVICFLOW_CONFIG = JSON.stringify(stages.local);
    delete process.env.CIVICFLOW_ACCESS;
    const { accessConfig } = await import('#platform/stage-config');
    expect(accessConfig().sources).toEqual(stages.local!.sources);
  });

  it('says what is missing in a function deployed without the access sections', async () => {
    process.env.CIVICFLOW_CONFIG = JSON.stringify(functionConfig(prod));
    delete process.env.CIVICFLOW_ACCESS;
    const { accessConfig } = await import('#platform/stage-config');
    expect(() => accessConfig()).toThrow(/only functions that serve HTTP routes are deployed with CIVICFLOW_ACCESS/);
  });
});
