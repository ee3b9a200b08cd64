/* eslint-disable no-bitwise */ // The brute force masks addresses bit by bit on purpose.
import * as fc from 'fast-check';
import { intToIpv4, ipv4ToInt, parseIpv4Cidr, prefixMask } from '../../src/private/ipv4-cidr';
import { cidrToSet, contains, intersect, subtract, toCidrs, union } from '../../src/review/private/address-set';
import { ALL_USERS, EvalRule, evaluateClientVpnAccess, findRedundantRules, findShadowing } from '../../src/review/private/client-vpn-access';

/** Brute force: decide one address the way Client VPN does, rule by rule. */
function bruteForceAllows(rules: EvalRule[], principal: string, address: number): boolean {
  let longest = -1;
  for (const r of rules) {
    const p = parseIpv4Cidr(r.cidr);
    if (p.ok && ((address & prefixMask(p.cidr.prefix)) >>> 0) === p.cidr.network) {
      longest = Math.max(longest, p.cidr.prefix);
    }
  }
  return rules.some(r => {
    const p = parseIpv4Cidr(r.cidr);
    return p.ok && p.cidr.prefix === longest && ((address & prefixMask(longest)) >>> 0) === p.cidr.network
      && (r.groupId === undefined || r.groupId === principal);
  });
}

// Addresses inside 10.0.0.0/16 so that random rules overlap often.
const arbCidr = fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 8, max: 28 }))
  .map(([low, prefix]) => {
    const network = ((ipv4ToInt('10.0.0.0') + low) & prefixMask(prefix)) >>> 0;
    return `${intToIpv4(network)}/${prefix}`;
  });
const arbRule = fc.record({
  cidr: arbCidr,
  groupId: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
}).map(r => ({ ...r, declaredAt: 'App/Rules' }));

describe('Client VPN effective access (longest-prefix matching)', () => {
  test('matches a brute-force evaluator on random rule sets, address by address', () => {
    const arbOffsets = fc.array(fc.integer({ min: 0, max: 2 ** 17 }), { minLength: 20, maxLength: 40 });
    fc.assert(fc.property(fc.array(arbRule, { minLength: 1, maxLength: 8 }), arbOffsets,
      (rules, offsets) => {
        const everything = cidrToSet('0.0.0.0/0')!;
        const access = evaluateClientVpnAccess(rules, everything);
        for (const principal of ['a', 'b', 'c', ALL_USERS]) {
          const mine = access.find(a => a.principal === principal) ?? access.find(a => a.principal === ALL_USERS)!;
          for (const offset of offsets) {
            const address = ipv4ToInt('9.255.0.0') + offset;
            // All users: as a user in no group at all (a group name no rule uses).
            const asUser = rules.map((r): EvalRule => (r.groupId === undefined ? r : { ...r, groupId: '\u0000never' }));
            const expected = principal === ALL_USERS ? bruteForceAllows(asUser, '\u0000other', address) : bruteForceAllows(rules, principal, address);
            expect({ principal, address: intToIpv4(address), allowed: contains(mine.reachable, address) })
              .toEqual({ principal, address: intToIpv4(address), allowed: expected });
          }
        }
      }), { numRuns: 300 });
  });

  test('the routes limit what is reachable, not what is authorized', () => {
    const rules = [{ cidr: '10.0.0.0/16', groupId: 'eng', declaredAt: 'A' }];
    const [, eng] = evaluateClientVpnAccess(rules, cidrToSet('10.0.1.0/24')!);
    expect(eng.principal).toBe('eng');
    expect(toCidrs(eng.authorized)).toEqual(['10.0.0.0/16']);
    expect(toCidrs(eng.reachable)).toEqual(['10.0.1.0/24']);
  });

  test('a more specific rule of another group takes the network from the broader group', () => {
    const rules = [
      { cidr: '10.0.0.0/8', groupId: 'A', declaredAt: 'App/Broad' },
      { cidr: '10.1.0.0/16', groupId: 'B', declaredAt: 'App/Narrow' },
    ];
    const access = evaluateClientVpnAccess(rules, cidrToSet('0.0.0.0/0')!);
    const a = access.find(x => x.principal === 'A')!;
    expect(toCidrs(a.authorized)).toEqual(['10.0.0.0/16', '10.2.0.0/15', '10.4.0.0/14', '10.8.0.0/13', '10.16.0.0/12',
      '10.32.0.0/11', '10.64.0.0/10', '10.128.0.0/9']);
    expect(findShadowing(rules)).toEqual([expect.objectContaining({
      principal: 'A', lostCidr: '10.1.0.0/16', takenBy: rules[1], shadowedRule: rules[0],
    })]);
  });

  test('an all-users rule at the more specific prefix shadows no one', () => {
    const rules = [
      { cidr: '10.0.0.0/8', groupId: 'A', declaredAt: 'App/Broad' },
      { cidr: '10.1.0.0/16', declaredAt: 'App/Everyone' },
    ];
    expect(findShadowing(rules)).toEqual([]);
    const a = evaluateClientVpnAccess(rules, cidrToSet('0.0.0.0/0')!).find(x => x.principal === 'A')!;
    expect(toCidrs(a.authorized)).toEqual(['10.0.0.0/8']);
  });
});

describe('address sets', () => {
  const arbSet = fc.array(arbCidr, { maxLength: 5 }).map(cs => union(...cs.map(c => cidrToSet(c)!)));
  test('toCidrs covers exactly the set', () => {
    fc.assert(fc.property(arbSet, s => {
      expect(union(...toCidrs(s).map(c => cidrToSet(c)!))).toEqual(s);
    }));
  });
  test('subtract and intersect split a set in two disjoint parts', () => {
    fc.assert(fc.property(arbSet, arbSet, (a, b) => {
      expect(intersect(subtract(a, b), b)).toEqual([]);
      expect(union(subtract(a, b), intersect(a, b))).toEqual(a);
    }));
  });
});

describe('redundant rules', () => {
  /** Brute force: every principal's authorization, address by address, over a sample. */
  function fingerprint(rules: EvalRule[], addresses: number[]): string {
    return ['a', 'b', 'c', '\u0000other'].map(p => addresses.map(a => (bruteForceAllows(rules, p, a) ? '1' : '0')).join('')).join('|');
  }

  test('a rule is reported redundant exactly when removing it changes no one\'s access (checked address by address)', () => {
    // Every address that can differ: the first and last of each rule's CIDR and their neighbours.
    fc.assert(fc.property(fc.array(arbRule, { minLength: 1, maxLength: 8 }), (input) => {
      const rules = input.map((r, i) => ({ ...r, declaredAt: String(i) }));
      const addresses = [...new Set(rules.flatMap(r => {
        const [[first, last]] = cidrToSet(r.cidr)!;
        return [first - 1, first, first + 1, last - 1, last, last + 1];
      }))];
      const reported = new Set(findRedundantRules(rules).map(r => r.rule.declaredAt));
      const before = fingerprint(rules, addresses);
      const key = (r: EvalRule) => `${parseIpv4Cidr(r.cidr).ok && (parseIpv4Cidr(r.cidr) as { cidr: { canonical: string } }).cidr.canonical}|${r.groupId}`;
      for (const [i, r] of rules.entries()) {
        // Of two copies of one rule, the later is the duplicate reported; the earlier stays.
        if (rules.slice(i + 1).some(o => key(o) === key(r))) continue;
        const without = rules.filter(o => o !== r);
        expect({ rule: r, redundant: reported.has(r.declaredAt) })
          .toEqual({ rule: r, redundant: fingerprint(without, addresses) === before });
      }
    }), { numRuns: 300 });
  });
});
