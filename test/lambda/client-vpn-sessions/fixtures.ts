/**
 * Builders of the sessions handler tests: properties of both resource types,
 * Provider events carrying the right ResourceType, connections as
 * DescribeClientVpnConnections reports them, and a CRL with its hash.
 */
import { createHash } from 'node:crypto';
import { ClientVpnConnection } from '@aws-sdk/client-ec2';
import { CreateRequest, DeleteRequest, IsCompleteRequest, UpdateRequest } from '../../../lambda/shared/events';
import {
  certificateRevocationListPhysicalId,
  CertificateRevocationListProperties,
  CLIENT_VPN_CRL_RESOURCE_TYPE,
  CLIENT_VPN_REVOCATIONS_RESOURCE_TYPE,
  RevocationsProperties,
  revocationsPhysicalId,
} from '../../../src/private/contract/client-vpn-sessions';
import { ENDPOINT } from '../fixtures';

export const SET_ID = 'revocations-7c1e';
export const REVOCATIONS_ID = revocationsPhysicalId(ENDPOINT, SET_ID);
export const CRL_ID = certificateRevocationListPhysicalId(ENDPOINT);
export const SERVICE_TOKEN = 'arn:aws:lambda:eu-west-1:111111111111:function:provider';

/** A syntactically plausible CRL; the handler checks its hash, EC2 (mocked here) its content. */
export const CRL_PEM = [
  '-----BEGIN X509 CRL-----',
  'MIIBpzCBkAIBATANBgkqhkiG9w0BAQsFADAUMRIwEAYDVQQDDAljdnBuLWNhLTEX',
  'DTMwMDEwMTAwMDAwMFoXDTMwMDIwMTAwMDAwMFowFDASAgEBFw0zMDAxMDEwMDAw',
  'MDBaoA4wDDAKBgNVHRQEAwIBATANBgkqhkiG9w0BAQsFAAOCAQEAl0ngB1Ai5w==',
  '-----END X509 CRL-----',
  '',
].join('\n');

export const CRL_PEM_2 = CRL_PEM.replace('l0ngB1Ai5w==', 'Qx7uK2mZpA==');

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function revocationsProps(
  usernames: string[],
  commonNames: string[] = [],
  overrides: Partial<RevocationsProperties> = {},
): RevocationsProperties {
  return {
    ServiceToken: SERVICE_TOKEN,
    SchemaVersion: '1',
    ClientVpnEndpointId: ENDPOINT,
    SetId: SET_ID,
    Usernames: usernames,
    CommonNames: commonNames,
    ...overrides,
  };
}

export function crlProps(commonNames: string[], overrides: Partial<CertificateRevocationListProperties> = {}): CertificateRevocationListProperties {
  return {
    ServiceToken: SERVICE_TOKEN,
    SchemaVersion: '1',
    ClientVpnEndpointId: ENDPOINT,
    Crl: CRL_PEM,
    CrlSha256: sha256(CRL_PEM),
    CommonNames: commonNames,
    ...overrides,
  };
}

export type ResourceKind = 'revocations' | 'crl';

function common(kind: ResourceKind) {
  return {
    ServiceToken: SERVICE_TOKEN,
    ResponseURL: 'https://cloudformation-custom-resource-response.example/',
    StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/s/1',
    LogicalResourceId: kind === 'crl' ? 'Crl' : 'Revocations',
    ResourceType: kind === 'crl' ? CLIENT_VPN_CRL_RESOURCE_TYPE : CLIENT_VPN_REVOCATIONS_RESOURCE_TYPE,
  };
}

export function createEvent(kind: ResourceKind, props: unknown, requestId = 'req-create'): CreateRequest<unknown> {
  return { ...common(kind), RequestType: 'Create', RequestId: requestId, ResourceProperties: props };
}

export function updateEvent(kind: ResourceKind, props: unknown, oldProps: unknown, physicalId: string, requestId = 'req-update'): UpdateRequest<unknown> {
  return { ...common(kind), RequestType: 'Update', RequestId: requestId, PhysicalResourceId: physicalId, ResourceProperties: props, OldResourceProperties: oldProps };
}

export function deleteEvent(kind: ResourceKind, props: unknown, physicalId: string, requestId = 'req-delete'): DeleteRequest<unknown> {
  return { ...common(kind), RequestType: 'Delete', RequestId: requestId, PhysicalResourceId: physicalId, ResourceProperties: props };
}

/** What the framework hands isComplete: the request plus onEvent's result. */
export function waiterEvent(
  event: CreateRequest<unknown> | UpdateRequest<unknown> | DeleteRequest<unknown>,
  onEventResult: Record<string, unknown>,
): IsCompleteRequest {
  return { ...event, ...onEventResult } as unknown as IsCompleteRequest;
}

/** `2029-12-31 23:00:00`, the API's ConnectionEstablishedTime format (UTC, whole seconds). */
export function connectionTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

export interface ConnectionSpec {
  readonly id: string;
  readonly username?: string;
  readonly commonName?: string;
  readonly status?: 'active' | 'terminating' | 'terminated' | 'failed-to-terminate';
  readonly establishedAt: number;
}

export function wireConnection(spec: ConnectionSpec): ClientVpnConnection {
  return {
    ClientVpnEndpointId: ENDPOINT,
    ConnectionId: spec.id,
    ...(spec.username !== undefined ? { Username: spec.username } : {}),
    CommonName: spec.commonName ?? spec.username,
    ConnectionEstablishedTime: connectionTime(spec.establishedAt),
    ClientIp: '10.20.0.5',
    Status: { Code: spec.status ?? 'active' },
  };
}
