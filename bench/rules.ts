/**
 * The rules and endpoint ids every benchmark declares: distinct, valid and
 * deterministic, so the two sides of a comparison always get the same input.
 */
import { ClientVpnAuthorizationRuleOptions } from '../src';

/** `cvpn-endpoint-000...0001`: a valid id, distinct per index. */
export function endpointId(index: number): string {
  return `cvpn-endpoint-${(index + 1).toString(16).padStart(17, '0')}`;
}

/** Rule `j`: the /24 network number `j` inside 10.0.0.0/8, one of 20 access groups, a description. */
export function benchRule(j: number): Required<Omit<ClientVpnAuthorizationRuleOptions, 'allUsers'>> {
  return {
    cidr: `10.${Math.floor(j / 256) % 256}.${j % 256}.0/24`,
    groupId: `group-${j % 20}`,
    description: `bench rule ${j}`,
  };
}

/** Rules 0 .. count-1. */
export function benchRules(count: number): Required<Omit<ClientVpnAuthorizationRuleOptions, 'allUsers'>>[] {
  return Array.from({ length: count }, (_, j) => benchRule(j));
}
