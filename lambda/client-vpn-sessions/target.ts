/**
 * What a request asks for: which CRL to import, whose sessions to terminate,
 * or that there is nothing to do. Pure; shared by `onEvent` (which only
 * validates and answers with the physical id) and `isComplete` (which does
 * the work), so both always agree.
 *
 * Both resource types declare what must NOT exist, so an Update is a diff in
 * one direction only: adding a principal (or a new CRL) means "cut these
 * sessions now"; removing one terminates nothing and restores nothing (a
 * terminated session cannot be brought back; the user simply reconnects).
 */
import {
  CertificateRevocationList,
  CrlSource,
  parseCertificateRevocationList,
  parseRevocations,
  Parsed,
  RevocationSet,
} from './properties';
import { CLIENT_VPN_CRL_RESOURCE_TYPE, CLIENT_VPN_REVOCATIONS_RESOURCE_TYPE } from '../../src/private/contract/client-vpn-sessions';
import { HandlerError } from '../shared/errors';
import { OnEventRequest } from '../shared/events';
import { shown } from '../shared/property-values';

export type ResourceKind = 'revocations' | 'certificate-revocation-list';

export interface TerminationTarget {
  readonly usernames: readonly string[];
  readonly commonNames: readonly string[];
}

export interface CrlImport {
  readonly source: CrlSource;
  readonly sha256: string;
}

export interface SessionsWork {
  readonly kind: ResourceKind;
  readonly requestType: 'Create' | 'Update';
  readonly endpointId: string;
  readonly physicalId: string;
  /** The CRL to import (and see active) before anything else. */
  readonly importCrl?: CrlImport;
  /** Principals whose sessions end; absent when the request terminates nothing. */
  readonly terminate?: TerminationTarget;
  /** Facts worth a log line (why an Update terminates nothing, why it re-imports). */
  readonly notes: readonly string[];
}

export type Interpretation =
  | { readonly action: 'skip'; readonly physicalId: string; readonly reason: string }
  | { readonly action: 'work'; readonly work: SessionsWork };

/**
 * Why Delete of a CRL resource makes no call: EC2 has Import and Export for an
 * endpoint's client certificate revocation list, but no operation that
 * removes one. The last imported list stays in force until another is
 * imported or the endpoint is deleted; un-revoking a certificate therefore
 * means deploying a new CRL, not deleting this resource.
 */
export const CRL_DELETE_REASON = 'EC2 has no operation that removes a client certificate revocation list; '
  + 'the last imported one stays in force on the endpoint until another is imported or the endpoint is deleted';

/** Why Delete of a revocation set makes no call. */
export const REVOCATIONS_DELETE_REASON = 'a revocation set only ends sessions; removing it terminates nothing and restores nothing';

export function resourceKind(resourceType: string): ResourceKind | undefined {
  switch (resourceType) {
    case CLIENT_VPN_REVOCATIONS_RESOURCE_TYPE: return 'revocations';
    case CLIENT_VPN_CRL_RESOURCE_TYPE: return 'certificate-revocation-list';
    default: return undefined;
  }
}

function invalid(requestType: string, problems: readonly string[]): HandlerError {
  return new HandlerError(`invalid properties for ${requestType}: ${problems.join('; ')}`);
}

function terminationOf(principals: TerminationTarget): TerminationTarget | undefined {
  return principals.usernames.length + principals.commonNames.length > 0
    ? { usernames: principals.usernames, commonNames: principals.commonNames }
    : undefined;
}

function added(before: readonly string[], after: readonly string[]): string[] {
  const known = new Set(before);
  return after.filter(name => !known.has(name));
}

/**
 * Interprets a Provider request. Throws HandlerError for a Create or Update
 * of an unknown resource type or with malformed properties. A Delete never
 * throws and never makes a call (see the reasons above), whatever its
 * properties: a failed-create marker id and shapes from another version
 * included.
 */
export function interpretRequest(event: OnEventRequest): Interpretation {
  if (event.RequestType === 'Delete') {
    const kind = resourceKind(event.ResourceType);
    const reason = kind === 'certificate-revocation-list' ? CRL_DELETE_REASON
      : kind === 'revocations' ? REVOCATIONS_DELETE_REASON
        : `resource type ${shown(event.ResourceType)} is not served by this handler`;
    return { action: 'skip', physicalId: event.PhysicalResourceId, reason };
  }
  const kind = resourceKind(event.ResourceType);
  if (kind === undefined) {
    throw new HandlerError(`resource type ${shown(event.ResourceType)} is not served by the Client VPN sessions handler `
      + `(it serves ${CLIENT_VPN_REVOCATIONS_RESOURCE_TYPE} and ${CLIENT_VPN_CRL_RESOURCE_TYPE})`);
  }
  return kind === 'revocations' ? interpretRevocations(event) : interpretCrl(event);
}

function interpretRevocations(event: Exclude<OnEventRequest, { RequestType: 'Delete' }>): Interpretation {
  const parsed = parseRevocations(event.ResourceProperties);
  if (!parsed.ok) {
    throw invalid(event.RequestType, parsed.problems);
  }
  const set = parsed.value;
  const base = { kind: 'revocations' as const, requestType: event.RequestType, endpointId: set.endpointId, physicalId: set.physicalId };
  if (event.RequestType === 'Create') {
    return { action: 'work', work: { ...base, terminate: terminationOf(set), notes: [] } };
  }
  const old: Parsed<RevocationSet> = parseRevocations(event.OldResourceProperties);
  if (!old.ok) {
    // Cutting the declared principals' sessions is what the set asks for
    // anyway; skipping it on unreadable old properties could leave one up.
    return {
      action: 'work',
      work: { ...base, terminate: terminationOf(set), notes: [`old properties unreadable, every listed principal is cut: ${old.problems.join('; ')}`] },
    };
  }
  if (old.value.physicalId !== set.physicalId) {
    return {
      action: 'work',
      work: { ...base, terminate: terminationOf(set), notes: [`physical id changes from '${old.value.physicalId}': a new set, as on Create`] },
    };
  }
  const newUsernames = added(old.value.usernames, set.usernames);
  const newCommonNames = added(old.value.commonNames, set.commonNames);
  if (newUsernames.length + newCommonNames.length === 0) {
    return {
      action: 'work',
      work: { ...base, notes: ['no principal added: nothing to terminate (removing a principal restores nothing)'] },
    };
  }
  return {
    action: 'work',
    work: {
      ...base,
      terminate: terminationOf(set),
      notes: [`principals added (${newUsernames.length} user names, ${newCommonNames.length} common names): every listed principal is cut`],
    },
  };
}

function interpretCrl(event: Exclude<OnEventRequest, { RequestType: 'Delete' }>): Interpretation {
  const parsed = parseCertificateRevocationList(event.ResourceProperties);
  if (!parsed.ok) {
    throw invalid(event.RequestType, parsed.problems);
  }
  const crl = parsed.value;
  const base = { kind: 'certificate-revocation-list' as const, requestType: event.RequestType, endpointId: crl.endpointId, physicalId: crl.physicalId };
  const importAndCut = (notes: string[]): Interpretation => ({
    action: 'work',
    work: {
      ...base,
      importCrl: { source: crl.source, sha256: crl.sha256 },
      terminate: terminationOf({ usernames: [], commonNames: crl.commonNames }),
      notes,
    },
  });
  if (event.RequestType === 'Create') {
    return importAndCut([]);
  }
  const old: Parsed<CertificateRevocationList> = parseCertificateRevocationList(event.OldResourceProperties);
  if (!old.ok) {
    return importAndCut([`old properties unreadable, the CRL is imported: ${old.problems.join('; ')}`]);
  }
  if (old.value.physicalId !== crl.physicalId) {
    return importAndCut([`physical id changes from '${old.value.physicalId}': the CRL goes to the new endpoint`]);
  }
  if (old.value.sha256 !== crl.sha256) {
    // A rollback is this case too: the old CRL comes back as the "new" one.
    return importAndCut([`CRL content changes (SHA-256 ${old.value.sha256.slice(0, 12)}... to ${crl.sha256.slice(0, 12)}...)`]);
  }
  const newCommonNames = added(old.value.commonNames, crl.commonNames);
  if (newCommonNames.length === 0) {
    return { action: 'work', work: { ...base, notes: ['same CRL and no common name added: nothing to import or terminate'] } };
  }
  return {
    action: 'work',
    work: {
      ...base,
      terminate: terminationOf({ usernames: [], commonNames: crl.commonNames }),
      notes: [`same CRL, ${newCommonNames.length} common names added: sessions cut without re-importing`],
    },
  };
}
