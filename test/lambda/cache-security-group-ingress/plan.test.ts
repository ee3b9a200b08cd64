import { IngressPair } from '../../../lambda/cache-security-group-ingress/pairs';
import { ObservedPair, planPass, PlanInput } from '../../../lambda/cache-security-group-ingress/plan';

const A = '123456789012';
const pair = (name: string, ownerId = A): IngressPair => ({ ec2SecurityGroupName: name, ownerId });
const seen = (name: string, status: string, ownerId = A): ObservedPair => ({ ...pair(name, ownerId), status });

function plan(input: Partial<PlanInput>) {
  return planPass({ ensure: [], remove: [], observed: [], claimedByOthers: new Set(), maxConcurrentMutations: 5, ...input });
}
const calls = (p: ReturnType<typeof plan>) => p.mutations.map(m => `${m.kind} ${m.pair.ec2SecurityGroupName}`);

test('authorizes what is missing, waits on what is in transition, is complete when all are authorized', () => {
  expect(calls(plan({ ensure: [pair('a'), pair('b')], observed: [seen('b', 'authorized')] }))).toEqual(['authorize a']);
  const waiting = plan({ ensure: [pair('a')], observed: [seen('a', 'authorizing')] });
  expect([calls(waiting), waiting.pending, waiting.complete]).toEqual([[], [{ pair: pair('a'), state: 'authorizing' }], false]);
  expect(plan({ ensure: [pair('a')], observed: [seen('a', 'authorized')] }).complete).toBe(true);
  // Being revoked (by someone else): wait until gone, then authorize.
  expect(calls(plan({ ensure: [pair('a')], observed: [seen('a', 'revoking')] }))).toEqual([]);
});

test('revokes removed pairs only when the ensured ones are in place (make before break)', () => {
  const held = plan({ ensure: [pair('new')], remove: [pair('old')], observed: [seen('old', 'authorized')] });
  expect(calls(held)).toEqual(['authorize new']);
  expect(held.held.map(m => m.pair.ec2SecurityGroupName)).toEqual(['old']);
  const released = plan({ ensure: [pair('new')], remove: [pair('old')], observed: [seen('old', 'authorized'), seen('new', 'authorized')] });
  expect(calls(released)).toEqual(['revoke old']);
  // A removed pair still authorizing is revoked once authorized; one already gone is done.
  expect(calls(plan({ remove: [pair('x')], observed: [seen('x', 'authorizing')] }))).toEqual([]);
  expect(plan({ remove: [pair('x')] }).complete).toBe(true);
});

test('never revokes a pair another set claims (the claimed set is a parameter: a fake here)', () => {
  const claimed = new Set([`shared|${A}`]);
  const p = plan({ remove: [pair('shared'), pair('mine')], observed: [seen('shared', 'authorized'), seen('mine', 'authorized')], claimedByOthers: claimed });
  expect(calls(p)).toEqual(['revoke mine']);
  expect(p.kept).toEqual([pair('shared')]);
  // The claim is per (name, owner): the same name under another owner is not protected.
  const other = plan({ remove: [pair('shared', '210987654321')], observed: [seen('shared', 'authorized', '210987654321')], claimedByOthers: claimed });
  expect(calls(other)).toEqual(['revoke shared']);
});

test('never touches pairs outside the set, and keeps within the mutation budget', () => {
  const p = plan({
    ensure: ['a', 'b', 'c', 'd'].map(n => pair(n)),
    observed: [seen('foreign', 'authorized'), seen('busy', 'authorizing'), seen('busy2', 'revoking')],
    maxConcurrentMutations: 4,
  });
  expect(calls(p)).toEqual(['authorize a', 'authorize b']);
  expect(p.pending.filter(x => x.state === 'queued').map(x => x.pair.ec2SecurityGroupName)).toEqual(['c', 'd']);
});
