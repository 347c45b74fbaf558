/**
 * Reads where a later event reads what an earlier one wrote and decides on it are strongly consistent
 * (docs/operations.md, *Consistent reads*). DynamoDB Local answers every read from the one copy, so a read
 * that lags a write cannot be shown against it: this fake table answers as a replica that has not seen the
 * write yet does. A GetItem with `ConsistentRead: true` sees what is stored; one without sees nothing.
 */
import { jest } from '@jest/globals';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '#platform/aws';
import { getPolicy } from '#entitlement/store';
import { getBundleVersion, getItemVersion, registryStore } from '#registry/store';
import { versionArrival } from '#registry/domain/item';
import type { ServiceBundle, ServiceItem } from '#contract/schemas';

process.env.TABLE_REGISTRY = 'registry-test';
process.env.TABLE_ENTITLEMENTS = 'entitlements-test';

type Key = { pk: string; sk: string };
const id = (key: Key) => `${key.pk}|${key.sk}`;

/** A table whose writes an eventually consistent read does not see yet; lists the GetItem inputs. */
function laggingTable(stored: ReadonlyArray<Key & Record<string, unknown>>) {
  const items = new Map(stored.map((item) => [id(item), item]));
  const reads: Array<{ Key: Key; ConsistentRead?: boolean }> = [];
  jest.spyOn(ddb, 'send').mockImplementation((async (command: unknown) => {
    if (command instanceof GetCommand) {
      const { Key, ConsistentRead } = command.input;
      const key = Key as Key;
      reads.push({ Key: key, ...(ConsistentRead === undefined ? {} : { ConsistentRead }) });
      return ConsistentRead === true ? { Item: items.get(id(key)) } : {};
    }
    if (command instanceof PutCommand) {
      // The create-only put of a version already stored: its condition fails.
      if (items.has(id(command.input.Item as Key))) throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
      return {};
    }
    throw new Error(`unexpected command ${String(command)}`);
  }) as never);
  return reads;
}

afterEach(() => jest.restoreAllMocks());

const item = { itemCode: 'QX-001', version: 2, name: '食品经营许可' } as unknown as ServiceItem;
const bundle = { bundleCode: 'YJS-001', version: 3, items: ['QX-001'] } as unknown as ServiceBundle;
const itemVersion = { pk: 'ITEM#QX-001', sk: 'V#000002', kind: 'item', item, hash: 'h-item', cause: 'src|evt-1' };
const bundleVersion = { pk: 'BUNDLE#YJS-001', sk: 'V#000003', kind: 'bundle', bundle, hash: 'h-bundle', cause: 'src|evt-2' };

describe('catalogue versions, written once and read by later events', () => {
  it('reads an item version and a bundle version the replica has not seen yet', async () => {
    const reads = laggingTable([itemVersion, bundleVersion]);
    expect(await getItemVersion('QX-001', 2)).toEqual(item);
    expect(await getBundleVersion('YJS-001', 3)).toEqual(bundle);
    expect(reads).toEqual([
      { Key: { pk: 'ITEM#QX-001', sk: 'V#000002' }, ConsistentRead: true },
      { Key: { pk: 'BUNDLE#YJS-001', sk: 'V#000003' }, ConsistentRead: true },
    ]);
  });

  it('still answers none for a version that is not stored (the retry path)', async () => {
    laggingTable([]);
    expect(await getItemVersion('QX-001', 9)).toBeUndefined();
    expect(await getBundleVersion('YJS-001', 9)).toBeUndefined();
  });

  it('tells a redelivered version from a conflicting one although the replica lags its first write', async () => {
    const reads = laggingTable([itemVersion, bundleVersion]);
    expect(versionArrival(await registryStore.createItemVersion(item, 'h-item', 'src|evt-1'), 'h-item', 'src|evt-1')).toBe('again');
    expect(versionArrival(await registryStore.createBundleVersion(bundle, 'h-bundle', 'src|evt-9'), 'h-bundle', 'src|evt-9')).toBe('replay');
    expect(reads.every((r) => r.ConsistentRead === true)).toBe(true);
  });
});

describe("a policy's current version, read by the match slices its publication sent", () => {
  it('finds the version the replica has not seen yet, so the slice matches its shard instead of skipping it', async () => {
    const policy = { policyId: 'P-1', version: 1, status: 'active' };
    const reads = laggingTable([{ pk: 'POLICY#P-1', sk: 'CURRENT', policy }]);
    expect(await getPolicy('P-1')).toEqual(policy);
    expect(reads).toEqual([{ Key: { pk: 'POLICY#P-1', sk: 'CURRENT' }, ConsistentRead: true }]);
  });
});
