import * as fc from 'fast-check';
import * as handler from '../../lambda/client-vpn-authorizations';
import { CloudFormationLifecycleDriver } from '../support/cloudformation-lifecycle';
import type { ResourceProperties } from '../support/cloudformation-lifecycle';
import { ruleSignature, SimulatedClientVpnService } from '../support/simulated-client-vpn';
import { SimulatedClock } from '../support/simulated-clock';
import { SimulatedParameterStore } from '../support/simulated-parameter-store';

/**
 * Refactors of rule sets (issue 13, item 1): renaming a set, moving it to
 * another stack, splitting and merging sets, replacing it onto another
 * endpoint and back. CloudFormation creates and updates first and deletes
 * afterwards (a move deploys the new stack first), so the new set adopts the
 * rules and the old set's Delete must leave them alone.
 *
 * Several resources share one simulated endpoint and one simulated Parameter
 * Store; each resource has its own lifecycle driver (its own stack and
 * logical id), as in a real app.
 */

interface Rule {
  readonly cidr: string;
  readonly group?: string;
}

const FOREIGN: Rule = { cidr: '172.16.0.0/12', group: 'someone-else' };
const R = (i: number, group = 'g-dev'): Rule => ({ cidr: `10.${i}.0.0/16`, group });
const R1 = R(1);
const R2 = R(2);
const R3 = R(3, 'g-ops');

function props(endpointId: string, setId: string, rules: readonly Rule[]): ResourceProperties {
  return {
    SchemaVersion: '2',
    ClientVpnEndpointId: endpointId,
    SetId: setId,
    RuleQuota: '50',
    Rules: rules.map(r => ({ Cidr: r.cidr, ...(r.group === undefined ? { AllGroups: true } : { GroupId: r.group }) })),
  };
}

function signature(rule: Rule): string {
  return ruleSignature({ cidr: rule.cidr, groupId: rule.group, allGroups: rule.group === undefined, status: 'active' });
}

interface World {
  readonly clock: SimulatedClock;
  readonly sim: SimulatedClientVpnService;
  readonly records: SimulatedParameterStore;
  readonly endpoints: readonly string[];
  /** A resource: a set with this logical id in this stack. */
  set(stackName: string, logicalId: string): CloudFormationLifecycleDriver;
  /** The endpoint's rules other than the foreign one, as signatures. */
  declaredOn(endpointId: string): string[];
}

let teardown: Array<() => void> = [];

function world(seed = 7): World {
  const clock = new SimulatedClock();
  const sim = new SimulatedClientVpnService({ clock, seed });
  sim.install();
  const records = new SimulatedParameterStore({ now: () => clock.now() });
  records.install();
  teardown.push(() => sim.restore(), () => records.restore(), clock.install());
  const endpoints = [sim.createEndpoint(), sim.createEndpoint()];
  for (const e of endpoints) {
    sim.putRule(e, { cidr: FOREIGN.cidr, groupId: FOREIGN.group });
  }
  const drivers = new Map<string, CloudFormationLifecycleDriver>();
  return {
    clock,
    sim,
    records,
    endpoints,
    set(stackName, logicalId) {
      const key = `${stackName}/${logicalId}`;
      let driver = drivers.get(key);
      if (!driver) {
        driver = new CloudFormationLifecycleDriver({ handler, clock, stackName, logicalResourceId: logicalId, crashSources: [sim] });
        drivers.set(key, driver);
      }
      return driver;
    },
    declaredOn(endpointId) {
      return sim.ruleSignatures(endpointId).filter(s => s !== signature(FOREIGN));
    },
  };
}

const sorted = (rules: readonly Rule[]) => rules.map(signature).sort();

beforeEach(() => {
  process.env.TOTAL_TIMEOUT_SECONDS = '3600';
  process.env.AWS_REGION = 'us-east-1';
  const spy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  teardown = [() => spy.mockRestore()];
});
afterEach(() => {
  for (const undo of teardown.reverse()) undo();
  delete process.env.TOTAL_TIMEOUT_SECONDS;
});

test('rename within a stack: the new set adopts both rules, the old set\'s Delete revokes neither', async () => {
  const w = world();
  const [e] = w.endpoints;
  const old = w.set('App', 'Access');
  expect((await old.create(props(e, 'addr-old', [R1, R2]))).status).toBe('CREATE_COMPLETE');
  const mutations = w.sim.counters.mutatingCalls;

  // The same rules under another construct id: create the new resource, then clean up the old one.
  const renamed = w.set('App', 'TeamAccess');
  expect((await renamed.create(props(e, 'addr-new', [R1, R2]))).status).toBe('CREATE_COMPLETE');
  expect((await old.delete()).status).toBe('DELETE_COMPLETE');

  expect(w.declaredOn(e)).toEqual(sorted([R1, R2]));
  expect(w.sim.counters.mutatingCalls).toBe(mutations);
  // Only the surviving set's record is left.
  expect(w.records.names().map(n => n.split('/').slice(-2)[0])).toEqual(['addr-new']);

  // And when it is deleted in turn, nothing claims the rules any more: they go.
  await renamed.delete();
  expect(w.declaredOn(e)).toEqual([]);
  expect(w.records.names()).toEqual([]);
});

test('move to another stack: the new stack is deployed first, the old stack updated after; nothing is revoked', async () => {
  const w = world();
  const [e] = w.endpoints;
  const inOld = w.set('NetworkStack', 'Access');
  await inOld.create(props(e, 'addr-network', [R1, R2, R3]));
  const mutations = w.sim.counters.mutatingCalls;

  await w.set('AccessStack', 'Access').create(props(e, 'addr-access', [R1, R2, R3]));
  await inOld.delete();

  expect(w.declaredOn(e)).toEqual(sorted([R1, R2, R3]));
  expect(w.sim.counters.mutatingCalls).toBe(mutations);
});

test('a rename whose stack update rolls back keeps the old set\'s rules: the new set\'s rollback Delete leaves them', async () => {
  const w = world();
  const [e] = w.endpoints;
  await w.set('App', 'Access').create(props(e, 'addr-old', [R1, R2]));
  const renamed = w.set('App', 'TeamAccess');
  await renamed.create(props(e, 'addr-new', [R1, R2]));
  // Another resource of the update failed: CloudFormation deletes what it created, the old set stays.
  await renamed.delete();
  expect(w.declaredOn(e)).toEqual(sorted([R1, R2]));
});

test('replacement onto another endpoint and back: each old endpoint keeps what another set declares there, loses the rest', async () => {
  const w = world();
  const [e1, e2] = w.endpoints;
  const moving = w.set('App', 'Access');
  const staying = w.set('App', 'Shared');
  await staying.create(props(e1, 'addr-shared', [R1]));
  await moving.create(props(e1, 'addr-access', [R1, R2]));

  // The endpoint changes: a new physical id on e2, then the cleanup Delete of the old one on e1.
  expect((await moving.update(props(e2, 'addr-access', [R1, R2]))).status).toBe('UPDATE_COMPLETE');
  expect(w.declaredOn(e1)).toEqual(sorted([R1]));
  expect(w.declaredOn(e2)).toEqual(sorted([R1, R2]));

  expect((await moving.update(props(e1, 'addr-access', [R1, R2]))).status).toBe('UPDATE_COMPLETE');
  expect(w.declaredOn(e1)).toEqual(sorted([R1, R2]));
  expect(w.declaredOn(e2)).toEqual([]);
});

test('split one set into two, then merge them back: no rule is revoked at any step', async () => {
  const w = world();
  const [e] = w.endpoints;
  const whole = w.set('App', 'Access');
  await whole.create(props(e, 'addr-whole', [R1, R2, R3]));
  const mutations = w.sim.counters.mutatingCalls;

  await w.set('App', 'Dev').create(props(e, 'addr-dev', [R1, R2]));
  await w.set('App', 'Ops').create(props(e, 'addr-ops', [R3]));
  await whole.delete();
  expect(w.declaredOn(e)).toEqual(sorted([R1, R2, R3]));

  const merged = w.set('App', 'Everyone');
  await merged.create(props(e, 'addr-merged', [R1, R2, R3]));
  await w.set('App', 'Dev').delete();
  await w.set('App', 'Ops').delete();
  expect(w.declaredOn(e)).toEqual(sorted([R1, R2, R3]));
  expect(w.sim.counters.mutatingCalls).toBe(mutations);
});

test('a rule handed from one set to another in one deploy (update both) stays', async () => {
  const w = world();
  const [e] = w.endpoints;
  const a = w.set('App', 'A');
  const b = w.set('App', 'B');
  await a.create(props(e, 'addr-a', [R1, R2]));
  await b.create(props(e, 'addr-b', [R3]));
  // B is updated first here (CloudFormation's order between them is not promised): B gains R2, then A drops it.
  await b.update(props(e, 'addr-b', [R2, R3]));
  await a.update(props(e, 'addr-a', [R1]));
  expect(w.declaredOn(e)).toEqual(sorted([R1, R2, R3]));
});

// ------------------------------------------------------------ property

/** An app's declaration: set id -> its stack and rules. Rules are disjoint across sets, as synth enforces. */
type Declaration = ReadonlyMap<string, { readonly stack: string; readonly rules: readonly Rule[] }>;

const POOL: readonly Rule[] = [R(1), R(2), R(3, 'g-ops'), R(4, 'g-ops'), { cidr: '10.5.0.0/16' }, R(6)];
const STACKS = ['StackA', 'StackB'] as const;

type Step =
  | { readonly kind: 'rename'; readonly pick: number }
  | { readonly kind: 'move'; readonly pick: number }
  | { readonly kind: 'split'; readonly pick: number; readonly cut: number }
  | { readonly kind: 'merge'; readonly pick: number; readonly other: number }
  | { readonly kind: 'edit'; readonly pick: number; readonly rules: readonly number[] };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('rename' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('move' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('split' as const), pick: fc.nat(), cut: fc.nat() }),
  fc.record({ kind: fc.constant('merge' as const), pick: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constant('edit' as const), pick: fc.nat(), rules: fc.uniqueArray(fc.nat({ max: POOL.length - 1 }), { maxLength: 3 }) }),
);

let serial = 0;
const freshId = () => `addr-${++serial}`;

/** The declaration after one refactor (a pure function of the previous one). */
function apply(declaration: Declaration, step: Step): Declaration {
  const ids = [...declaration.keys()];
  if (ids.length === 0) {
    return new Map([[freshId(), { stack: STACKS[0], rules: POOL.slice(0, 3) }]]);
  }
  const next = new Map(declaration);
  const id = ids[step.pick % ids.length];
  const set = declaration.get(id)!;
  switch (step.kind) {
    case 'rename':
      next.delete(id);
      next.set(freshId(), set);
      break;
    case 'move':
      next.delete(id);
      next.set(freshId(), { stack: set.stack === STACKS[0] ? STACKS[1] : STACKS[0], rules: set.rules });
      break;
    case 'split': {
      const cut = set.rules.length === 0 ? 0 : step.cut % (set.rules.length + 1);
      next.delete(id);
      next.set(freshId(), { stack: set.stack, rules: set.rules.slice(0, cut) });
      next.set(freshId(), { stack: STACKS[step.cut % 2], rules: set.rules.slice(cut) });
      break;
    }
    case 'merge': {
      const otherId = ids[step.other % ids.length];
      if (otherId === id) return declaration;
      next.delete(id);
      next.delete(otherId);
      next.set(freshId(), { stack: set.stack, rules: [...set.rules, ...declaration.get(otherId)!.rules] });
      break;
    }
    case 'edit': {
      // Take rules nobody else declares (synth forbids a rule in two sets).
      const taken = new Set([...declaration].filter(([other]) => other !== id).flatMap(([, s]) => s.rules.map(signature)));
      const rules = step.rules.map(i => POOL[i]).filter(r => !taken.has(signature(r)));
      next.set(id, { stack: set.stack, rules });
      break;
    }
  }
  return next;
}

function declared(declaration: Declaration): string[] {
  return sorted([...declaration.values()].flatMap(s => s.rules));
}

test('property: over random renames, moves, splits, merges and edits, every declared rule is present after each deploy, and nothing survives the final delete', async () => {
  await fc.assert(fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 1_000_000 }), async (steps, seed) => {
    const w = world(seed);
    try {
      const [e] = w.endpoints;
      const driverOf = (id: string, d: Declaration) => w.set(d.get(id)!.stack, id);
      let current: Declaration = new Map();
      for (const step of [{ kind: 'edit', pick: 0, rules: [] } as Step, ...steps]) {
        const next = apply(current, step);
        // One deploy, CloudFormation's order: creates and updates (new stacks first), then deletes.
        for (const [id, set] of next) {
          const before = current.get(id);
          if (!before) {
            expect((await driverOf(id, next).create(props(e, id, set.rules))).status).toBe('CREATE_COMPLETE');
          } else if (sorted(before.rules).join() !== sorted(set.rules).join()) {
            expect((await driverOf(id, next).update(props(e, id, set.rules))).status).toBe('UPDATE_COMPLETE');
          }
        }
        for (const id of current.keys()) {
          if (!next.has(id)) {
            expect((await driverOf(id, current).delete()).status).toBe('DELETE_COMPLETE');
          }
        }
        current = next;
        expect(w.declaredOn(e)).toEqual(declared(current));
      }
      for (const id of current.keys()) {
        await driverOf(id, current).delete();
      }
      expect(w.declaredOn(e)).toEqual([]);
      expect(w.records.names()).toEqual([]);
    } finally {
      for (const undo of teardown.splice(1).reverse()) undo();
    }
  }), { numRuns: 60 });
});
