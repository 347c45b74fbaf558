/**
 * The registry's ports as deployed: its table (store.ts), the receipts table, the internal queues, the
 * functions' clock and the stage's calendar. The handler passes these; unit tests pass in-memory ones.
 */
import { asOfInstant } from '#platform/calendar';
import { nowIso } from '#platform/clock';
import { sendInternal } from '#platform/queues';
import { recordReceipt } from '#platform/receipts';
import type { RegistryPorts } from './ports';
import { registryStore } from './store';

export const registryPorts: RegistryPorts = { store: registryStore, recordReceipt, send: sendInternal, now: nowIso, asOfInstant };
