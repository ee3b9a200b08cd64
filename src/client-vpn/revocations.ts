import * as path from 'path';
import { Annotations, ArnFormat, CustomResource, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { ClientVpnAuthorizations } from './authorizations';
import {
  CLIENT_VPN_REVOCATIONS_RESOURCE_TYPE,
  CLIENT_VPN_SESSIONS_HANDLER,
  CLIENT_VPN_SESSIONS_SCHEDULE_ENTRY,
  CLIENT_VPN_SESSIONS_SCHEMA_VERSION,
  enforcementLeaseParameterName,
  RevocationsProperties,
  ScheduledEnforcementInput,
  SESSIONS_METRIC_NAMESPACE,
  SESSIONS_TERMINATED_METRIC,
} from '../private/contract/client-vpn-sessions';
import { NetworkAccessValidationError } from '../private/errors';
import { suppressNagRules } from '../private/nag-suppressions';
import { HandlerProvider } from '../private/provider';

/**
 * Longest user name accepted. AWS documents no maximum for the `Username` of
 * DescribeClientVpnConnections and TerminateClientVpnConnections, so the bound
 * comes from the identities Client VPN carries: an Active Directory logon name
 * (sAMAccountName) has at most 20 characters, an IAM Identity Center UserName
 * at most 128, and the email address many SAML identity providers send as
 * NameID at most 254 (RFC 5321 section 4.5.3.1.3 caps a path at 256 octets,
 * angle brackets included; RFC 3696 erratum 1690).
 */
const MAX_USERNAME_LENGTH = 254;
/** X.509 upper bound of a common name (RFC 5280 appendix A.1, ub-common-name). */
const MAX_COMMON_NAME_LENGTH = 64;
/** EventBridge's limit on a target's constant input (PutTargets, Target.Input). */
const MAX_TARGET_INPUT_LENGTH = 8192;
/** The longest endpoint id, counted for an endpoint id that is a token at synth time. */
const LONGEST_ENDPOINT_ID = 'cvpn-endpoint-0123456789abcdef0';
/** Lambda's maximum timeout. */
const MAX_FUNCTION_TIMEOUT = Duration.minutes(15);
/** Lambda's maximum age of an asynchronous event. */
const MAX_EVENT_AGE = Duration.hours(6);

/**
 * How often revoked principals' sessions are looked for and terminated after
 * the deploy.
 */
export class SessionEnforcement {
  /**
   * Run the termination on a schedule, every `interval` (whole minutes, at
   * least one).
   */
  public static every(interval: Duration, options: SessionEnforcementOptions = {}): SessionEnforcement {
    return new SessionEnforcement(interval, options.reserveConcurrency ?? false);
  }

  /** Time between two runs. */
  public readonly interval: Duration;

  /** Whether the function reserves a concurrency of 1. */
  public readonly reserveConcurrency: boolean;

  private constructor(interval: Duration, reserveConcurrency: boolean) {
    this.interval = interval;
    this.reserveConcurrency = reserveConcurrency;
  }
}

/** Options of `SessionEnforcement.every`. */
export interface SessionEnforcementOptions {
  /**
   * Reserve a concurrency of 1 for the enforcement function, on top of the
   * lease that keeps runs on one endpoint apart.
   *
   * Runs never overlap without it: each run first takes a short lease on the
   * endpoint (a Systems Manager parameter under
   * `/cdk-network-access/client-vpn-enforcement/`, held until the run's
   * Lambda timeout at most, given back when it ends), and a run that finds
   * the lease held skips. Reserving concurrency also caps the function's
   * share of the account's concurrency, but the deploy fails in an account
   * whose concurrency quota is 10, where new accounts start (AWS keeps 10
   * unreserved): the account needs at least 11.
   *
   * @default false
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
   */
  readonly reserveConcurrency?: boolean;
}

/** Properties of `ClientVpnRevocations`. */
export interface ClientVpnRevocationsProps {
  /**
   * The Client VPN endpoint whose sessions are terminated. Give exactly one of
   * `clientVpnEndpoint` and `clientVpnEndpointId`.
   *
   * When the endpoint is an `ec2.ClientVpnEndpoint` of the same app, the
   * sessions are terminated after its target networks are associated.
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
   * User names (Active Directory or SAML federated authentication) whose
   * sessions must not exist, exactly as Client VPN reports them in a
   * connection's `Username` (the match is case-sensitive). More can be added
   * with `revokeUser`.
   *
   * @default - no user names
   */
  readonly usernames?: string[];

  /**
   * Certificate common names (mutual certificate authentication) whose
   * sessions must not exist, exactly as Client VPN reports them in a
   * connection's `CommonName`. More can be added with `revokeCommonName`.
   *
   * A certificate stays valid until it is revoked in the endpoint's
   * certificate revocation list (see `ClientVpnCertificateRevocationList`):
   * without that, its holder can reconnect, and only `enforcement` ends the
   * new session again.
   *
   * @default - no common names
   */
  readonly commonNames?: string[];

  /**
   * Keep terminating the sessions of the listed principals after the deploy,
   * on a schedule. A revoked person whose credentials are still valid
   * elsewhere (an identity provider that was not updated yet, a certificate
   * not yet in the revocation list) is cut off again at the next run.
   *
   * Each run logs the ids of the connections it terminated and publishes the
   * number as the `SessionsTerminated` metric (see `metricSessionsTerminated`).
   * Two runs on one endpoint never work at the same time (a lease per
   * endpoint in Systems Manager Parameter Store; a run that finds it held
   * skips), which needs no reserved concurrency, so it deploys in new
   * accounts; see `SessionEnforcementOptions.reserveConcurrency`.
   *
   * @default - sessions are terminated only when the deploy creates the
   * construct or adds principals
   */
  readonly enforcement?: SessionEnforcement;
}

/** A principal as kept by the construct: which list, and its value. */
interface Principal {
  readonly kind: 'username' | 'common name';
  readonly value: string;
}

/**
 * The principals of one Client VPN endpoint whose live sessions must end:
 * Active Directory or SAML user names and certificate common names.
 *
 * Removing someone's access (an authorization rule, a group membership, a
 * certificate) does not disconnect them: a Client VPN session that is up
 * stays up until it ends by itself. Listing the person here makes the deploy
 * terminate their active sessions:
 *
 * - on Create, and on every Update that adds principals, every active session
 *   of a listed principal is terminated, and the deploy waits until each one
 *   is `terminated` (sessions already `terminating` or `terminated` count as
 *   done);
 * - thousands of sessions are terminated as fast as the EC2 request-rate
 *   limits allow; work that outlasts one handler invocation carries on in the
 *   next one;
 * - with `enforcement`, a schedule repeats the termination after the deploy.
 *
 * Removing a principal from the list terminates nothing and restores nothing
 * (a terminated session cannot be restored; the person simply may connect
 * again). Deleting the construct does nothing to sessions. A principal with no
 * session is not an error.
 *
 * The resource deploys after every `ClientVpnAuthorizations` of the same
 * endpoint in the same stack, so "revoke the rule, then end the sessions"
 * happens in that order.
 *
 * @resource Custom::NetworkAccessClientVpnRevocations
 */
export class ClientVpnRevocations extends Construct {
  /**
   * The provider of the sessions handler in the stack of `scope`: one per
   * stack, shared by ClientVpnRevocations and
   * ClientVpnCertificateRevocationList (so both must create it alike).
   *
   * @internal
   */
  public static _sessionsProvider(scope: IConstruct): HandlerProvider {
    return HandlerProvider.getOrCreate(scope, {
      handler: CLIENT_VPN_SESSIONS_HANDLER,
      description: 'Terminates Client VPN sessions of revoked principals and imports certificate revocation lists (cdk-network-access)',
      // The Provider framework's maximum: CloudFormation waits at most an
      // hour for a custom resource. 10,000 sessions at EC2's 5 terminations
      // per second (after the burst) take about 30 minutes; the handler gives
      // up with a reason naming what is left two minutes before the hour.
      totalTimeout: Duration.hours(1),
      queryInterval: Duration.seconds(10),
      // One isComplete call pages through the endpoint's connections and
      // terminates as many as the rate limit allows before it must return.
      timeout: MAX_FUNCTION_TIMEOUT,
      // A Describe page holds up to 1,000 connections (about 1 KB of XML
      // each, parsed into objects); 512 MB holds several pages with room to
      // spare and buys the CPU share to parse them quickly.
      memorySize: 512,
      statements: [
        new iam.PolicyStatement({
          // DescribeClientVpnConnections supports no resource-level
          // permissions: it needs "*".
          actions: ['ec2:DescribeClientVpnConnections'],
          resources: ['*'],
        }),
      ],
    });
  }

  /**
   * Check a user name or common name, throwing an error that names it.
   *
   * @internal
   */
  public static _validatePrincipal(scope: IConstruct, kind: 'username' | 'common name', value: string): void {
    if (Token.isUnresolved(value)) {
      return;
    }
    const fix = kind === 'username'
      ? 'write the user name exactly as Client VPN reports it in the connection\'s Username'
      : 'write the common name exactly as it appears in the certificate\'s subject';
    if (typeof value !== 'string' || value === '') {
      throw new NetworkAccessValidationError(`a ${kind} is empty; ${fix}`, scope);
    }
    if (value.trim() !== value) {
      throw new NetworkAccessValidationError(
        `${kind} ${JSON.stringify(value)} has leading or trailing whitespace, which Client VPN would never match; did you mean ${JSON.stringify(value.trim())}?`, scope);
    }
    const max = kind === 'username' ? MAX_USERNAME_LENGTH : MAX_COMMON_NAME_LENGTH;
    const length = [...value].length;
    if (length > max) {
      const bound = kind === 'username'
        ? `a user name has at most ${max} characters (the longest email address, which bounds SAML NameIDs; Active Directory and IAM Identity Center names are shorter)`
        : `a certificate common name has at most ${max} characters (RFC 5280 ub-common-name)`;
      throw new NetworkAccessValidationError(`${kind} '${value}' is ${length} characters; ${bound}: shorten it`, scope);
    }
    // C0 and C1 control characters: neither an identity provider nor an X.509
    // DirectoryString carries them into a Client VPN connection record.
    // eslint-disable-next-line no-control-regex
    const control = /[\u0000-\u001f\u007f-\u009f]/.exec(value);
    if (control) {
      const code = `U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
      throw new NetworkAccessValidationError(
        `${kind} ${JSON.stringify(value)} contains the control character ${code} at position ${control.index}, which Client VPN cannot carry; remove it`, scope);
    }
  }

  /**
   * The ARN of an endpoint, the only resource Terminate and Import are
   * allowed on.
   *
   * @internal
   */
  public static _endpointArn(scope: IConstruct, endpointId: string): string {
    return Stack.of(scope).formatArn({
      service: 'ec2',
      resource: 'client-vpn-endpoint',
      resourceName: endpointId,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }

  /** The id of the endpoint whose sessions are terminated. May be a token. */
  public readonly clientVpnEndpointId: string;

  /** The custom resource that terminates the sessions on deploy. */
  public readonly resource: CustomResource;

  /**
   * The function that terminates the sessions on a schedule.
   *
   * @default - undefined when `enforcement` is not set
   */
  public readonly enforcementFunction?: lambda.IFunction;

  /**
   * The EventBridge rule that runs `enforcementFunction`.
   *
   * @default - undefined when `enforcement` is not set
   */
  public readonly enforcementRule?: events.IRule;

  private readonly principals = new Map<string, Principal>();
  private readonly enforcementInterval?: Duration;

  constructor(scope: Construct, id: string, props: ClientVpnRevocationsProps) {
    super(scope, id);

    const endpointId = ClientVpnAuthorizations._resolveEndpointId(this, props.clientVpnEndpoint, props.clientVpnEndpointId);
    this.clientVpnEndpointId = endpointId;
    const endpointArn = ClientVpnRevocations._endpointArn(this, endpointId);

    const provider = ClientVpnRevocations._sessionsProvider(this);
    provider.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ec2:TerminateClientVpnConnections'],
      resources: [endpointArn],
    }));

    const properties: Omit<RevocationsProperties, 'ServiceToken'> = {
      SchemaVersion: CLIENT_VPN_SESSIONS_SCHEMA_VERSION,
      ClientVpnEndpointId: endpointId,
      SetId: this.node.addr,
      Usernames: this.lazyList('username'),
      CommonNames: this.lazyList('common name'),
    };
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: CLIENT_VPN_REVOCATIONS_RESOURCE_TYPE,
      properties,
    });
    if (props.clientVpnEndpoint) {
      // Client VPN has no sessions before a target network is associated;
      // waiting for the associations also keeps the first Describe from
      // racing the endpoint's creation.
      this.resource.node.addDependency(props.clientVpnEndpoint.targetNetworksAssociated);
    }
    ClientVpnAuthorizations._orderSessionResource(this.resource, endpointId);
    RevocationRegistry.of(Stack.of(this)).register(this);

    for (const username of props.usernames ?? []) {
      this.revokeUser(username);
    }
    for (const commonName of props.commonNames ?? []) {
      this.revokeCommonName(commonName);
    }

    if (props.enforcement) {
      this.enforcementInterval = props.enforcement.interval;
      const { fn, rule } = this.createEnforcement(props.enforcement, endpointArn);
      this.enforcementFunction = fn;
      this.enforcementRule = rule;
    }

    this.node.addValidation({ validate: () => this.validateSize() });
  }

  /**
   * Terminate the sessions of a user (Active Directory or SAML), matched
   * exactly and case-sensitively against the connection's `Username`.
   */
  public revokeUser(username: string): void {
    this.add({ kind: 'username', value: username });
  }

  /**
   * Terminate the sessions authenticated with a client certificate of this
   * common name, matched exactly against the connection's `CommonName`.
   */
  public revokeCommonName(commonName: string): void {
    this.add({ kind: 'common name', value: commonName });
  }

  /** The revoked user names, sorted. */
  public get usernames(): string[] {
    return this.sorted('username');
  }

  /** The revoked certificate common names, sorted. */
  public get commonNames(): string[] {
    return this.sorted('common name');
  }

  /**
   * The number of sessions the scheduled enforcement terminated (statistic
   * Sum). Only scheduled runs publish it: without `enforcement`, the metric
   * has no data.
   *
   * @default - sum over 5 minutes
   */
  public metricSessionsTerminated(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: SESSIONS_METRIC_NAMESPACE,
      metricName: SESSIONS_TERMINATED_METRIC,
      dimensionsMap: { ClientVpnEndpointId: this.clientVpnEndpointId },
      statistic: cloudwatch.Stats.SUM,
      ...props,
    });
  }

  /** @internal */
  public _principalKeys(): Map<string, Principal> {
    return this.principals;
  }

  private add(principal: Principal): void {
    ClientVpnRevocations._validatePrincipal(this, principal.kind, principal.value);
    const key = principalKey(principal);
    if (this.principals.has(key)) {
      throw new NetworkAccessValidationError(`${principal.kind} '${principal.value}' is revoked twice; keep one of them`, this);
    }
    this.principals.set(key, principal);
  }

  private sorted(kind: Principal['kind']): string[] {
    return [...this.principals.values()]
      .filter(p => p.kind === kind)
      .map(p => p.value)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  private lazyList(kind: Principal['kind']): string[] {
    return Lazy.list({ produce: () => this.sorted(kind) }, { omitEmpty: false });
  }

  private createEnforcement(enforcement: SessionEnforcement, endpointArn: string): { fn: lambda.Function; rule: events.Rule } {
    const interval = enforcement.interval;
    let timeout: Duration;
    let maxEventAge: Duration;
    if (interval.isUnresolved()) {
      // The only timeout that is never longer than a valid interval.
      timeout = Duration.minutes(1);
      maxEventAge = Duration.minutes(1);
    } else {
      const millis = interval.toMilliseconds();
      if (millis < 60_000 || millis % 60_000 !== 0) {
        throw new NetworkAccessValidationError(
          `enforcement interval ${interval.toHumanString()} is not a whole number of minutes of at least one; EventBridge schedules run at most once a minute: use e.g. SessionEnforcement.every(Duration.minutes(5))`, this);
      }
      timeout = millis < MAX_FUNCTION_TIMEOUT.toMilliseconds() ? interval : MAX_FUNCTION_TIMEOUT;
      maxEventAge = millis < MAX_EVENT_AGE.toMilliseconds() ? interval : MAX_EVENT_AGE;
    }

    const scope = new Construct(this, 'Enforcement');
    const logGroup = new logs.LogGroup(scope, 'Logs', {
      retention: logs.RetentionDays.ONE_YEAR,
    });
    const role = new iam.Role(scope, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Role of the scheduled Client VPN session enforcement (cdk-network-access)',
    });
    logGroup.grantWrite(role);
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      // DescribeClientVpnConnections supports no resource-level permissions:
      // it needs "*".
      actions: ['ec2:DescribeClientVpnConnections'],
      resources: ['*'],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ec2:TerminateClientVpnConnections'],
      resources: [endpointArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      // The endpoint's enforcement lease, one parameter.
      actions: ['ssm:PutParameter', 'ssm:GetParameter', 'ssm:DeleteParameter'],
      resources: [Stack.of(this).formatArn({
        service: 'ssm',
        resource: 'parameter',
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        resourceName: enforcementLeaseParameterName(this.clientVpnEndpointId).slice(1),
      })],
    }));
    suppressNagRules(role, [{
      id: 'AwsSolutions-IAM5',
      reason: 'DescribeClientVpnConnections supports no resource-level permissions and needs "*"; TerminateClientVpnConnections is scoped to the endpoint\'s ARN.',
      appliesTo: ['Resource::*'],
    }]);

    const fn = new lambda.Function(scope, 'Function', {
      description: 'Terminates the Client VPN sessions of revoked principals on a schedule (cdk-network-access)',
      // The same bundle as the custom-resource handler, another entry point.
      code: lambda.Code.fromAsset(path.join(__dirname, '..', '..', 'assets', 'lambda', CLIENT_VPN_SESSIONS_HANDLER, 'index')),
      handler: CLIENT_VPN_SESSIONS_SCHEDULE_ENTRY,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout,
      role,
      logGroup,
      // Runs on one endpoint are kept apart by the lease; reserving
      // concurrency is an opt-in (it fails in accounts with a quota of 10).
      reservedConcurrentExecutions: enforcement.reserveConcurrency ? 1 : undefined,
      // A run that failed, or could not start before the next one was due,
      // is not queued: the next scheduled run does the same work.
      retryAttempts: 0,
      maxEventAge,
    });

    const input: ScheduledEnforcementInput = {
      SchemaVersion: CLIENT_VPN_SESSIONS_SCHEMA_VERSION,
      ClientVpnEndpointId: this.clientVpnEndpointId,
      Usernames: this.lazyList('username'),
      CommonNames: this.lazyList('common name'),
    };
    const rule = new events.Rule(scope, 'Schedule', {
      description: 'Runs the scheduled Client VPN session enforcement (cdk-network-access)',
      schedule: events.Schedule.rate(interval),
      targets: [new targets.LambdaFunction(fn, { event: events.RuleTargetInput.fromObject(input) })],
    });
    return { fn, rule };
  }

  private validateSize(): string[] {
    if (this.enforcementInterval === undefined) {
      return [];
    }
    const input: ScheduledEnforcementInput = {
      SchemaVersion: CLIENT_VPN_SESSIONS_SCHEMA_VERSION,
      ClientVpnEndpointId: Token.isUnresolved(this.clientVpnEndpointId) ? LONGEST_ENDPOINT_ID : this.clientVpnEndpointId,
      Usernames: this.usernames,
      CommonNames: this.commonNames,
    };
    const length = JSON.stringify(input).length;
    if (length > MAX_TARGET_INPUT_LENGTH) {
      return [`the scheduled enforcement input lists ${this.principals.size} principals in ${length} characters, over EventBridge's limit of ${MAX_TARGET_INPUT_LENGTH} characters for a target's input: split the principals into several ClientVpnRevocations of the same endpoint`];
    }
    return [];
  }
}

function principalKey(p: Principal): string {
  return `${p.kind === 'username' ? 'u' : 'c'}:${p.value}`;
}

/**
 * Per stack: the revocation sets of each endpoint, to report at synth what
 * looks like a mistake but is harmless (the sessions of a principal listed
 * twice are terminated once; an empty set terminates nothing).
 */
class RevocationRegistry extends Construct {
  public static of(stack: Stack): RevocationRegistry {
    const id = 'NetworkAccessClientVpnRevocationRegistry';
    return (stack.node.tryFindChild(id) as RevocationRegistry | undefined) ?? new RevocationRegistry(stack, id);
  }

  private readonly sets: ClientVpnRevocations[] = [];

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.node.addValidation({ validate: () => this.warn() });
  }

  public register(set: ClientVpnRevocations): void {
    this.sets.push(set);
  }

  private warn(): string[] {
    const owners = new Map<string, ClientVpnRevocations>();
    for (const set of this.sets) {
      if (set._principalKeys().size === 0) {
        Annotations.of(set).addWarningV2('cdk-network-access:client-vpn-empty-revocations',
          'this ClientVpnRevocations lists no user name and no common name, so it terminates nothing: add principals with usernames, commonNames, revokeUser or revokeCommonName, or remove it');
      }
      for (const [key, principal] of set._principalKeys()) {
        const endpointKey = `${set.clientVpnEndpointId}|${key}`;
        const first = owners.get(endpointKey);
        if (first) {
          Annotations.of(set).addWarningV2('cdk-network-access:client-vpn-revoked-twice',
            `${principal.kind} '${principal.value}' is also revoked by ${first.node.path} on the same endpoint; one list is enough (removing it from one list keeps it revoked by the other)`);
        } else {
          owners.set(endpointKey, set);
        }
      }
    }
    return [];
  }
}
