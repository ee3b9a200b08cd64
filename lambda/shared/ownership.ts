/**
 * Ownership records: which set declares which keys on a shared target (a
 * Client VPN endpoint's authorization rules, a cache security group's
 * ingress pairs), kept in Systems Manager Parameter Store.
 *
 * Why: several sets may declare the same rule over time. A refactor that
 * renames a set, moves it to another stack or splits it makes CloudFormation
 * create the new set (which adopts the existing rules) and then delete the
 * old one; without a record, that Delete revoked rules the new set still
 * declares, and the deploy ended with the endpoint missing rules its
 * template declares. With the records, every removal (a Delete, the removed
 * half of an Update, the old side of a replacement) first reads the records
 * of the target and leaves alone every key another set claims.
 *
 * Why Parameter Store rather than reading the stack's template: a record
 * covers sets in other stacks (a move to another stack deploys the new
 * stack first), needs no resource shared between stacks, and an operator can
 * read who claims what (`aws ssm get-parameters-by-path --path
 * /cdk-network-access/client-vpn-authorizations/<endpoint> --recursive`).
 * Standard parameters cost nothing.
 *
 * Layout: `/cdk-network-access/<family>/<target>/<set>/<chunk>`, one record
 * per set, split into chunks of at most 4 KB (the Standard tier's limit),
 * each a JSON object `{ v, owner, keys }`. A set claims before it mutates
 * (so a concurrent removal by another set sees the claim) and releases its
 * record when its Delete is done. A record that cannot be read claims
 * nothing and is logged: failing every removal on the target over one
 * hand-edited parameter would help nobody.
 */
import { createHash } from 'node:crypto';
import {
  DeleteParametersCommand,
  GetParametersByPathCommand,
  GetParametersByPathCommandOutput,
  PutParameterCommand,
} from '@aws-sdk/client-ssm';
import { ssmClient } from './clients';
import { log } from './log';

/** The root of every record this library writes. */
export const OWNERSHIP_ROOT = '/cdk-network-access';

/** The Standard tier's value limit, less room for the chunk envelope. */
export const CHUNK_VALUE_LIMIT_BYTES = 4000;

const RECORD_VERSION = 1;
const SAFE_SEGMENT = /^[A-Za-z0-9_.-]{1,128}$/;

/** One shared target of one family, e.g. `{ family: 'client-vpn-authorizations', target: 'cvpn-endpoint-0a1b' }`. */
export interface OwnershipScope {
  readonly family: string;
  readonly target: string;
}

/** A set's claim as read back. */
export interface OwnershipRecord {
  readonly setId: string;
  /** Who wrote it: `<StackId>|<LogicalResourceId>`. */
  readonly owner: string;
  readonly keys: ReadonlySet<string>;
}

/** Every record of a target, with the parameter names of each set (for rewrites and release). */
export interface OwnershipSnapshot {
  readonly records: ReadonlyMap<string, OwnershipRecord>;
  readonly parameterNames: ReadonlyMap<string, readonly string[]>;
  readonly values: ReadonlyMap<string, string>;
}

interface ChunkValue {
  readonly v: number;
  readonly owner: string;
  readonly keys: readonly string[];
}

/** A path segment Parameter Store accepts, readable when the input already is. */
export function pathSegment(value: string): string {
  return SAFE_SEGMENT.test(value) ? value : `h-${createHash('sha256').update(value).digest('hex').slice(0, 40)}`;
}

/** `/cdk-network-access/<family>/<target>`: the path GetParametersByPath reads (and IAM authorizes). */
export function ownershipPath(scope: OwnershipScope): string {
  return `${OWNERSHIP_ROOT}/${pathSegment(scope.family)}/${pathSegment(scope.target)}`;
}

function setPath(scope: OwnershipScope, setId: string): string {
  return `${ownershipPath(scope)}/${pathSegment(setId)}`;
}

/**
 * The chunk values of a record, in order: keys sorted, each chunk at most
 * CHUNK_VALUE_LIMIT_BYTES. An empty set still writes one chunk, so the set
 * is visible as an owner of nothing.
 */
export function recordChunks(owner: string, keys: readonly string[]): string[] {
  const sorted = [...new Set(keys)].sort();
  const chunks: string[] = [];
  let current: string[] = [];
  const render = (list: readonly string[]) => JSON.stringify({ v: RECORD_VERSION, owner, keys: list } satisfies ChunkValue);
  for (const key of sorted) {
    const next = [...current, key];
    if (current.length > 0 && Buffer.byteLength(render(next), 'utf8') > CHUNK_VALUE_LIMIT_BYTES) {
      chunks.push(render(current));
      current = [key];
    } else {
      current = next;
    }
  }
  chunks.push(render(current));
  const tooLarge = chunks.find(chunk => Buffer.byteLength(chunk, 'utf8') > CHUNK_VALUE_LIMIT_BYTES);
  if (tooLarge !== undefined) {
    throw new Error(`an ownership key is too long for a ${CHUNK_VALUE_LIMIT_BYTES}-byte record chunk`);
  }
  return chunks;
}

function parseChunk(name: string, value: string | undefined): ChunkValue | undefined {
  try {
    const parsed = JSON.parse(value ?? '') as Partial<ChunkValue>;
    if (parsed.v === RECORD_VERSION && typeof parsed.owner === 'string' && Array.isArray(parsed.keys)
      && parsed.keys.every(key => typeof key === 'string')) {
      return parsed as ChunkValue;
    }
  } catch {
    // reported below
  }
  log.warn('ownership record unreadable; it claims nothing', { parameter: name });
  return undefined;
}

/** Reads every record of the target (GetParametersByPath, recursive, paged). */
export async function readOwnership(scope: OwnershipScope): Promise<OwnershipSnapshot> {
  const path = ownershipPath(scope);
  const values = new Map<string, string>();
  let token: string | undefined;
  do {
    const page: GetParametersByPathCommandOutput = await ssmClient().send(new GetParametersByPathCommand({
      Path: path, Recursive: true, MaxResults: 10, NextToken: token,
    }));
    for (const parameter of page.Parameters ?? []) {
      if (parameter.Name !== undefined) {
        values.set(parameter.Name, parameter.Value ?? '');
      }
    }
    token = page.NextToken;
  } while (token);

  const records = new Map<string, { owner: string; keys: Set<string> }>();
  const parameterNames = new Map<string, string[]>();
  for (const [name, value] of [...values].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const setSegment = name.slice(path.length + 1).split('/')[0];
    parameterNames.set(setSegment, [...parameterNames.get(setSegment) ?? [], name]);
    const chunk = parseChunk(name, value);
    if (!chunk) continue;
    const record = records.get(setSegment) ?? { owner: chunk.owner, keys: new Set<string>() };
    chunk.keys.forEach(key => record.keys.add(key));
    records.set(setSegment, record);
  }
  return {
    records: new Map([...records].map(([setId, r]) => [setId, { setId, owner: r.owner, keys: r.keys }])),
    parameterNames,
    values,
  };
}

/** Keys claimed by any set other than `setId` in a snapshot. */
export function claimedByOthers(snapshot: OwnershipSnapshot, setId: string): Set<string> {
  const own = pathSegment(setId);
  const claimed = new Set<string>();
  for (const [segment, record] of snapshot.records) {
    if (segment !== own) {
      record.keys.forEach(key => claimed.add(key));
    }
  }
  return claimed;
}

/** Keys claimed by any set other than `setId` on the target. */
export async function keysClaimedByOthers(scope: OwnershipScope, setId: string): Promise<ReadonlySet<string>> {
  return claimedByOthers(await readOwnership(scope), setId);
}

/**
 * Writes the set's record (only the chunks that differ, then drops chunks a
 * smaller record no longer needs) and returns the keys other sets claim,
 * read in the same call. Idempotent: a pass that repeats it writes nothing.
 */
export async function claim(scope: OwnershipScope, setId: string, owner: string, keys: readonly string[]): Promise<ReadonlySet<string>> {
  const snapshot = await readOwnership(scope);
  const base = setPath(scope, setId);
  const chunks = recordChunks(owner, keys);
  const wanted = new Map(chunks.map((value, i) => [`${base}/${i}`, value]));
  let written = 0;
  for (const [name, value] of wanted) {
    if (snapshot.values.get(name) !== value) {
      await ssmClient().send(new PutParameterCommand({
        Name: name,
        Value: value,
        Type: 'String',
        Overwrite: true,
        Description: 'cdk-network-access: keys this set declares; removals by other sets leave them alone',
      }));
      written++;
    }
  }
  const stale = (snapshot.parameterNames.get(pathSegment(setId)) ?? []).filter(name => !wanted.has(name));
  await deleteNames(stale);
  if (written > 0 || stale.length > 0) {
    log.info('ownership record written', { path: base, keys: keys.length, chunks: chunks.length, written, dropped: stale.length });
  }
  return claimedByOthers(snapshot, setId);
}

/** Deletes the set's record (every chunk); a record already gone is fine. */
export async function release(scope: OwnershipScope, setId: string): Promise<void> {
  const snapshot = await readOwnership(scope);
  const names = snapshot.parameterNames.get(pathSegment(setId)) ?? [];
  await deleteNames(names);
  if (names.length > 0) {
    log.info('ownership record released', { path: setPath(scope, setId), chunks: names.length });
  }
}

async function deleteNames(names: readonly string[]): Promise<void> {
  for (let i = 0; i < names.length; i += 10) {
    // DeleteParameters reports names already gone as InvalidParameters: fine.
    await ssmClient().send(new DeleteParametersCommand({ Names: names.slice(i, i + 10) }));
  }
}
