/* eslint-disable no-bitwise */ // CIDR arithmetic is bit arithmetic on 32-bit addresses.
import { isIPv4 } from 'net';

/**
 * IPv4 CIDR parsing and normalisation. Small on purpose: jsii bundles every
 * runtime dependency of src/, and this is the whole of the arithmetic the
 * constructs need (syntax, host bits, the network that was meant).
 */

export interface ParsedIpv4Cidr {
  /** The input, trimmed. */
  readonly input: string;
  /** The network address as a 32-bit unsigned integer. */
  readonly network: number;
  /** Prefix length, 0..32. */
  readonly prefix: number;
  /** The canonical form: network address without host bits, plus prefix. */
  readonly canonical: string;
  /** True when the input had host bits set (e.g. 10.0.0.5/24). */
  readonly hostBitsSet: boolean;
}

export type Ipv4CidrParseResult =
  | { readonly ok: true; readonly cidr: ParsedIpv4Cidr }
  | { readonly ok: false; readonly reason: string };

export function ipv4ToInt(address: string): number {
  return address.split('.').reduce((acc, octet) => ((acc * 256) + Number(octet)), 0) >>> 0;
}

export function intToIpv4(value: number): string {
  return `${(value >>> 24) & 255}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

export function prefixMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parses remembered by input text; cleared when full, so memory stays bounded. */
const parsed = new Map<string, Ipv4CidrParseResult>();
const PARSED_LIMIT = 10_000;

/**
 * Parse `a.b.c.d/n`. Leading zeros in octets are rejected (AWS reads them ambiguously).
 * Memoized: the review parses the same few CIDRs many times; results are frozen and shared.
 */
export function parseIpv4Cidr(value: string): Ipv4CidrParseResult {
  let result = parsed.get(value);
  if (result === undefined) {
    result = deepFreeze(parseUncached(value));
    if (parsed.size >= PARSED_LIMIT) parsed.clear();
    parsed.set(value, result);
  }
  return result;
}

function deepFreeze(result: Ipv4CidrParseResult): Ipv4CidrParseResult {
  if (result.ok) Object.freeze(result.cidr);
  return Object.freeze(result);
}

function parseUncached(value: string): Ipv4CidrParseResult {
  const input = value.trim();
  const match = /^([0-9.]+)\/([0-9]{1,2})$/.exec(input);
  if (!match) {
    return { ok: false, reason: 'is not in IPv4 CIDR notation (a.b.c.d/n)' };
  }
  const [, address, prefixText] = match;
  if (!isIPv4(address) || address.split('.').some(o => o.length > 1 && o.startsWith('0'))) {
    return { ok: false, reason: `has an invalid IPv4 address '${address}'` };
  }
  const prefix = Number(prefixText);
  if (prefix > 32) {
    return { ok: false, reason: `has prefix length /${prefix}; IPv4 prefixes run from /0 to /32` };
  }
  const addr = ipv4ToInt(address);
  const network = (addr & prefixMask(prefix)) >>> 0;
  return {
    ok: true,
    cidr: {
      input,
      network,
      prefix,
      canonical: `${intToIpv4(network)}/${prefix}`,
      hostBitsSet: network !== addr,
    },
  };
}

/** True when `inner` lies entirely inside `outer`. */
export function ipv4CidrContains(outer: ParsedIpv4Cidr, inner: ParsedIpv4Cidr): boolean {
  return inner.prefix >= outer.prefix && ((inner.network & prefixMask(outer.prefix)) >>> 0) === outer.network;
}
