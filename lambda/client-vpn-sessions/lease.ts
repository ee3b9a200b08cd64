/**
 * The enforcement lease: at most one scheduled enforcement run works on an
 * endpoint at a time, without reserved concurrency.
 *
 * Reserved concurrency 1 kept runs apart, but it fails to deploy in an
 * account whose concurrency quota is 10 (new accounts: AWS keeps 10
 * unreserved), and it never kept apart the runs of two functions (two
 * `ClientVpnRevocations` with enforcement on one endpoint). A lease does both.
 *
 * One Systems Manager parameter per endpoint,
 * `/cdk-network-access/client-vpn-enforcement/<endpointId>/lease`, holds
 * `{ v, holder, expiresAt }`:
 *
 * - acquire: PutParameter with Overwrite=false, which AWS makes atomic
 *   (ParameterAlreadyExists if another run holds it);
 * - a lease whose expiresAt has passed is taken over (its holder's
 *   invocation has ended: expiresAt is the holder's Lambda timeout), by an
 *   overwrite read back to see who won;
 * - release: read, and delete only if still ours.
 *
 * The lease saves request budget; it is never a reason to leave a revoked
 * session up. A run that cannot reach Parameter Store works without it, and
 * two runs that do overlap (a simultaneous takeover) are harmless: the engine
 * never terminates a session it sees terminating or terminated.
 */
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { enforcementLeaseParameterName as leaseParameterName } from '../../src/private/contract/client-vpn-sessions';
import { ssmClient } from '../shared/clients';
import { clock } from '../shared/clock';
import { awsErrorShape, safeErrorText } from '../shared/errors';
import { log } from '../shared/log';

const LEASE_VERSION = 1;

interface LeaseValue {
  readonly v: number;
  readonly holder: string;
  /** Epoch ms after which the holder no longer runs. */
  readonly expiresAt: number;
}

export type LeaseOutcome =
  /** This run holds the lease (or works without one: `unguarded`). */
  | { readonly acquired: true; readonly takenOver: boolean; readonly unguarded?: string }
  /** Another run holds it until `heldUntil`: skip this run. */
  | { readonly acquired: false; readonly holder: string; readonly heldUntil: number };

function encode(holder: string, expiresAt: number): string {
  const value: LeaseValue = { v: LEASE_VERSION, holder, expiresAt };
  return JSON.stringify(value);
}

function decode(raw: string | undefined): LeaseValue | undefined {
  try {
    const parsed = JSON.parse(raw ?? '') as Partial<LeaseValue>;
    if (parsed.v === LEASE_VERSION && typeof parsed.holder === 'string' && typeof parsed.expiresAt === 'number') {
      return parsed as LeaseValue;
    }
  } catch {
    // unreadable: treated as expired below
  }
  return undefined;
}

function named(err: unknown, name: string): boolean {
  return awsErrorShape(err).name === name;
}

async function put(name: string, value: string, overwrite: boolean): Promise<void> {
  await ssmClient().send(new PutParameterCommand({
    Name: name,
    Value: value,
    Type: 'String',
    Overwrite: overwrite,
    ...(overwrite ? {} : { Description: 'cdk-network-access: the scheduled Client VPN session enforcement run that works on this endpoint now' }),
  }));
}

async function read(name: string): Promise<LeaseValue | 'absent' | 'unreadable'> {
  try {
    const answer = await ssmClient().send(new GetParameterCommand({ Name: name }));
    return decode(answer.Parameter?.Value) ?? 'unreadable';
  } catch (err) {
    if (named(err, 'ParameterNotFound')) {
      return 'absent';
    }
    throw err;
  }
}

/**
 * Takes the endpoint's lease for `holder` until `expiresAt` (epoch ms), or
 * reports who holds it. Never throws: a Parameter Store failure yields an
 * unguarded run (logged), since skipping would leave revoked sessions up.
 */
export async function acquireLease(endpointId: string, holder: string, expiresAt: number): Promise<LeaseOutcome> {
  const name = leaseParameterName(endpointId);
  try {
    // Two rounds: the lease may be released between our create and our read.
    for (let round = 0; round < 2; round++) {
      try {
        await put(name, encode(holder, expiresAt), false);
        return { acquired: true, takenOver: false };
      } catch (err) {
        if (!named(err, 'ParameterAlreadyExists')) {
          throw err;
        }
      }
      const current = await read(name);
      if (current === 'absent') {
        continue;
      }
      if (current !== 'unreadable' && current.expiresAt > clock.now()) {
        return { acquired: false, holder: current.holder, heldUntil: current.expiresAt };
      }
      // Expired (or unreadable): its holder's invocation is over. Overwrite,
      // then read back: of two runs taking over at once, the last writer wins.
      await put(name, encode(holder, expiresAt), true);
      const after = await read(name);
      if (after !== 'absent' && after !== 'unreadable' && after.holder !== holder) {
        return { acquired: false, holder: after.holder, heldUntil: after.expiresAt };
      }
      log.info('enforcement lease taken over from an expired run', {
        endpointId, previousHolder: current === 'unreadable' ? 'unreadable' : current.holder,
      });
      return { acquired: true, takenOver: true };
    }
    return { acquired: true, takenOver: false, unguarded: 'the lease kept changing hands' };
  } catch (err) {
    const reason = safeErrorText(err);
    log.warn('enforcement lease unavailable; this run works without it', { endpointId, parameter: name, error: reason });
    return { acquired: true, takenOver: false, unguarded: reason };
  }
}

/** Gives the lease back if `holder` still holds it. Never throws (an unreleased lease expires). */
export async function releaseLease(endpointId: string, holder: string): Promise<void> {
  const name = leaseParameterName(endpointId);
  try {
    const current = await read(name);
    if (current === 'absent' || current === 'unreadable' || current.holder !== holder) {
      return;
    }
    await ssmClient().send(new DeleteParameterCommand({ Name: name }));
  } catch (err) {
    if (!named(err, 'ParameterNotFound')) {
      log.warn('could not release the enforcement lease; it expires by itself', { endpointId, parameter: name, error: safeErrorText(err) });
    }
  }
}
