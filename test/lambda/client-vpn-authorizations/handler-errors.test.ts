/**
 * How each class of AWS error drives a pass: done, wait (IsComplete false)
 * or a HandlerError a human can act on.
 */
import {
  AuthorizeClientVpnIngressCommand,
  DescribeClientVpnAuthorizationRulesCommand,
  RevokeClientVpnIngressCommand,
} from '@aws-sdk/client-ec2';
import { isComplete, onEvent } from '../../../lambda/client-vpn-authorizations';
import { HandlerError } from '../../../lambda/shared/errors';
import { authorizeCalls, describeReturns, ec2, mutationCount, revokeCalls, revokeSucceeds, useHarness } from '../ec2-mock';
import {
  awsError, createEvent, deleteEvent, ENDPOINT, PHYSICAL_ID, setProps, updateEvent, waiterEvent, wireRule,
} from '../fixtures';

const h = useHarness();

const RULE = { Cidr: '10.0.0.0/16', GroupId: 'g-1' };
const createWaiter = () => waiterEvent(createEvent(setProps([RULE])), PHYSICAL_ID);
const deleteWaiter = () => waiterEvent(deleteEvent(setProps([RULE])), PHYSICAL_ID);

/** The outcome record of the pass's mutations. */
function mutationOutcomes() {
  return h.logs().filter(record => record.message === 'mutations');
}

describe('authorize', () => {
  test('a duplicate rule counts as done: no failure, the next pass checks it', async () => {
    describeReturns();
    ec2.on(AuthorizeClientVpnIngressCommand).rejects(awsError('InvalidClientVpnDuplicateAuthorizationRule'));
    await expect(isComplete(createWaiter())).resolves.toEqual({ IsComplete: false });
    expect(authorizeCalls()).toHaveLength(1);
    expect(mutationOutcomes()).toEqual([expect.objectContaining({ done: 1, retryLater: 0 })]);
  });

  test.each([
    ['ConcurrentMutationLimitExceeded', 400],
    ['RequestLimitExceeded', 503],
  ])('%s (%d), a refusal: resent once a second later, then left for the next pass', async (name, status) => {
    describeReturns();
    ec2.on(AuthorizeClientVpnIngressCommand).rejects(awsError(name, 'try later', status));
    await expect(isComplete(createWaiter())).resolves.toEqual({ IsComplete: false });
    expect(authorizeCalls()).toHaveLength(2);
    expect(new Set(authorizeCalls().map(c => c.ClientToken)).size).toBe(1);
    expect(h.clock.sleeps).toEqual([1000]);
    expect(mutationOutcomes()).toEqual([expect.objectContaining({ calls: 1, resent: 1, done: 0, retryLater: 1, retryReason: `${name}: try later` })]);
  });

  test('a refusal that clears on the resend is done within the pass', async () => {
    describeReturns();
    ec2.on(AuthorizeClientVpnIngressCommand)
      .rejectsOnce(awsError('RequestLimitExceeded', 'Request limit exceeded.', 503))
      .resolves({ Status: { Code: 'authorizing' } });
    await expect(isComplete(createWaiter())).resolves.toEqual({ IsComplete: false });
    expect(mutationOutcomes()).toEqual([expect.objectContaining({ resent: 1, done: 1, retryLater: 0 })]);
  });

  test.each([
    ['InternalError', 500],
    ['SomethingWeNeverHeardOf', 500],
    ['InvalidClientVpnActiveAssociationNotFound', 400],
  ])('%s (%d) may have acted or needs time: not resent, left for the next pass', async (name, status) => {
    describeReturns();
    ec2.on(AuthorizeClientVpnIngressCommand).rejects(awsError(name, 'try later', status));
    await expect(isComplete(createWaiter())).resolves.toEqual({ IsComplete: false });
    expect(authorizeCalls()).toHaveLength(1);
    expect(h.clock.sleeps).toEqual([]);
    expect(mutationOutcomes()).toEqual([expect.objectContaining({ done: 0, retryLater: 1, retryReason: `${name}: try later` })]);
  });

  test('an unknown error fails with AWS\'s name and message, the rule and the endpoint', async () => {
    describeReturns();
    ec2.on(AuthorizeClientVpnIngressCommand).rejects(awsError('IdempotentParameterMismatch', 'The client token was used with different parameters.'));
    await expect(isComplete(createWaiter())).rejects.toThrow(new HandlerError(
      `AuthorizeClientVpnIngress for 10.0.0.0/16 group g-1 on ${ENDPOINT} failed: IdempotentParameterMismatch: The client token was used with different parameters.`,
    ));
  });

  test('endpoint not found on authorize is a failure, not "done"', async () => {
    describeReturns();
    ec2.on(AuthorizeClientVpnIngressCommand).rejects(awsError('InvalidClientVpnEndpointId.NotFound', 'The endpoint does not exist.'));
    await expect(isComplete(createWaiter())).rejects.toThrow('InvalidClientVpnEndpointId.NotFound: The endpoint does not exist.');
  });

  test('at the rule quota, rules held for make-before-break are revoked at once (break before make)', async () => {
    const oldProps = setProps([{ Cidr: '10.9.0.0/16', GroupId: 'g-9' }, { Cidr: '10.8.0.0/16', GroupId: 'g-8' }]);
    describeReturns(wireRule('10.9.0.0/16', 'g-9', 'active'), wireRule('10.8.0.0/16', 'g-8', 'active'));
    revokeSucceeds();
    ec2.on(AuthorizeClientVpnIngressCommand).rejects(awsError('ClientVpnAuthorizationRuleLimitExceeded', 'limit of 50 reached'));
    const update = waiterEvent(updateEvent(setProps([RULE]), oldProps), PHYSICAL_ID);
    await expect(isComplete(update)).resolves.toEqual({ IsComplete: false });
    expect(authorizeCalls()).toHaveLength(1);
    expect(revokeCalls().map(c => c.TargetNetworkCidr)).toEqual(['10.8.0.0/16', '10.9.0.0/16']);
    expect(h.logs()).toContainEqual(expect.objectContaining({ level: 'warn', held: 2, released: 2 }));
  });

  test('at the rule quota with nothing of ours to remove, the set does not fit: fail', async () => {
    describeReturns();
    ec2.on(AuthorizeClientVpnIngressCommand).rejects(awsError('ClientVpnAuthorizationRuleLimitExceeded', 'limit of 50 reached'));
    await expect(isComplete(createWaiter())).rejects.toThrow('ClientVpnAuthorizationRuleLimitExceeded: limit of 50 reached');
    expect(revokeCalls()).toEqual([]);
  });

  test('at the rule quota while our removals are already revoking: wait', async () => {
    const oldProps = setProps([{ Cidr: '10.9.0.0/16', GroupId: 'g-9' }]);
    describeReturns(wireRule('10.9.0.0/16', 'g-9', 'revoking'));
    ec2.on(AuthorizeClientVpnIngressCommand).rejects(awsError('ClientVpnAuthorizationRuleLimitExceeded', 'limit of 50 reached'));
    await expect(isComplete(waiterEvent(updateEvent(setProps([RULE]), oldProps), PHYSICAL_ID))).resolves.toEqual({ IsComplete: false });
    expect(revokeCalls()).toEqual([]);
  });
});

describe('revoke', () => {
  test.each([
    'InvalidClientVpnEndpointAuthorizationRuleNotFound',
    'InvalidClientVpnEndpointId.NotFound',
  ])('%s counts as done', async name => {
    describeReturns(wireRule('10.0.0.0/16', 'g-1', 'active'));
    ec2.on(RevokeClientVpnIngressCommand).rejects(awsError(name));
    await expect(isComplete(deleteWaiter())).resolves.toEqual({ IsComplete: false });
    expect(mutationOutcomes()).toEqual([expect.objectContaining({ done: 1, retryLater: 0 })]);
  });

  test.each(['ConcurrentMutationLimitExceeded', 'RequestLimitExceeded'])('%s is resent once, then waits for the next pass', async name => {
    describeReturns(wireRule('10.0.0.0/16', 'g-1', 'active'));
    ec2.on(RevokeClientVpnIngressCommand).rejects(awsError(name));
    await expect(isComplete(deleteWaiter())).resolves.toEqual({ IsComplete: false });
    expect(revokeCalls()).toHaveLength(2);
    expect(mutationOutcomes()).toEqual([expect.objectContaining({ done: 0, retryLater: 1 })]);
  });

  test('an unknown error fails naming the rule and AWS\'s words', async () => {
    describeReturns(wireRule('10.0.0.0/16', 'g-1', 'active'));
    ec2.on(RevokeClientVpnIngressCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    await expect(isComplete(deleteWaiter())).rejects.toThrow(
      `RevokeClientVpnIngress for 10.0.0.0/16 group g-1 on ${ENDPOINT} failed: UnauthorizedOperation: You are not authorized to perform this operation.`,
    );
  });
});

describe('DescribeClientVpnAuthorizationRules', () => {
  test('endpoint not found on Delete: complete, nothing to revoke', async () => {
    ec2.on(DescribeClientVpnAuthorizationRulesCommand).rejects(awsError('InvalidClientVpnEndpointId.NotFound'));
    await expect(isComplete(deleteWaiter())).resolves.toEqual({ IsComplete: true });
    expect(mutationCount()).toBe(0);
  });

  test('endpoint not found on Create or Update: fails naming the endpoint', async () => {
    ec2.on(DescribeClientVpnAuthorizationRulesCommand).rejects(awsError('InvalidClientVpnEndpointId.NotFound', 'The Client VPN endpoint does not exist'));
    const message = `Client VPN endpoint ${ENDPOINT} does not exist (InvalidClientVpnEndpointId.NotFound: The Client VPN endpoint does not exist)`;
    await expect(isComplete(createWaiter())).rejects.toThrow(new HandlerError(message));
    await expect(isComplete(waiterEvent(updateEvent(setProps([]), setProps([RULE])), PHYSICAL_ID))).rejects.toThrow(message);
  });

  test.each([
    ['RequestLimitExceeded', 503],
    ['Throttling', 400],
    ['InternalError', 500],
    ['ServiceUnavailable', 503],
  ])('%s: IsComplete false, never a throw', async (name, status) => {
    ec2.on(DescribeClientVpnAuthorizationRulesCommand).rejects(awsError(name, 'slow down', status));
    await expect(isComplete(createWaiter())).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(deleteWaiter())).resolves.toEqual({ IsComplete: false });
    expect(mutationCount()).toBe(0);
  });

  test('a network error: IsComplete false', async () => {
    ec2.on(DescribeClientVpnAuthorizationRulesCommand).rejects(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    await expect(isComplete(createWaiter())).resolves.toEqual({ IsComplete: false });
  });

  test('an access error fails with the endpoint and AWS\'s words', async () => {
    ec2.on(DescribeClientVpnAuthorizationRulesCommand).rejects(awsError('UnauthorizedOperation', 'not authorized'));
    await expect(isComplete(createWaiter())).rejects.toThrow(
      `DescribeClientVpnAuthorizationRules for endpoint ${ENDPOINT} failed: UnauthorizedOperation: not authorized`,
    );
  });
});

describe('rules EC2 marks failed', () => {
  test('an ensured failed rule fails the resource with endpoint, CIDR, group and AWS\'s status message', async () => {
    describeReturns(
      wireRule('10.0.0.0/16', 'g-1', 'failed', undefined, 'The group could not be resolved'),
      wireRule('10.1.0.0/16', 'all', 'failed', undefined, 'Internal failure'),
    );
    const event = waiterEvent(createEvent(setProps([RULE, { Cidr: '10.1.0.0/16', AllGroups: true }])), PHYSICAL_ID);
    await expect(isComplete(event)).rejects.toThrow(new HandlerError(
      `Client VPN endpoint ${ENDPOINT}: 2 authorization rules in state 'failed': `
      + '10.0.0.0/16 group g-1: The group could not be resolved; 10.1.0.0/16 all groups: Internal failure',
    ));
    expect(mutationCount()).toBe(0);
  });
});

describe('an endpoint EC2 does not describe yet (created in the same deploy)', () => {
  const notFound = () => ec2.on(DescribeClientVpnAuthorizationRulesCommand)
    .rejects(awsError('InvalidClientVpnEndpointId.NotFound', 'The Client VPN endpoint does not exist'));

  test('Create waits through the grace period onEvent set, then fails naming the endpoint and the wait', async () => {
    notFound();
    const accepted = await onEvent(createEvent(setProps([RULE])));
    const waiter = { ...waiterEvent(createEvent(setProps([RULE])), PHYSICAL_ID, accepted.Deadline), NotFoundGraceUntil: accepted.NotFoundGraceUntil };
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });
    h.clock.time += 299_000;
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });
    expect(mutationCount()).toBe(0);
    h.clock.time += 2_000;
    await expect(isComplete(waiter)).rejects.toThrow(new HandlerError(
      `Client VPN endpoint ${ENDPOINT} does not exist (InvalidClientVpnEndpointId.NotFound: The Client VPN endpoint does not exist); waited 300 s for it to appear`));
  });

  test('once it appears within the grace period, the set goes in', async () => {
    notFound();
    const accepted = await onEvent(createEvent(setProps([RULE])));
    const waiter = { ...waiterEvent(createEvent(setProps([RULE])), PHYSICAL_ID, accepted.Deadline), NotFoundGraceUntil: accepted.NotFoundGraceUntil };
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });
    h.clock.time += 60_000;
    describeReturns();
    ec2.on(AuthorizeClientVpnIngressCommand).resolves({ Status: { Code: 'authorizing' } });
    await expect(isComplete(waiter)).resolves.toEqual({ IsComplete: false });
    expect(authorizeCalls()).toHaveLength(1);
  });
});
