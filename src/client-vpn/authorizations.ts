import { Annotations, ArnFormat, CustomResource, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import {
  AuthorizationRuleProperty,
  AuthorizationSetProperties,
  CLIENT_VPN_AUTHORIZATIONS_OWNERSHIP_FAMILY,
  CLIENT_VPN_AUTHORIZATIONS_RESOURCE_TYPE,
  CLIENT_VPN_AUTHORIZATIONS_SCHEMA_VERSION,
} from '../private/contract/client-vpn-authorizations';
import { NetworkAccessValidationError } from '../private/errors';
import { parseIpv4Cidr } from '../private/ipv4-cidr';
import { ownershipStatements, suppressOwnershipWildcard } from '../private/ownership';
import { HandlerProvider } from '../private/provider';
import {
  AccessGrant,
  AccessMechanism,
  AccessPrincipalKind,
  AccessTargetKind,
  IAccessGrantSource,
} from '../review/access-model';

/** Client VPN's default quota of authorization rules per endpoint. */
const DEFAULT_RULE_QUOTA = 50;
/** Client VPN's limit on a rule description. */
const MAX_DESCRIPTION_LENGTH = 255;

/**
 * One authorization rule: a target network plus exactly one of an access group
 * or all authenticated users.
 */
export interface ClientVpnAuthorizationRuleOptions {
  /**
   * The IPv4 network, in CIDR notation, that the rule grants access to.
   * It must be a network address (no host bits set).
   *
   * @example '10.0.0.0/16'
   */
  readonly cidr: string;

  /**
   * The access group the rule grants access to: an Active Directory group SID
   * or the group identifier your SAML identity provider sends. Give exactly one
   * of `groupId` and `allUsers`.
   *
   * @default - no group; `allUsers` must be true
   * @see https://docs.aws.amazon.com/vpn/latest/clientvpn-admin/cvpn-working-rules.html
   */
  readonly groupId?: string;

  /**
   * Grant access to every user who authenticates to the endpoint, whatever
   * their group. Give exactly one of `groupId` and `allUsers`.
   *
   * @default false
   */
  readonly allUsers?: boolean;

  /**
   * A description of the rule, at most 255 characters. Changing it later
   * revokes and re-authorizes this one rule (Client VPN cannot edit a rule);
   * no other rule is touched.
   *
   * @default - no description
   */
  readonly description?: string;
}

/**
 * What happens to live Client VPN sessions when an update of an authorization
 * set revokes rules.
 *
 * (The values are the wire values of the `SessionsOnRevoke` property; a test
 * holds them equal to the contract's constants.)
 */
export enum SessionsOnRevoke {
  /**
   * Revoking a rule leaves every session up. A user who is already connected
   * keeps the routes the revoked rule allowed until their session ends by
   * itself.
   */
  NONE = 'none',

  /**
   * Once an update has revoked at least one rule, terminate every active
   * session on the endpoint. Users reconnect (their clients usually do so on
   * their own) and get only what the remaining rules allow.
   */
  TERMINATE_ALL = 'terminate-all',
}

/** Properties of `ClientVpnAuthorizations`. */
export interface ClientVpnAuthorizationsProps {
  /**
   * The Client VPN endpoint whose rules this set declares. Give exactly one of
   * `clientVpnEndpoint` and `clientVpnEndpointId`.
   *
   * When the endpoint is an `ec2.ClientVpnEndpoint` of the same app, the rules
   * are authorized after its target networks are associated.
   *
   * @default - use `clientVpnEndpointId`
   */
  readonly clientVpnEndpoint?: ec2.IClientVpnEndpoint;

  /**
   * The id (`cvpn-endpoint-...`) of an endpoint managed elsewhere. Give
   * exactly one of `clientVpnEndpoint` and `clientVpnEndpointId`.
   *
   * @default - use `clientVpnEndpoint`
   */
  readonly clientVpnEndpointId?: string;

  /**
   * The rules of the set. More can be added with `addRule`, `allowGroup` and
   * `allowAllUsers`.
   *
   * @default - no rules
   */
  readonly rules?: ClientVpnAuthorizationRuleOptions[];

  /**
   * The endpoint's quota of authorization rules.
   *
   * The handler plans with it: when the rules on the endpoint plus the new
   * ones would pass the quota, it revokes just enough removed rules first,
   * so an update of a full endpoint makes exactly one call per change.
   * Declaring more rules for one endpoint (over all sets of the stack) than
   * an explicitly set quota fails synth; over the default quota it adds a
   * warning. Raise it after raising the quota with AWS.
   *
   * @default 50 - Client VPN's default quota
   * @see https://docs.aws.amazon.com/vpn/latest/clientvpn-admin/limits.html
   */
  readonly ruleQuota?: number;

  /**
   * What happens to live sessions when an update revokes rules of this set.
   *
   * Client VPN does not tell which access group a session belongs to, so no
   * tool can end only the sessions that used a revoked rule: the honest
   * choices are every active session on the endpoint, or none.
   *
   * With `SessionsOnRevoke.TERMINATE_ALL`, an update that revokes at least one
   * rule terminates every session that is active on the endpoint once the
   * revokes are done, whatever set or group it belongs to. Every connected
   * user is disconnected and reconnects with what the remaining rules allow.
   * Sessions that connect while the update runs are not touched (they already
   * see the new rules). Creating the set, an update that only adds rules or
   * changes nothing, and deleting the set never terminate a session.
   *
   * To disconnect particular people rather than everyone, declare them in a
   * `ClientVpnRevocations` instead.
   *
   * @default SessionsOnRevoke.NONE
   */
  readonly sessionsOnRevoke?: SessionsOnRevoke;
}

interface NormalizedRule {
  readonly key: string;
  readonly cidr: string;
  readonly groupId?: string;
  readonly description?: string;
}

/**
 * The set of authorization rules that one construct declares for one Client
 * VPN endpoint: who (an access group, or all authenticated users) may reach
 * which network.
 *
 * Unlike `ec2.ClientVpnAuthorizationRule` (one CloudFormation resource per
 * rule, every change a replacement), the whole set is one custom resource:
 *
 * - an update authorizes only the rules added and revokes only the rules
 *   removed; a description change revokes and re-authorizes that one rule;
 * - rules that already exist on the endpoint are adopted, rules that are
 *   already gone count as revoked;
 * - the deploy waits until every rule is `active` (or gone) and fails at once,
 *   naming the rule, when AWS reports a rule `failed`;
 * - no more than 10 mutations are in flight per endpoint (the Client VPN
 *   limit), and sets on the same endpoint in one stack deploy one after the
 *   other;
 * - invalid CIDRs, duplicate rules and over-long descriptions fail synth.
 *
 * Rules on the endpoint that the set never declared (the endpoint's own
 * `authorizeAllUsersToVpcCidr` rule, rules of other sets or tools) are never
 * touched.
 *
 * @resource Custom::NetworkAccessClientVpnAuthorizations
 */
export class ClientVpnAuthorizations extends Construct implements IAccessGrantSource {
  /**
   * The endpoint id of `clientVpnEndpoint` or `clientVpnEndpointId`, validated
   * as ClientVpnAuthorizations does (the constructs of the sessions family give
   * their users the same rules and messages).
   *
   * @internal
   */
  public static _resolveEndpointId(scope: IConstruct, endpoint?: ec2.IClientVpnEndpoint, endpointId?: string): string {
    return resolveEndpointId(scope, endpoint, endpointId);
  }

  /**
   * Order `resource`, which terminates sessions on `endpointId`, after every
   * authorization set of the same endpoint in its stack (revoke the rule,
   * then end the sessions), and after the session resources of the same
   * endpoint registered before it.
   *
   * @internal
   */
  public static _orderSessionResource(resource: IConstruct, endpointId: string): void {
    EndpointRegistry.of(Stack.of(resource)).registerSessionResource(resource, endpointId);
  }

  /** The id of the endpoint whose rules this set declares. May be a token. */
  public readonly clientVpnEndpointId: string;

  /** The custom resource that carries the set. */
  public readonly resource: CustomResource;

  private readonly rulesByKey = new Map<string, NormalizedRule>();
  private readonly ruleQuota: number;
  private readonly ruleQuotaExplicit: boolean;

  constructor(scope: Construct, id: string, props: ClientVpnAuthorizationsProps) {
    super(scope, id);

    const endpointId = resolveEndpointId(this, props.clientVpnEndpoint, props.clientVpnEndpointId);
    this.clientVpnEndpointId = endpointId;

    if (props.ruleQuota !== undefined && !Token.isUnresolved(props.ruleQuota)
      && (!Number.isInteger(props.ruleQuota) || props.ruleQuota < 1)) {
      throw new NetworkAccessValidationError(`ruleQuota ${props.ruleQuota} must be a positive whole number`, this);
    }
    this.ruleQuota = props.ruleQuota ?? DEFAULT_RULE_QUOTA;
    this.ruleQuotaExplicit = props.ruleQuota !== undefined && !Token.isUnresolved(props.ruleQuota);

    const provider = HandlerProvider.getOrCreate(this, {
      handler: 'client-vpn-authorizations',
      description: 'Reconciles Client VPN authorization rule sets (cdk-network-access)',
      // 500 rules at 10 in flight, each taking up to a minute to settle, fit
      // well inside the hour; the Provider framework allows no more.
      totalTimeout: Duration.hours(1),
      queryInterval: Duration.seconds(10),
      timeout: Duration.minutes(5),
      statements: [
        new iam.PolicyStatement({
          // DescribeClientVpnAuthorizationRules supports no resource-level
          // permissions: it needs "*".
          actions: ['ec2:DescribeClientVpnAuthorizationRules'],
          resources: ['*'],
        }),
        // The sets' ownership records: a removal leaves rules other sets declare.
        ...ownershipStatements(CLIENT_VPN_AUTHORIZATIONS_OWNERSHIP_FAMILY),
      ],
    });
    suppressOwnershipWildcard(provider.role, CLIENT_VPN_AUTHORIZATIONS_OWNERSHIP_FAMILY, 'Client VPN authorization sets');
    const stack = Stack.of(this);
    const endpointArn = clientVpnEndpointArn(stack, endpointId);
    provider.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ec2:AuthorizeClientVpnIngress', 'ec2:RevokeClientVpnIngress'],
      resources: [endpointArn],
    }));

    const sessionsOnRevoke = props.sessionsOnRevoke ?? SessionsOnRevoke.NONE;
    if (sessionsOnRevoke === SessionsOnRevoke.TERMINATE_ALL) {
      provider.addToRolePolicy(new iam.PolicyStatement({
        // DescribeClientVpnConnections supports no resource-level
        // permissions: it needs "*".
        actions: ['ec2:DescribeClientVpnConnections'],
        resources: ['*'],
      }));
      provider.addToRolePolicy(new iam.PolicyStatement({
        actions: ['ec2:TerminateClientVpnConnections'],
        resources: [endpointArn],
      }));
    }

    const properties: Omit<AuthorizationSetProperties, 'ServiceToken'> = {
      SchemaVersion: CLIENT_VPN_AUTHORIZATIONS_SCHEMA_VERSION,
      ClientVpnEndpointId: endpointId,
      SetId: this.node.addr,
      // The endpoint's quota as the stack declares it (any set may set it).
      RuleQuota: Lazy.number({ produce: () => EndpointRegistry.of(Stack.of(this)).quotaOf(this) }),
      Rules: Lazy.any({ produce: () => this.renderRules() }, { omitEmptyArray: false }) as unknown as AuthorizationRuleProperty[],
      // Written only when sessions are terminated, so that the templates of
      // sets that never asked for it stay exactly as they were.
      ...(sessionsOnRevoke !== SessionsOnRevoke.NONE ? { SessionsOnRevoke: sessionsOnRevoke } : {}),
    };
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: CLIENT_VPN_AUTHORIZATIONS_RESOURCE_TYPE,
      properties,
    });

    if (props.clientVpnEndpoint) {
      // Authorize after the endpoint's subnets are associated, as aws-cdk-lib
      // does for routes; Client VPN rejects some rule changes before that.
      this.resource.node.addDependency(props.clientVpnEndpoint.targetNetworksAssociated);
    }
    EndpointRegistry.of(stack).register(this);

    for (const rule of props.rules ?? []) {
      this.addRule(rule);
    }
  }

  /** Number of rules in the set. */
  public get ruleCount(): number {
    return this.rulesByKey.size;
  }

  /**
   * Add a rule to the set. Fails when the rule is invalid or when the set
   * already has a rule for the same network and group.
   */
  public addRule(rule: ClientVpnAuthorizationRuleOptions): void {
    const normalized = this.normalize(rule);
    const existing = this.rulesByKey.get(normalized.key);
    if (existing) {
      throw new NetworkAccessValidationError(
        `the rule for ${describeRule(normalized)} is declared twice; keep one of them`, this);
    }
    this.rulesByKey.set(normalized.key, normalized);
  }

  /** Allow one access group to reach `cidr`. */
  public allowGroup(groupId: string, cidr: string, description?: string): void {
    this.addRule({ cidr, groupId, description });
  }

  /** Allow every authenticated user to reach `cidr`. */
  public allowAllUsers(cidr: string, description?: string): void {
    this.addRule({ cidr, allUsers: true, description });
  }

  /** The rules of the set, in the order the template lists them. */
  public get rules(): ClientVpnAuthorizationRuleOptions[] {
    return this.sortedRules().map(r => r.groupId !== undefined
      ? { cidr: r.cidr, groupId: r.groupId, description: r.description }
      : { cidr: r.cidr, allUsers: true, description: r.description });
  }

  /** The grants of network access the set declares. */
  public accessGrants(): AccessGrant[] {
    return this.sortedRules().map(r => ({
      principal: r.groupId !== undefined
        ? { kind: AccessPrincipalKind.CLIENT_VPN_GROUP, id: r.groupId }
        : { kind: AccessPrincipalKind.CLIENT_VPN_ALL_USERS },
      target: { kind: AccessTargetKind.CIDR, id: r.cidr },
      mechanism: AccessMechanism.CLIENT_VPN_AUTHORIZATION_RULE,
      via: this.clientVpnEndpointId,
      constructPath: this.node.path,
      description: r.description,
    }));
  }

  /** @internal */
  public _ruleKeys(): Map<string, NormalizedRule> {
    return this.rulesByKey;
  }

  /** @internal */
  public _ruleQuota(): number {
    return this.ruleQuota;
  }

  /** @internal */
  public _ruleQuotaExplicit(): boolean {
    return this.ruleQuotaExplicit;
  }

  private normalize(rule: ClientVpnAuthorizationRuleOptions): NormalizedRule {
    let cidr = rule.cidr;
    if (cidr === undefined || cidr === null || (!Token.isUnresolved(cidr) && cidr.trim() === '')) {
      throw new NetworkAccessValidationError('a rule has no cidr; give the IPv4 network it grants access to, e.g. 10.0.0.0/16', this);
    }
    if (!Token.isUnresolved(cidr)) {
      const parsed = parseIpv4Cidr(cidr);
      if (!parsed.ok) {
        throw new NetworkAccessValidationError(`cidr '${cidr}' ${parsed.reason}; write an IPv4 network such as '10.0.0.0/16'`, this);
      }
      if (parsed.cidr.hostBitsSet) {
        throw new NetworkAccessValidationError(
          `cidr '${cidr}' has host bits set; did you mean '${parsed.cidr.canonical}'?`, this);
      }
      cidr = parsed.cidr.canonical;
    }

    const groupId = rule.groupId;
    const allUsers = rule.allUsers === true;
    if (groupId !== undefined && allUsers) {
      throw new NetworkAccessValidationError(
        `the rule for ${cidr} sets both groupId '${groupId}' and allUsers; a rule grants one group or all users: drop one of them`, this);
    }
    if (groupId === undefined && !allUsers) {
      throw new NetworkAccessValidationError(
        `the rule for ${cidr} sets neither groupId nor allUsers; give groupId to allow one group, or allUsers: true to allow every authenticated user`, this);
    }
    if (groupId !== undefined && !Token.isUnresolved(groupId) && groupId.trim() === '') {
      throw new NetworkAccessValidationError(
        `the rule for ${cidr} has an empty groupId; give the group's id, or allUsers: true to allow every authenticated user`, this);
    }

    const description = rule.description;
    if (description !== undefined && !Token.isUnresolved(description) && description.length > MAX_DESCRIPTION_LENGTH) {
      throw new NetworkAccessValidationError(
        `the description of the rule for ${cidr} is ${description.length} characters; Client VPN allows at most ${MAX_DESCRIPTION_LENGTH}: shorten it`, this);
    }

    return {
      key: ruleKey(cidr, groupId),
      cidr,
      groupId,
      description: description === '' ? undefined : description,
    };
  }

  private sortedRules(): NormalizedRule[] {
    return [...this.rulesByKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private renderRules(): AuthorizationRuleProperty[] {
    return this.sortedRules().map(r => ({
      Cidr: r.cidr,
      ...(r.groupId !== undefined ? { GroupId: r.groupId } : { AllGroups: true }),
      ...(r.description !== undefined ? { Description: r.description } : {}),
    }));
  }
}

function resolveEndpointId(scope: IConstruct, endpoint: ec2.IClientVpnEndpoint | undefined, id: string | undefined): string {
  if ((endpoint === undefined) === (id === undefined)) {
    throw new NetworkAccessValidationError(
      'give exactly one of clientVpnEndpoint (an ec2.IClientVpnEndpoint) and clientVpnEndpointId (an endpoint managed elsewhere)', scope);
  }
  const endpointId = endpoint?.endpointId ?? id!;
  if (!Token.isUnresolved(endpointId) && !/^cvpn-endpoint-[0-9a-f]{8,17}$/.test(endpointId)) {
    throw new NetworkAccessValidationError(
      `clientVpnEndpointId '${endpointId}' is not a Client VPN endpoint id; it looks like 'cvpn-endpoint-0123456789abcdef0'`, scope);
  }
  return endpointId;
}

function clientVpnEndpointArn(stack: Stack, endpointId: string): string {
  return stack.formatArn({
    service: 'ec2',
    resource: 'client-vpn-endpoint',
    resourceName: endpointId,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

function ruleKey(cidr: string, groupId: string | undefined): string {
  return `${cidr}|${groupId === undefined ? '*' : `g:${groupId}`}`;
}

function describeRule(rule: { cidr: string; groupId?: string }): string {
  return rule.groupId === undefined ? `${rule.cidr} (all users)` : `${rule.cidr} (group '${rule.groupId}')`;
}

/**
 * Per stack: which authorization sets target which endpoint. Sets on the same
 * endpoint deploy one after the other (a CloudFormation dependency), so
 * together they never exceed the endpoint's 10 concurrent mutations; a rule
 * declared by two sets, or more rules than the quota, is reported at synth.
 *
 * Resources that terminate sessions on an endpoint (ClientVpnRevocations,
 * ClientVpnCertificateRevocationList) deploy after every set of the endpoint,
 * so a deploy that revokes a rule and lists the user ends the session once
 * the rule is gone (a user reconnecting in between still finds the rule
 * revoked). They also deploy one after the other, so their Terminate calls do
 * not compete for the same EC2 request budget.
 */
class EndpointRegistry extends Construct {
  public static of(stack: Stack): EndpointRegistry {
    const id = 'NetworkAccessClientVpnAuthorizationRegistry';
    return (stack.node.tryFindChild(id) as EndpointRegistry | undefined) ?? new EndpointRegistry(stack, id);
  }

  private readonly byEndpoint = new Map<string, ClientVpnAuthorizations[]>();
  private readonly sessionResourcesByEndpoint = new Map<string, IConstruct[]>();

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.node.addValidation({ validate: () => this.validateSets() });
  }

  public register(set: ClientVpnAuthorizations): void {
    const sets = this.byEndpoint.get(set.clientVpnEndpointId) ?? [];
    const previous = sets[sets.length - 1];
    if (previous) {
      set.resource.node.addDependency(previous.resource);
    }
    sets.push(set);
    this.byEndpoint.set(set.clientVpnEndpointId, sets);
    // Session resources declared before the set still wait for it.
    for (const sessionResource of this.sessionResourcesByEndpoint.get(set.clientVpnEndpointId) ?? []) {
      sessionResource.node.addDependency(set.resource);
    }
  }

  public registerSessionResource(resource: IConstruct, endpointId: string): void {
    for (const set of this.byEndpoint.get(endpointId) ?? []) {
      resource.node.addDependency(set.resource);
    }
    const resources = this.sessionResourcesByEndpoint.get(endpointId) ?? [];
    const previous = resources[resources.length - 1];
    if (previous) {
      resource.node.addDependency(previous);
    }
    resources.push(resource);
    this.sessionResourcesByEndpoint.set(endpointId, resources);
  }

  /** The quota of the set's endpoint: the largest explicitly set on any of its sets, else the set's own. */
  public quotaOf(set: ClientVpnAuthorizations): number {
    return endpointQuota(this.byEndpoint.get(set.clientVpnEndpointId) ?? [set]);
  }

  private validateSets(): string[] {
    const errors: string[] = [];
    for (const sets of this.byEndpoint.values()) {
      const owner = new Map<string, IConstruct>();
      let total = 0;
      for (const set of sets) {
        total += set.ruleCount;
        for (const [key, rule] of set._ruleKeys()) {
          const first = owner.get(key);
          if (first) {
            errors.push(`the rule for ${describeRule(rule)} on endpoint ${displayEndpoint(set)} is declared by both ${first.node.path} and ${set.node.path}; a rule must belong to one set, or the Delete of one would revoke the other's rule`);
          } else {
            owner.set(key, set);
          }
        }
      }
      const explicit = sets.filter(s => s._ruleQuotaExplicit());
      const quota = endpointQuota(sets);
      if (explicit.length > 0 && total > quota) {
        errors.push(`${total} authorization rules are declared for endpoint ${displayEndpoint(sets[0])}, over its ruleQuota of ${quota} `
          + `(set on ${explicit.map(s => s.node.path).join(', ')}): raise ruleQuota to the endpoint's quota, or declare fewer rules`);
      } else if (total > quota) {
        Annotations.of(sets[sets.length - 1]).addWarningV2('cdk-network-access:client-vpn-rule-quota',
          `${total} authorization rules are declared for endpoint ${displayEndpoint(sets[0])}, over the quota of ${quota} rules per endpoint: the deploy fails with ClientVpnAuthorizationRuleLimitExceeded unless the quota was raised (then set ruleQuota)`);
      }
    }
    return errors;
  }
}

function endpointQuota(sets: readonly ClientVpnAuthorizations[]): number {
  const explicit = sets.filter(s => s._ruleQuotaExplicit());
  return Math.max(...(explicit.length > 0 ? explicit : sets).map(s => s._ruleQuota()));
}

function displayEndpoint(set: ClientVpnAuthorizations): string {
  return Token.isUnresolved(set.clientVpnEndpointId) ? `(the endpoint of ${set.node.path})` : set.clientVpnEndpointId;
}
