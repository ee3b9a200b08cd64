import { ObservedRule, planPass, PlanInput } from '../../../lambda/client-vpn-authorizations/reconcile';
import { DesiredRule } from '../../../lambda/client-vpn-authorizations/rules';

const want = (cidr: string, groupId?: string, description = ''): DesiredRule => ({ cidr, groupId, description });
const seen = (cidr: string, groupId: string | undefined, status: string, description = '', statusMessage?: string): ObservedRule =>
  ({ cidr, groupId, status, description, statusMessage });

function plan(input: Partial<PlanInput>) {
  return planPass({ ensure: [], remove: [], observed: [], maxConcurrentMutations: 10, ...input });
}

describe('planPass: ensured rules', () => {
  test('absent -> authorize; active with the same description -> done', () => {
    const result = plan({
      ensure: [want('10.0.0.0/16', 'g-1', 'eng'), want('10.1.0.0/16')],
      observed: [seen('10.0.0.0/16', 'g-1', 'active', 'eng')],
    });
    expect(result.mutations).toEqual([{ kind: 'authorize', rule: want('10.1.0.0/16') }]);
    expect(result.done).toBe(1);
    expect(result.complete).toBe(false);
    expect(result.pending).toEqual([{ rule: want('10.1.0.0/16'), state: 'authorizing' }]);
  });

  test('authorizing or revoking -> wait, no call', () => {
    const result = plan({
      ensure: [want('10.0.0.0/16', 'g-1'), want('10.1.0.0/16', 'g-1')],
      observed: [seen('10.0.0.0/16', 'g-1', 'authorizing'), seen('10.1.0.0/16', 'g-1', 'revoking')],
    });
    expect(result.mutations).toEqual([]);
    expect(result.waiting).toBe(2);
    expect(result.pending.map(p => p.state)).toEqual(['authorizing', 'revoking']);
  });

  test('a different description -> revoke that rule only, to re-authorize it', () => {
    const result = plan({
      ensure: [want('10.0.0.0/16', 'g-1', 'new words'), want('10.1.0.0/16', 'g-1', 'same')],
      observed: [seen('10.0.0.0/16', 'g-1', 'active', 'old words'), seen('10.1.0.0/16', 'g-1', 'active', 'same')],
    });
    expect(result.mutations).toEqual([
      { kind: 'revoke', rule: { cidr: '10.0.0.0/16', groupId: 'g-1' }, reauthorize: want('10.0.0.0/16', 'g-1', 'new words') },
    ]);
    expect(result.done).toBe(1);
  });

  test('an absent description equals an empty one (no churn)', () => {
    const result = plan({ ensure: [want('10.0.0.0/16', 'g-1', '')], observed: [seen('10.0.0.0/16', 'g-1', 'active', '')] });
    expect(result.complete).toBe(true);
    expect(result.mutations).toEqual([]);
  });

  test('failed -> reported, not retried', () => {
    const failed = seen('10.0.0.0/16', undefined, 'failed', '', 'Group not found');
    const result = plan({ ensure: [want('10.0.0.0/16')], observed: [failed] });
    expect(result.failed).toEqual([failed]);
    expect(result.mutations).toEqual([]);
    expect(result.complete).toBe(false);
  });

  test('all groups and a group on the same CIDR are different rules', () => {
    const result = plan({ ensure: [want('10.0.0.0/16')], observed: [seen('10.0.0.0/16', 'g-1', 'active')] });
    expect(result.mutations).toEqual([{ kind: 'authorize', rule: want('10.0.0.0/16') }]);
  });
});

describe('planPass: removed rules', () => {
  test('active or failed -> revoke; absent -> done; in transition -> wait', () => {
    const result = plan({
      remove: [{ cidr: '10.0.0.0/16', groupId: 'g-1' }, { cidr: '10.1.0.0/16' }, { cidr: '10.2.0.0/16' }, { cidr: '10.3.0.0/16' }, { cidr: '10.4.0.0/16' }],
      observed: [
        seen('10.0.0.0/16', 'g-1', 'active', 'x'),
        seen('10.1.0.0/16', undefined, 'failed'),
        seen('10.3.0.0/16', undefined, 'authorizing'),
        seen('10.4.0.0/16', undefined, 'revoking'),
      ],
    });
    expect(result.mutations).toEqual([
      { kind: 'revoke', rule: { cidr: '10.0.0.0/16', groupId: 'g-1' } },
      { kind: 'revoke', rule: { cidr: '10.1.0.0/16' } },
    ]);
    expect(result.done).toBe(1);
    expect(result.waiting).toBe(2);
    expect(result.failed).toEqual([]);
  });

  test('rules outside both sets are never touched', () => {
    const result = plan({
      ensure: [want('10.0.0.0/16', 'g-1')],
      remove: [{ cidr: '10.1.0.0/16', groupId: 'g-1' }],
      observed: [
        seen('10.0.0.0/16', 'g-1', 'active'),
        seen('10.0.0.0/16', 'g-2', 'active', 'someone else'),
        seen('10.9.0.0/16', undefined, 'failed'),
        seen('10.1.0.0/16', 'g-2', 'active'),
      ],
    });
    expect(result.mutations).toEqual([]);
    expect(result.failed).toEqual([]);
    expect(result.complete).toBe(true);
  });

  test('complete once ensured rules are active with their description and removed ones are gone', () => {
    expect(plan({}).complete).toBe(true);
    expect(plan({ remove: [{ cidr: '10.0.0.0/16' }] }).complete).toBe(true);
  });
});

describe('planPass: mutation budget', () => {
  const eight = Array.from({ length: 8 }, (_, i) => seen(`172.16.${i}.0/24`, 'foreign', 'authorizing'));
  const tenNew = Array.from({ length: 10 }, (_, i) => want(`10.${i}.0.0/16`, 'g'));

  test('foreign rules in transition count against the 10 slots', () => {
    const result = plan({ ensure: tenNew, observed: eight });
    expect(result.inFlight).toBe(8);
    expect(result.budget).toBe(2);
    expect(result.mutations).toHaveLength(2);
    expect(result.deferred).toBe(8);
    expect(result.pending.filter(p => p.state === 'queued')).toHaveLength(8);
  });

  test('no slot, no call', () => {
    const busy = Array.from({ length: 12 }, (_, i) => seen(`172.16.${i}.0/24`, 'foreign', 'revoking'));
    const result = plan({ ensure: tenNew, observed: busy });
    expect(result.budget).toBe(0);
    expect(result.mutations).toEqual([]);
  });

  test('a lower limit lowers the budget', () => {
    expect(plan({ ensure: tenNew, maxConcurrentMutations: 3 }).mutations).toHaveLength(3);
  });

  test('new rules first, then description changes', () => {
    const result = plan({
      ensure: [want('10.5.0.0/16', 'g', 'new'), want('10.9.0.0/16', 'g'), want('10.7.0.0/16', 'g', 'new')],
      observed: [seen('10.5.0.0/16', 'g', 'active', 'old'), seen('10.7.0.0/16', 'g', 'active', 'old')],
      maxConcurrentMutations: 2,
    });
    expect(result.mutations.map(m => `${m.kind} ${m.rule.cidr}`)).toEqual(['authorize 10.9.0.0/16', 'revoke 10.5.0.0/16']);
    expect(result.pending).toContainEqual({ rule: { cidr: '10.7.0.0/16', groupId: 'g' }, state: 'queued' });
  });
});

describe('planPass: make before break', () => {
  const removed = { cidr: '10.0.0.0/16', groupId: 'g' };
  const oldRule = seen('10.0.0.0/16', 'g', 'active');

  test.each([
    ['absent', []],
    ['authorizing', [seen('10.0.0.0/15', 'g', 'authorizing')]],
    ['revoking', [seen('10.0.0.0/15', 'g', 'revoking')]],
    ['active with another description', [seen('10.0.0.0/15', 'g', 'active', 'stale')]],
  ])('removed rules are held while an ensured rule is %s', (_state, observedNew) => {
    const result = plan({ ensure: [want('10.0.0.0/15', 'g')], remove: [removed], observed: [oldRule, ...observedNew] });
    expect(result.mutations.filter(m => m.kind === 'revoke' && !m.reauthorize)).toEqual([]);
    expect(result.held).toEqual([{ kind: 'revoke', rule: removed }]);
    expect(result.pending).toContainEqual({ rule: removed, state: 'held' });
    expect(result.complete).toBe(false);
  });

  test('and revoked once every ensured rule is in place', () => {
    const result = plan({ ensure: [want('10.0.0.0/15', 'g')], remove: [removed], observed: [oldRule, seen('10.0.0.0/15', 'g', 'active')] });
    expect(result.mutations).toEqual([{ kind: 'revoke', rule: removed }]);
    expect(result.held).toEqual([]);
  });

  test('held revokes take no mutation slot', () => {
    const result = plan({ ensure: [want('10.0.0.0/15', 'g')], remove: [removed], observed: [oldRule], maxConcurrentMutations: 1 });
    expect(result.budget).toBe(1);
    expect(result.mutations).toEqual([{ kind: 'authorize', rule: want('10.0.0.0/15', 'g') }]);
    expect(result.deferred).toBe(0);
  });

  test('a Delete (nothing to ensure) revokes at once', () => {
    expect(plan({ remove: [removed], observed: [oldRule] }).mutations).toEqual([{ kind: 'revoke', rule: removed }]);
  });
});

describe('planPass: at the rule quota (break before make, only as far as needed)', () => {
  const existing = (n: number) => Array.from({ length: n }, (_, i) => seen(`172.16.${i}.0/24`, 'other', 'active'));
  const adds = (n: number) => Array.from({ length: n }, (_, i) => want(`10.${i}.0.0/16`, 'g-1'));
  const removes = (n: number) => Array.from({ length: n }, (_, i) => ({ cidr: `10.${100 + i}.0.0/16`, groupId: 'g-1' }));
  const removedActive = (n: number) => removes(n).map(r => seen(r.cidr, r.groupId, 'active'));

  test('a full endpoint: revokes exactly as many removed rules as the new ones need, and authorizes none yet', () => {
    const result = plan({ ensure: adds(3), remove: removes(5), observed: [...existing(45), ...removedActive(5)], ruleQuota: 50 });
    expect(result.mutations.map(m => m.kind)).toEqual(['revoke', 'revoke', 'revoke']);
    expect(result.held).toHaveLength(2);
    expect(result.pending.filter(p => p.state === 'quota')).toHaveLength(3);
  });

  test('room for some: authorizes those, revokes for the rest', () => {
    const result = plan({ ensure: adds(5), remove: removes(5), observed: [...existing(43), ...removedActive(5)], ruleQuota: 50 });
    expect(result.mutations.filter(m => m.kind === 'authorize')).toHaveLength(2);
    expect(result.mutations.filter(m => m.kind === 'revoke')).toHaveLength(3);
  });

  test('removed rules already revoking count as room on the way: no further revoke', () => {
    const revoking = removes(3).map(r => seen(r.cidr, r.groupId, 'revoking'));
    const result = plan({ ensure: adds(3), remove: removes(3), observed: [...existing(47), ...revoking], ruleQuota: 50 });
    expect(result.mutations).toEqual([]);
    expect(result.pending.filter(p => p.state === 'quota')).toHaveLength(3);
  });

  test('under the quota: make before break as always', () => {
    const result = plan({ ensure: adds(3), remove: removes(3), observed: [...existing(10), ...removedActive(3)], ruleQuota: 50 });
    expect(result.mutations.map(m => m.kind)).toEqual(['authorize', 'authorize', 'authorize']);
    expect(result.held).toHaveLength(3);
  });

  test('a quota too small even after every removal: nothing held back, the refusal says so', () => {
    const result = plan({ ensure: adds(4), remove: removes(1), observed: [...existing(49), ...removedActive(1)], ruleQuota: 50 });
    expect(result.mutations.map(m => m.kind)).toEqual(['authorize', 'authorize', 'authorize', 'authorize']);
  });

  test('without a known quota (schema version 1): unchanged', () => {
    const result = plan({ ensure: adds(3), remove: removes(5), observed: [...existing(45), ...removedActive(5)] });
    expect(result.mutations.map(m => m.kind)).toEqual(['authorize', 'authorize', 'authorize']);
  });
});
