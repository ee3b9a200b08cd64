/**
 * Builders shared by the handler tests: a manual clock, Provider events and
 * SDK v3-shaped errors.
 */
import { AuthorizationRule, EC2ServiceException } from '@aws-sdk/client-ec2';
import { Clock } from '../../lambda/shared/clock';
import { CreateRequest, DeleteRequest, IsCompleteRequest, UpdateRequest } from '../../lambda/shared/events';
import { AuthorizationSetProperties, AuthorizationRuleProperty } from '../../src/private/contract/client-vpn-authorizations';

/** A clock that only moves when slept on (or told to), recording every sleep. */
export class ManualClock implements Clock {
  public readonly sleeps: number[] = [];
  public constructor(public time: number = Date.UTC(2030, 0, 1)) {}
  public now(): number {
    return this.time;
  }
  public async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
  }
}

export const ENDPOINT = 'cvpn-endpoint-0123456789abcdef0';
export const OTHER_ENDPOINT = 'cvpn-endpoint-0fedcba9876543210';
export const SET_ID = 'set-3f2a';
export const PHYSICAL_ID = `${ENDPOINT}/authorizations/${SET_ID}`;

export function setProps(rules: AuthorizationRuleProperty[], overrides: Partial<AuthorizationSetProperties> = {}): AuthorizationSetProperties {
  return {
    ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:provider',
    SchemaVersion: '1',
    ClientVpnEndpointId: ENDPOINT,
    SetId: SET_ID,
    Rules: rules,
    ...overrides,
  };
}

const common = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:provider',
  ResponseURL: 'https://cloudformation-custom-resource-response.example/',
  StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/s/1',
  LogicalResourceId: 'Authorizations',
  ResourceType: 'Custom::NetworkAccessClientVpnAuthorizations',
};

export function createEvent(props: unknown, requestId = 'req-create'): CreateRequest<unknown> {
  return { ...common, RequestType: 'Create', RequestId: requestId, ResourceProperties: props };
}

export function updateEvent(props: unknown, oldProps: unknown, physicalId = PHYSICAL_ID, requestId = 'req-update'): UpdateRequest<unknown> {
  return {
    ...common,
    RequestType: 'Update',
    RequestId: requestId,
    PhysicalResourceId: physicalId,
    ResourceProperties: props,
    OldResourceProperties: oldProps,
  };
}

export function deleteEvent(props: unknown, physicalId = PHYSICAL_ID, requestId = 'req-delete'): DeleteRequest<unknown> {
  return { ...common, RequestType: 'Delete', RequestId: requestId, PhysicalResourceId: physicalId, ResourceProperties: props };
}

/** What the framework hands isComplete: the request plus onEvent's result. */
export function waiterEvent(
  event: CreateRequest<unknown> | UpdateRequest<unknown> | DeleteRequest<unknown>,
  physicalId: string,
  deadline?: number,
): IsCompleteRequest {
  return { ...event, PhysicalResourceId: physicalId, ...(deadline === undefined ? {} : { Deadline: deadline }) } as IsCompleteRequest;
}

/** An error as SDK v3's ec2Query protocol raises it for an unmodelled code. */
export function awsError(name: string, message = `${name} happened`, httpStatusCode = 400): EC2ServiceException {
  return new EC2ServiceException({
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode, requestId: 'req-0000' },
    message,
  });
}

/** A rule as DescribeClientVpnAuthorizationRules reports it. */
export function wireRule(
  cidr: string,
  group: string | 'all',
  status: 'authorizing' | 'active' | 'failed' | 'revoking',
  description?: string,
  statusMessage?: string,
): AuthorizationRule {
  return {
    ClientVpnEndpointId: ENDPOINT,
    DestinationCidr: cidr,
    ...(group === 'all' ? { AccessAll: true } : { AccessAll: false, GroupId: group }),
    ...(description === undefined ? {} : { Description: description }),
    Status: { Code: status, ...(statusMessage ? { Message: statusMessage } : {}) },
  };
}
