import { parseIngressSet } from '../../../lambda/cache-security-group-ingress/properties';

const base = { SchemaVersion: '1', CacheSecurityGroupName: 'g', SetId: 's' };

test('a valid set is sorted and gets the natural physical id', () => {
  const parsed = parseIngressSet({
    ...base,
    Ingress: [
      { EC2SecurityGroupName: 'web', EC2SecurityGroupOwnerId: '123456789012' },
      { EC2SecurityGroupName: 'app', EC2SecurityGroupOwnerId: '123456789012' },
    ],
  });
  expect(parsed).toEqual({
    ok: true,
    set: {
      cacheSecurityGroupName: 'g',
      setId: 's',
      physicalId: 'g/ingress/s',
      pairs: [{ ec2SecurityGroupName: 'app', ownerId: '123456789012' }, { ec2SecurityGroupName: 'web', ownerId: '123456789012' }],
    },
  });
  expect(parseIngressSet(base)).toEqual(expect.objectContaining({ ok: true, set: expect.objectContaining({ pairs: [] }) }));
});

test.each([
  [{ ...base, CacheSecurityGroupName: '' }, "CacheSecurityGroupName must be a non-empty string, got ''"],
  [{ ...base, CacheSecurityGroupName: 'x'.repeat(256) }, 'must be at most 255 printable characters'],
  [{ ...base, SetId: 7 }, 'SetId 7 must be a non-empty string'],
  [{ ...base, Ingress: 'app' }, "Ingress must be a list of pairs, got 'app'"],
  [{ ...base, Ingress: ['app'] }, "Ingress[0] must be an object with EC2SecurityGroupName and EC2SecurityGroupOwnerId, got 'app'"],
  [{ ...base, Ingress: [{ EC2SecurityGroupName: 'a', EC2SecurityGroupOwnerId: 12 }] }, 'Ingress[0].EC2SecurityGroupOwnerId 12 must be a 12-digit AWS account id'],
  [{ ...base, SchemaVersion: undefined }, 'SchemaVersion undefined is not supported'],
])('%j is rejected: %s', (raw, problem) => {
  const parsed = parseIngressSet(raw);
  expect(parsed.ok).toBe(false);
  expect(parsed.ok ? [] : parsed.problems.join('; ')).toContain(problem);
});

test('at most five problems are reported, the rest counted', () => {
  const parsed = parseIngressSet({ ...base, Ingress: Array.from({ length: 8 }, () => ({ EC2SecurityGroupName: '', EC2SecurityGroupOwnerId: '1' })) });
  expect(parsed.ok ? [] : parsed.problems).toHaveLength(6);
  expect(parsed.ok ? '' : parsed.problems[5]).toBe('and 11 more problems');
});
