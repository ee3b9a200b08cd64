/**
 * Ownership records (issue 13, item 1) at the handler level: a set claims its
 * rules before it mutates, and a removal leaves alone every rule another set
 * of the endpoint claims. The multi-set lifecycles (rename, move to another
 * stack, replacement and back, splits and merges) are in test/lifecycle.
 */
import { isComplete } from '../../../lambda/client-vpn-authorizations';
import { authorizeCalls, authorizeSucceeds, describeReturns, mutationCount, revokeCalls, revokeSucceeds, useHarness } from '../ec2-mock';
import { createEvent, deleteEvent, ENDPOINT, PHYSICAL_ID, setProps, updateEvent, waiterEvent, wireRule } from '../fixtures';

const h = useHarness();

const RECORDS = `/cdk-network-access/client-vpn-authorizations/${ENDPOINT}`;
const A = { Cidr: '10.0.0.0/16', GroupId: 'g-1' };
const B = { Cidr: '10.1.0.0/16', AllGroups: 'true' };

/** Another set, elsewhere (another stack, or the new name of this one), declares `keys`. */
function otherSetClaims(...keys: string[]): void {
  h.parameters.seed(`${RECORDS}/other-set/0`, JSON.stringify({ v: 1, owner: 'arn:aws:cloudformation:us-east-1:111111111111:stack/Other/1|Set', keys }));
}

function ownRecord(): { owner: string; keys: string[] } | undefined {
  const value = h.parameters.value(`${RECORDS}/set-3f2a/0`);
  return value === undefined ? undefined : JSON.parse(value);
}

test('Create claims its rules before authorizing any', async () => {
  describeReturns();
  authorizeSucceeds();
  await expect(isComplete(waiterEvent(createEvent(setProps([A, B])), PHYSICAL_ID))).resolves.toEqual({ IsComplete: false });
  expect(ownRecord()).toEqual({ v: 1, owner: expect.stringMatching(/\|Authorizations$|\|/), keys: ['10.0.0.0/16 group:g-1', '10.1.0.0/16 *'] });
  expect(authorizeCalls()).toHaveLength(2);
  // The claim went first: the store saw its write before EC2 saw an authorize.
  expect(h.parameters.callCount('PutParameter')).toBe(1);
});

test('Delete leaves the rules another set claims, revokes the rest, and then releases its record', async () => {
  otherSetClaims('10.0.0.0/16 group:g-1');
  describeReturns(wireRule('10.0.0.0/16', 'g-1', 'active'), wireRule('10.1.0.0/16', 'all', 'active'));
  revokeSucceeds();
  h.parameters.seed(`${RECORDS}/set-3f2a/0`, JSON.stringify({ v: 1, owner: 'me', keys: ['10.0.0.0/16 group:g-1', '10.1.0.0/16 *'] }));
  const del = waiterEvent(deleteEvent(setProps([A, B])), PHYSICAL_ID);
  await expect(isComplete(del)).resolves.toEqual({ IsComplete: false });
  expect(revokeCalls().map(c => c.TargetNetworkCidr)).toEqual(['10.1.0.0/16']);
  expect(h.logs()).toContainEqual(expect.objectContaining({ message: 'rules another set declares are left in place', rules: ['10.0.0.0/16 group g-1'] }));

  describeReturns(wireRule('10.0.0.0/16', 'g-1', 'active'));
  await expect(isComplete(del)).resolves.toEqual({ IsComplete: true });
  expect(mutationCount()).toBe(1);
  expect(ownRecord()).toBeUndefined();
  expect(h.parameters.names()).toEqual([`${RECORDS}/other-set/0`]);
});

test('an Update that drops a rule another set claims does not revoke it', async () => {
  otherSetClaims('10.1.0.0/16 *');
  describeReturns(wireRule('10.0.0.0/16', 'g-1', 'active'), wireRule('10.1.0.0/16', 'all', 'active'));
  const update = waiterEvent(updateEvent(setProps([A]), setProps([A, B])), PHYSICAL_ID);
  await expect(isComplete(update)).resolves.toEqual({ IsComplete: true, Data: { RuleCount: '1' } });
  expect(mutationCount()).toBe(0);
  expect(ownRecord()?.keys).toEqual(['10.0.0.0/16 group:g-1']);
});

test('records of other endpoints claim nothing here', async () => {
  h.parameters.seed('/cdk-network-access/client-vpn-authorizations/cvpn-endpoint-0fedcba9876543210/other-set/0',
    JSON.stringify({ v: 1, owner: 'x', keys: ['10.1.0.0/16 *'] }));
  describeReturns(wireRule('10.1.0.0/16', 'all', 'active'));
  revokeSucceeds();
  await isComplete(waiterEvent(deleteEvent(setProps([B])), PHYSICAL_ID));
  expect(revokeCalls().map(c => c.TargetNetworkCidr)).toEqual(['10.1.0.0/16']);
});

test('Parameter Store throttling: the pass waits, making no EC2 mutation', async () => {
  h.parameters.failNext('GetParametersByPath', 1, 'ThrottlingException');
  describeReturns(wireRule('10.1.0.0/16', 'all', 'active'));
  revokeSucceeds();
  await expect(isComplete(waiterEvent(deleteEvent(setProps([B])), PHYSICAL_ID))).resolves.toEqual({ IsComplete: false });
  expect(mutationCount()).toBe(0);
});

test('Parameter Store access denied: fails naming the records and the endpoint', async () => {
  h.parameters.failNext('GetParametersByPath', 1, 'AccessDeniedException');
  describeReturns();
  await expect(isComplete(waiterEvent(createEvent(setProps([A])), PHYSICAL_ID))).rejects.toThrow(
    `Parameter Store (ownership records) for endpoint ${ENDPOINT} failed: AccessDeniedException`);
  expect(mutationCount()).toBe(0);
});

test('past the deadline while the records cannot be read: fails saying so', async () => {
  h.parameters.failNext('GetParametersByPath', 1, 'ThrottlingException');
  await expect(isComplete(waiterEvent(createEvent(setProps([A])), PHYSICAL_ID, h.clock.now() - 1))).rejects.toThrow(
    'ownership records in Parameter Store could not be read');
});
