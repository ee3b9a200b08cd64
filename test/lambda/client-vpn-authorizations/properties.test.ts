import { ipv4CidrProblem, parseAuthorizationSet } from '../../../lambda/client-vpn-authorizations/properties';
import { ENDPOINT, PHYSICAL_ID, SET_ID, setProps } from '../fixtures';

function problemsOf(raw: unknown): readonly string[] {
  const result = parseAuthorizationSet(raw);
  if (result.ok) {
    throw new Error('expected the properties to be rejected');
  }
  return result.problems;
}

describe('parseAuthorizationSet', () => {
  test('reads schema version 1, sorts rules by identity and normalises descriptions', () => {
    const result = parseAuthorizationSet(setProps([
      { Cidr: '10.1.0.0/16', GroupId: 'g-2', Description: 'b' },
      { Cidr: '10.0.0.0/16', AllGroups: 'true' },
      { Cidr: '10.0.0.0/16', GroupId: 'g-1', AllGroups: 'false' },
      { Cidr: '0.0.0.0/0', AllGroups: true, Description: '' },
    ]));
    expect(result).toEqual({
      ok: true,
      set: {
        endpointId: ENDPOINT,
        setId: SET_ID,
        physicalId: PHYSICAL_ID,
        sessionsOnRevoke: 'none',
        rules: [
          { cidr: '0.0.0.0/0', groupId: undefined, description: '' },
          { cidr: '10.0.0.0/16', groupId: 'g-1', description: '' },
          { cidr: '10.0.0.0/16', groupId: undefined, description: '' },
          { cidr: '10.1.0.0/16', groupId: 'g-2', description: 'b' },
        ],
      },
    });
  });

  test('an absent Rules list is an empty set', () => {
    const { Rules: _omitted, ...props } = setProps([]);
    const result = parseAuthorizationSet(props);
    expect(result.ok && result.set.rules).toEqual([]);
  });

  test('host bits are named with the property path and the fix', () => {
    const rules = [
      { Cidr: '10.0.0.0/16', GroupId: 'a' },
      { Cidr: '10.1.0.0/16', GroupId: 'b' },
      { Cidr: '10.2.0.0/16', GroupId: 'c' },
      { Cidr: '10.0.0.5/24', GroupId: 'd' },
    ];
    expect(problemsOf(setProps(rules))).toEqual(["Rules[3].Cidr '10.0.0.5/24' has host bits set; did you mean '10.0.0.0/24'?"]);
  });

  test.each([
    [{ Cidr: '10.0.0/24', GroupId: 'g' }, "Rules[0].Cidr '10.0.0/24' is not an IPv4 CIDR"],
    [{ Cidr: '10.0.0.0/33', GroupId: 'g' }, "Rules[0].Cidr '10.0.0.0/33' is not an IPv4 CIDR"],
    [{ Cidr: '010.0.0.0/8', GroupId: 'g' }, "Rules[0].Cidr '010.0.0.0/8' is not an IPv4 CIDR"],
    [{ Cidr: 42, GroupId: 'g' }, 'Rules[0].Cidr must be a string, got 42'],
    [{ Cidr: '10.0.0.0/8' }, "Rules[0] needs GroupId or AllGroups 'true'"],
    [{ Cidr: '10.0.0.0/8', AllGroups: 'false' }, "Rules[0] needs GroupId or AllGroups 'true'"],
    [{ Cidr: '10.0.0.0/8', GroupId: 'g', AllGroups: 'true' }, "Rules[0] sets both GroupId 'g' and AllGroups"],
    [{ Cidr: '10.0.0.0/8', AllGroups: 'yes' }, "Rules[0].AllGroups 'yes' must be true or 'true'"],
    [{ Cidr: '10.0.0.0/8', GroupId: '' }, "Rules[0].GroupId must be a non-empty string, got ''"],
    [{ Cidr: '10.0.0.0/8', GroupId: 'g', Description: 'd'.repeat(256) }, 'Rules[0].Description is 256 characters; EC2 allows at most 255'],
    ['10.0.0.0/8', "Rules[0] must be an object with Cidr and GroupId or AllGroups, got '10.0.0.0/8'"],
  ])('rule %j is rejected', (rule, message) => {
    const problems = problemsOf(setProps([rule as never]));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  test('duplicates of one identity are rejected, whatever their descriptions', () => {
    expect(problemsOf(setProps([
      { Cidr: '10.0.0.0/16', GroupId: 'g-1', Description: 'a' },
      { Cidr: '10.0.0.0/16', GroupId: 'g-1', Description: 'b' },
    ]))).toEqual(['Rules[1] duplicates Rules[0] (10.0.0.0/16 group g-1); EC2 allows one rule per CIDR and group']);
  });

  test.each([
    [{ SchemaVersion: '3' }, "SchemaVersion '3' is not supported (this handler reads '1', '2')"],
    [{ SchemaVersion: 1 as never }, 'SchemaVersion 1 is not supported'],
    [{ ClientVpnEndpointId: 'vpc-123' }, "ClientVpnEndpointId 'vpc-123' is not a Client VPN endpoint id"],
    [{ SetId: '' }, "SetId '' must be a non-empty string"],
    [{ Rules: 'all' as never }, "Rules must be a list of rules, got 'all'"],
    [{ SessionsOnRevoke: 'kill' }, "SessionsOnRevoke 'kill' must be 'none' or 'terminate-all'"],
  ])('top-level %j is rejected', (overrides, message) => {
    expect(problemsOf(setProps([], overrides)).join('\n')).toContain(message);
  });

  test('reports at most five problems plus a count', () => {
    const rules = Array.from({ length: 8 }, (_, i) => ({ Cidr: `10.0.${i}.1/24`, GroupId: 'g' }));
    const problems = problemsOf(setProps(rules));
    expect(problems).toHaveLength(6);
    expect(problems[5]).toBe('and 3 more problems');
  });

  test('non-objects are rejected', () => {
    expect(problemsOf(null)).toEqual(['properties must be an object, got null']);
  });
});

describe('ipv4CidrProblem', () => {
  test.each(['0.0.0.0/0', '10.0.0.0/8', '192.168.1.128/25', '255.255.255.255/32'])('%s is a network', cidr => {
    expect(ipv4CidrProblem(cidr)).toBeUndefined();
  });
  test.each([
    ['10.0.0.1/0', '0.0.0.0/0'],
    ['192.168.1.129/25', '192.168.1.128/25'],
    ['172.31.255.255/12', '172.16.0.0/12'],
  ])('%s suggests %s', (cidr, network) => {
    expect(ipv4CidrProblem(cidr)).toBe(`has host bits set; did you mean '${network}'?`);
  });
});
