/**
 * The registry's public module: the reference data other capabilities read (service item versions,
 * person and enterprise profiles, e-licences, credit records with CivicFlow's own marks folded in), and
 * nothing they may write. Another capability reads registry data only through this module, so the key
 * layout lives in store.ts and the credit fold in domain/credit.ts alone; only the registry's own function
 * writes its table (changes from elsewhere, such as a credit mark, arrive as events on the registry queue).
 */
export {
  // Service items: the current version, or the version an application was decided on.
  getCurrentItem,
  getItemVersion,
  // 一件事 bundles: the current version, or the version an application was submitted under.
  getCurrentBundle,
  getBundleVersion,
  // Profiles (the data-sharing platform's), one subject or a shard's page of enterprises.
  getPersonProfile,
  getEnterpriseProfile,
  queryShardProfiles,
  queryShardPersons,
  ENTERPRISE_SHARDS,
  type ProfilePage,
  // E-licences of a holder (or of many at once), with a revocation that arrived folded in.
  licencesOfHolder,
  licencesOfHolders,
  // Credit: the effective record (upstream data and our marks), one, many, or as stored for auditors.
  getCredit,
  getSubject,
  batchGetCredits,
  getCreditRecord,
  // What a first decision reads in one request: item, profile and credit.
  getApplicationRecords,
  getApplicationRecordsMany,
  type ApplicationRecords,
} from './store';
// The credit fold itself (pure): what decisions read, for a reader that holds the record as stored (the credit view).
export { foldCredit } from './domain/credit';
export type { StoredLicence, StoredCredit, CreditRecordView } from './domain/types';
