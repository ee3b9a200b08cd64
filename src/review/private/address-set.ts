import { intToIpv4, parseIpv4Cidr } from '../../private/ipv4-cidr';

/**
 * Sets of IPv4 addresses as sorted, disjoint, non-adjacent closed intervals
 * [first, last] of 32-bit unsigned integers. Pure; every operation returns a
 * new normalised set. Addresses stay below 2^32, so plain numbers are exact.
 *
 * The loops index arrays rather than destructure them (`for (const [a, b] of ...)`):
 * the review runs once per synth, mostly before V8 optimizes it, and unoptimized
 * iteration allocates an object per step.
 */
export type AddressSet = ReadonlyArray<readonly [number, number]>;

export const EMPTY: AddressSet = [];

/** The addresses of one CIDR, or undefined when it is not IPv4 CIDR notation. */
export function cidrToSet(cidr: string): AddressSet | undefined {
  const parsed = parseIpv4Cidr(cidr);
  if (!parsed.ok) {
    return undefined;
  }
  const blockSize = 2 ** (32 - parsed.cidr.prefix);
  return [[parsed.cidr.network, parsed.cidr.network + blockSize - 1]];
}

/**
 * Sorts `ranges` in place (callers pass a list of their own) and merges what overlaps
 * or touches. A range that merges with no other is kept as it is (ranges are never
 * changed, so sets may share them); merged ones are new.
 */
function normalise(ranges: Array<readonly [number, number]>): AddressSet {
  const sorted = ranges.sort((a, b) => a[0] - b[0]);
  const out: Array<readonly [number, number]> = [];
  let i = 0;
  while (i < sorted.length) {
    const start = sorted[i];
    let last = start[1];
    let j = i + 1;
    while (j < sorted.length && sorted[j][0] <= last + 1) {
      last = Math.max(last, sorted[j][1]);
      j++;
    }
    out.push(last === start[1] ? start : [start[0], last]);
    i = j;
  }
  return out;
}

export function union(...sets: AddressSet[]): AddressSet {
  // The input ranges themselves, not copies: normalise() only reads them.
  const ranges: Array<readonly [number, number]> = [];
  for (let i = 0; i < sets.length; i++) {
    const s = sets[i];
    for (let j = 0; j < s.length; j++) ranges.push(s[j]);
  }
  return normalise(ranges);
}

export function intersect(a: AddressSet, b: AddressSet): AddressSet {
  const out: Array<[number, number]> = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const first = Math.max(a[i][0], b[j][0]);
    const last = Math.min(a[i][1], b[j][1]);
    if (first <= last) {
      out.push([first, last]);
    }
    if (a[i][1] < b[j][1]) {
      i++;
    } else {
      j++;
    }
  }
  return out;
}

export function subtract(a: AddressSet, b: AddressSet): AddressSet {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < a.length; i++) {
    const last = a[i][1];
    let start = a[i][0];
    for (let j = 0; j < b.length; j++) {
      const bf = b[j][0];
      const bl = b[j][1];
      if (bl < start || bf > last) {
        continue;
      }
      if (bf > start) {
        out.push([start, bf - 1]);
      }
      start = bl + 1;
      if (start > last) {
        break;
      }
    }
    if (start <= last) {
      out.push([start, last]);
    }
  }
  return out;
}

export function isEmpty(a: AddressSet): boolean {
  return a.length === 0;
}

export function contains(a: AddressSet, address: number): boolean {
  return a.some(([first, last]) => first <= address && address <= last);
}

export function size(a: AddressSet): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) n += a[i][1] - a[i][0] + 1;
  return n;
}

/** The fewest CIDRs that cover exactly the set, in address order. */
export function toCidrs(a: AddressSet): string[] {
  const out: string[] = [];
  for (let i = 0; i < a.length; i++) {
    const last = a[i][1];
    let start = a[i][0];
    while (start <= last) {
      // The largest block aligned at `start` that does not pass `last`.
      let prefix = 32;
      while (prefix > 0) {
        const blockSize = 2 ** (33 - prefix);
        if (start % blockSize !== 0 || start + blockSize - 1 > last) {
          break;
        }
        prefix--;
      }
      out.push(`${intToIpv4(start)}/${prefix}`);
      start += 2 ** (32 - prefix);
    }
  }
  return out;
}
