import { report } from './report-fixtures';
import { cidrToSet } from '../../src/review/private/address-set';
import { checkIntent, cidrContains, decidingRule, formatCounterexample, IntentError } from '../../src/review/private/intent';
import { NetworkAccessReportJson } from '../../src/review/private/report-types';

function withIngress(r: NetworkAccessReportJson, ingress: Array<[string, string, number | undefined, number | undefined]>): NetworkAccessReportJson {
  const s = r.stacks[0];
  return {
    ...r,
    stacks: [{
      ...s,
      securityGroups: [{
        stack: 'S',
        logicalId: 'Sg',
        constructPath: 'S/Sg',
        key: 'security-group:web',
        access: [],
        ingress: ingress.map(([id, protocol, fromPort, toPort], i) => ({
          stack: 'S', logicalId: `In${i}`, constructPath: `S/Sg/In${i}`, source: { kind: 'cidr' as const, id }, protocol, fromPort, toPort,
        })),
      }],
    }],
  };
}

const cvpn = report({
  rules: [['10.0.0.0/8', 'A'], ['10.5.0.0/16', 'B'], ['10.9.0.0/16', '*']],
  principals: { '*': ['10.9.0.0/16'], 'A': ['10.0.0.0/14', '10.4.0.0/16', '10.6.0.0/15', '10.8.0.0/13'], 'B': ['10.5.0.0/16', '10.9.0.0/16'] },
});

test('never: a counterexample address inside the target, with the deciding rule', () => {
  const [ok, bad, unknownGroup] = checkIntent(cvpn, {
    version: 1,
    assertions: [
      { never: { principal: 'A', reaches: '10.5.0.0/16' } },
      { never: { principal: 'A', reaches: '10.6.1.0/24' } },
      { never: { principal: 'finance', reaches: '10.9.3.0/24' } },
    ],
  });
  expect(ok.passed).toBe(true);
  expect(bad.passed).toBe(false);
  expect(bad.counterexamples).toEqual([expect.objectContaining({ principal: 'A', address: '10.6.1.0', rule: '10.0.0.0/8 for group A', constructPath: 'S/Rules0' })]);
  // A group without rules of its own gets what all users get.
  expect(unknownGroup.counterexamples).toEqual([expect.objectContaining({ principal: 'finance', address: '10.9.3.0', rule: '10.9.0.0/16 for all users' })]);
  expect(formatCounterexample(bad.counterexamples[0])).toBe('group A reaches 10.6.1.0 (any port) on client-vpn:10.100.0.0/16 in stack S: rule 10.0.0.0/8 for group A at S/Rules0');
});

test('never with principal any, and an endpoint filter', () => {
  const [any, other] = checkIntent(cvpn, {
    version: 1,
    assertions: [
      { never: { principal: 'any', reaches: '10.5.0.0/16' } },
      { never: { principal: 'any', reaches: '10.5.0.0/16', endpoint: 'client-vpn:172.16.0.0/16' } },
    ],
  });
  expect(any.counterexamples.map(c => c.principal)).toEqual(['B']);
  expect(other.passed).toBe(true);
});

test('onlyPrincipals: every other principal reaching it is a counterexample', () => {
  const [r] = checkIntent(cvpn, { version: 1, assertions: [{ onlyPrincipals: { reach: '10.9.0.0/16', principals: ['B'] } }] });
  // The all-users rule gives A the /16 too: longest prefix wins, and it names all users.
  expect(r.counterexamples.map(c => [c.principal, c.address, c.rule])).toEqual([['*', '10.9.0.0', '10.9.0.0/16 for all users'], ['A', '10.9.0.0', '10.9.0.0/16 for all users']]);
  const [all] = checkIntent(cvpn, { version: 1, assertions: [{ onlyPrincipals: { reach: '10.9.0.0/16', principals: ['A', 'B', '*'] } }] });
  expect(all.passed).toBe(true);
});

test('noRuleCoveringVpc: with a VPC CIDR, any rule containing it', () => {
  const [r] = checkIntent(cvpn, { version: 1, assertions: [{ noRuleCoveringVpc: { vpcCidr: '10.5.0.0/16' } }] });
  expect(r.counterexamples.map(c => c.rule)).toEqual(['10.0.0.0/8 for group A', '10.5.0.0/16 for group B']);
  const [none] = checkIntent(cvpn, { version: 1, assertions: [{ noRuleCoveringVpc: {} }] });
  expect(none.passed).toBe(true);
});

test('noIngress: a source containing from, on the protocol and port', () => {
  const r = withIngress(report({}), [['0.0.0.0/0', 'tcp', 443, 443], ['10.0.0.0/8', 'tcp', 22, 22], ['0.0.0.0/0', 'all', undefined, undefined]]);
  const [world22, ten22, udp] = checkIntent(r, {
    version: 1,
    assertions: [
      { noIngress: { from: '0.0.0.0/0', port: 22 } },
      { noIngress: { from: '10.1.0.0/16', port: 22 } },
      { noIngress: { from: '0.0.0.0/0', port: 53, protocol: 'udp' } },
    ],
  });
  expect(world22.counterexamples.map(c => c.constructPath)).toEqual(['S/Sg/In2']);
  expect(ten22.counterexamples.map(c => [c.address, c.port, c.constructPath])).toEqual([['10.1.0.0', '22', 'S/Sg/In1'], ['10.1.0.0', '22', 'S/Sg/In2']]);
  expect(udp.counterexamples.map(c => c.rule)).toEqual(['ingress from 0.0.0.0/0 all all ports']);
  const [pass] = checkIntent(withIngress(report({}), [['0.0.0.0/0', 'tcp', 443, 443]]), { version: 1, assertions: [{ noIngress: { from: '0.0.0.0/0', port: 22 } }] });
  expect(pass.passed).toBe(true);
});

test('noIngress over IPv6: a source of the same family containing from; the families never mix', () => {
  const r = withIngress(report({}), [['::/0', 'tcp', 22, 22], ['2001:db8::/32', 'all', undefined, undefined], ['0.0.0.0/0', 'tcp', 22, 22], ['::/0', 'icmpv6', -1, -1]]);
  const [world, doc, narrow, v4, icmp] = checkIntent(r, {
    version: 1,
    assertions: [
      { noIngress: { from: '::/0', port: 22 } },
      { noIngress: { from: '2001:db8:1::/48', port: 22 } },
      { noIngress: { from: '2001:db9::/32', port: 443 } },
      { noIngress: { from: '0.0.0.0/0', port: 22 } },
      { noIngress: { from: '::/0', port: 0, protocol: 'icmpv6' } },
    ],
  });
  expect(world.counterexamples.map(c => [c.address, c.constructPath])).toEqual([['::', 'S/Sg/In0']]);
  expect(doc.counterexamples.map(c => [c.address, c.constructPath])).toEqual([['2001:db8:1::', 'S/Sg/In0'], ['2001:db8:1::', 'S/Sg/In1']]);
  expect(narrow.passed).toBe(true);
  expect(v4.counterexamples.map(c => c.constructPath)).toEqual(['S/Sg/In2']);
  expect(icmp.counterexamples.map(c => c.constructPath)).toEqual(['S/Sg/In3']);
  expect(() => checkIntent(r, { version: 1, assertions: [{ noIngress: { from: '2001:db8::/129', port: 22 } }] })).toThrow(/noIngress.from: '2001:db8::\/129' is not an IPv4 or IPv6 CIDR/);
});

test('cidrContains agrees with address-by-address containment on the last 8 bits, IPv4 and IPv6', () => {
  // 10.0.0.n/p and 2001:db8::n/(p + 96) for p in 24..32: the same 256 addresses, in each family.
  const families = [
    (n: number, p: number) => `10.0.0.${n}/${p}`,
    (n: number, p: number) => `2001:db8::${n.toString(16)}/${p + 96}`,
  ];
  for (const make of families) {
    for (let op = 24; op <= 32; op++) {
      for (let ip = 24; ip <= 32; ip++) {
        for (const on of [0, 16, 128, 200]) {
          for (const inn of [0, 16, 130, 200, 255]) {
            const oSize = 2 ** (32 - op);
            const iSize = 2 ** (32 - ip);
            const oStart = on - (on % oSize);
            const iStart = inn - (inn % iSize);
            const inside = new Set(Array.from({ length: oSize }, (_, k) => oStart + k));
            const expected = Array.from({ length: iSize }, (_, k) => iStart + k).every(x => inside.has(x));
            const outer = make(oStart, op);
            const inner = make(iStart, ip);
            expect([outer, inner, cidrContains(outer, inner)]).toEqual([outer, inner, expected]);
          }
        }
      }
    }
  }
  expect(cidrContains('::/0', '0.0.0.0/0')).toBe(false);
  expect(cidrContains('0.0.0.0/0', '::/0')).toBe(false);
});

test('a CIDR that is not IPv4 is an IntentError naming the field', () => {
  expect(() => checkIntent(cvpn, { version: 1, assertions: [{ never: { principal: 'A', reaches: '10.0.0.0/33' } }] })).toThrow(IntentError);
  expect(() => checkIntent(cvpn, { version: 1, assertions: [{ never: { principal: 'A', reaches: 'nope' } }] })).toThrow(/never.reaches: 'nope'/);
});

test('decidingRule is the longest prefix for the principal', () => {
  const e = cvpn.stacks[0].clientVpnEndpoints[0];
  expect(decidingRule(e, cidrToSet('10.5.1.0/24')![0][0], 'B')?.cidr).toBe('10.5.0.0/16');
  expect(decidingRule(e, cidrToSet('10.5.1.0/24')![0][0], 'A')?.cidr).toBe('10.0.0.0/8');
});
