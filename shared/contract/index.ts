/** The ingest contract: identifiers, `data` schemas per inbound type, CloudEvents envelope. */
export * from './identifiers';
export * from './issues';
export * from './schemas';
export * from './envelope';
