import { resetClients } from '../../../lambda/shared/clients';
import { claim, claimedByOthers, keysClaimedByOthers, ownershipPath, pathSegment, readOwnership, recordChunks, release, CHUNK_VALUE_LIMIT_BYTES } from '../../../lambda/shared/ownership';
import { SimulatedParameterStore } from '../../support/simulated-parameter-store';

describe('ownership records', () => {
  let store: SimulatedParameterStore;
  const scope = { family: 'client-vpn-authorizations', target: 'cvpn-endpoint-0a1b2c3d' };
  beforeEach(() => {
    resetClients();
    store = new SimulatedParameterStore({ now: () => 0 });
    store.install();
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    store.restore();
    jest.restoreAllMocks();
  });

  test('a claim is readable by the other sets of the target, and not by other targets', async () => {
    await claim(scope, 'setA', 'stack-1|A', ['10.0.0.0/16 group:g-1', '10.1.0.0/16 *']);
    expect(await keysClaimedByOthers(scope, 'setB')).toEqual(new Set(['10.0.0.0/16 group:g-1', '10.1.0.0/16 *']));
    expect(await keysClaimedByOthers(scope, 'setA')).toEqual(new Set());
    expect(await keysClaimedByOthers({ ...scope, target: 'cvpn-endpoint-ffff' }, 'setB')).toEqual(new Set());
    expect(store.names()).toEqual(['/cdk-network-access/client-vpn-authorizations/cvpn-endpoint-0a1b2c3d/setA/0']);
    // An operator can read it as it is.
    expect(JSON.parse(store.value(store.names()[0])!)).toEqual({ v: 1, owner: 'stack-1|A', keys: ['10.0.0.0/16 group:g-1', '10.1.0.0/16 *'] });
  });

  test('claim returns what the others claim, writes nothing when unchanged, and drops chunks a smaller record no longer needs', async () => {
    await claim(scope, 'setB', 'stack-2|B', ['k1']);
    const many = Array.from({ length: 300 }, (_, i) => `10.${Math.floor(i / 256)}.${i % 256}.0/24 group:some-long-group-name-${i}`);
    const others = await claim(scope, 'setA', 'stack-1|A', many);
    expect(others).toEqual(new Set(['k1']));
    const chunkNames = store.names(`${ownershipPath(scope)}/setA/`);
    expect(chunkNames.length).toBeGreaterThan(2);
    expect((await readOwnership(scope)).records.get('setA')!.keys.size).toBe(300);
    const puts = store.callCount('PutParameter');
    await claim(scope, 'setA', 'stack-1|A', many);
    expect(store.callCount('PutParameter')).toBe(puts);
    await claim(scope, 'setA', 'stack-1|A', many.slice(0, 3));
    expect(store.names(`${ownershipPath(scope)}/setA/`)).toEqual([`${ownershipPath(scope)}/setA/0`]);
    expect(await keysClaimedByOthers(scope, 'setB')).toEqual(new Set(many.slice(0, 3)));
  });

  test('release deletes every chunk of the set only, and is idempotent', async () => {
    await claim(scope, 'setA', 'stack-1|A', ['k1']);
    await claim(scope, 'setB', 'stack-2|B', ['k2']);
    await release(scope, 'setA');
    await release(scope, 'setA');
    expect(await keysClaimedByOthers(scope, 'setC')).toEqual(new Set(['k2']));
  });

  test('an unreadable record claims nothing', async () => {
    store.seed(`${ownershipPath(scope)}/setX/0`, 'not json');
    await claim(scope, 'setA', 'stack-1|A', ['k1']);
    const snapshot = await readOwnership(scope);
    expect(claimedByOthers(snapshot, 'setA')).toEqual(new Set());
  });

  test('set ids and targets Parameter Store cannot name are hashed into a stable segment', () => {
    expect(pathSegment('c8a1b2')).toBe('c8a1b2');
    expect(pathSegment('a set/with spaces')).toMatch(/^h-[0-9a-f]{40}$/);
    expect(pathSegment('a set/with spaces')).toBe(pathSegment('a set/with spaces'));
  });

  test('every chunk fits the Standard tier', () => {
    const chunks = recordChunks('owner', Array.from({ length: 1000 }, (_, i) => `key-${i}-${'x'.repeat(40)}`));
    for (const chunk of chunks) expect(Buffer.byteLength(chunk)).toBeLessThanOrEqual(CHUNK_VALUE_LIMIT_BYTES);
    expect(chunks.flatMap(c => JSON.parse(c).keys)).toHaveLength(1000);
  });

  test('throttling surfaces to the caller (which retries on its next pass)', async () => {
    store.failNext('GetParametersByPath', 1, 'ThrottlingException');
    await expect(keysClaimedByOthers(scope, 'setA')).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});
