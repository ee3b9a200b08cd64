import { ArnFormat, CfnResource, Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { VPN_OWNER_TAG_KEY, VPN_REQUEST_TAG_KEY } from '../private/contract/site-to-site-vpn';
import { HandlerProvider } from '../private/provider';

/** One cdk-nag suppression, in the metadata format cdk-nag reads. */
interface NagSuppression {
  readonly id: string;
  readonly reason: string;
  readonly appliesTo?: Array<string | { readonly regex: string }>;
}

/**
 * Record cdk-nag suppressions on every CloudFormation resource below `scope`,
 * next to the ones already there. Unlike the shared helper, a second
 * suppression of a rule (for other findings, with its own reason) is added
 * rather than dropped: cdk-nag checks every entry.
 */
export function appendNagSuppressions(scope: IConstruct, suppressions: NagSuppression[]): void {
  for (const child of scope.node.findAll()) {
    if (!CfnResource.isCfnResource(child)) continue;
    const existing = (child.getMetadata('cdk_nag')?.rules_to_suppress ?? []) as Array<Record<string, unknown>>;
    const merged = [...existing];
    for (const s of suppressions) {
      if (!merged.some(e => e.id === s.id && e.reason === s.reason)) {
        merged.push({ id: s.id, reason: s.reason, ...(s.appliesTo ? { applies_to: s.appliesTo } : {}) });
      }
    }
    child.addMetadata('cdk_nag', { rules_to_suppress: merged });
  }
}

/**
 * The IAM permissions of the site-to-site VPN handler in one stack. The
 * handler role is shared by every connection of the stack (one provider per
 * stack), so its policy is the union of what the connections need; the
 * statements are written once, with lists that grow as connections register
 * (rendered at synth).
 *
 * Mutations are scoped by the owner tag the handler writes at creation. The
 * condition matches every owner tag of this stack (`<stack name>/*`) rather
 * than the list of connections declared now: when a connection is removed
 * from the app, CloudFormation updates this policy first and deletes the
 * connection last, so a list would no longer name it and the Delete would
 * be refused.
 */
export class SiteToSiteVpnPermissions extends Construct {
  public static of(scope: IConstruct, provider: HandlerProvider): SiteToSiteVpnPermissions {
    const stack = Stack.of(scope);
    const id = 'NetworkAccessSiteToSiteVpnPermissions';
    return (stack.node.tryFindChild(id) as SiteToSiteVpnPermissions | undefined)
      ?? new SiteToSiteVpnPermissions(stack, id, provider);
  }

  private readonly gatewayArns = new Set<string>();
  private loggingGranted = false;

  private constructor(scope: Construct, id: string, private readonly provider: HandlerProvider) {
    super(scope, id);
    const stack = Stack.of(this);
    const vpnConnections = this.arn('vpn-connection', '*');
    const ownedByThisStack = { StringLike: { [`aws:ResourceTag/${VPN_OWNER_TAG_KEY}`]: `${stack.stackName}/*` } };

    // Service Authorization Reference, Amazon EC2: CreateVpnConnection
    // authorizes the new vpn-connection and the customer gateway, virtual
    // private gateway or transit gateway it uses.
    provider.addToRolePolicy(new iam.PolicyStatement({
      sid: 'CreateVpnConnections',
      actions: ['ec2:CreateVpnConnection'],
      resources: Lazy.uncachedList({ produce: () => [vpnConnections, ...[...this.gatewayArns].sort()] }),
    }));
    // Tags only as part of CreateVpnConnection (the owner and request tags
    // of the TagSpecifications).
    provider.addToRolePolicy(new iam.PolicyStatement({
      sid: 'TagVpnConnectionsAtCreation',
      actions: ['ec2:CreateTags'],
      resources: [vpnConnections],
      conditions: { StringEquals: { 'ec2:CreateAction': 'CreateVpnConnection' } },
    }));
    provider.addToRolePolicy(new iam.PolicyStatement({
      sid: 'ChangeOwnVpnConnections',
      actions: ['ec2:ModifyVpnConnection', 'ec2:ModifyVpnConnectionOptions', 'ec2:ModifyVpnTunnelOptions', 'ec2:DeleteVpnConnection'],
      resources: [vpnConnections],
      conditions: ownedByThisStack,
    }));
    // User tags change in place, and the handler records which declared key
    // each tunnel last received (VPN_TUNNEL_PSK_TAG_KEY_PREFIX); the owner and
    // request tags stay as written at creation, so a connection cannot be
    // handed to another owner.
    provider.addToRolePolicy(new iam.PolicyStatement({
      sid: 'RetagOwnVpnConnections',
      actions: ['ec2:CreateTags', 'ec2:DeleteTags'],
      resources: [vpnConnections],
      conditions: {
        ...ownedByThisStack,
        'ForAllValues:StringNotEquals': { 'aws:TagKeys': [VPN_OWNER_TAG_KEY, VPN_REQUEST_TAG_KEY] },
      },
    }));
    // ModifyVpnConnection also authorizes the gateway a connection moves to.
    // Any gateway of the account and Region: a rollback moves the connection
    // back to a gateway the new template may no longer declare, and the
    // vpn-connection itself stays limited to this stack's by the statement
    // above.
    provider.addToRolePolicy(new iam.PolicyStatement({
      sid: 'MoveOwnVpnConnectionsBetweenGateways',
      actions: ['ec2:ModifyVpnConnection'],
      resources: ['customer-gateway', 'vpn-gateway', 'transit-gateway'].map(type => this.arn(type, '*')),
    }));

    appendNagSuppressions(provider.role, [{
      id: 'AwsSolutions-IAM5',
      reason: 'VPN connection ids are only known once created: create and tag-on-create are limited to vpn-connection/* (tags only with ec2:CreateAction=CreateVpnConnection); Modify*, Delete and re-tagging only apply to connections carrying this stack\'s owner tag; moving a connection between gateways (ModifyVpnConnection) names gateways of this account and Region, so that a rollback can move it back.',
      appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:ec2:[^:]+:[^:]+:(vpn-connection|customer-gateway|vpn-gateway|transit-gateway)\\/\\*$/g' }],
    }]);
  }

  /** Let the handler create connections on this gateway or customer gateway. */
  public allowGateway(resourceType: 'customer-gateway' | 'vpn-gateway' | 'transit-gateway', id: string): void {
    this.gatewayArns.add(this.arn(resourceType, id));
  }

  /**
   * The CloudWatch Logs permissions a caller needs to turn on vended logs
   * delivered to CloudWatch Logs (Site-to-Site VPN tunnel logs are vended
   * logs), as AWS documents them, and as CloudFormation's own
   * AWS::EC2::VPNConnection handler declares them:
   * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-CWL.html
   * https://docs.aws.amazon.com/vpn/latest/s2svpn/monitoring-logs.html
   */
  public allowTunnelLogging(): void {
    if (this.loggingGranted) return;
    this.loggingGranted = true;
    const stack = Stack.of(this);
    this.provider.addToRolePolicy(new iam.PolicyStatement({
      sid: 'DeliverVpnTunnelLogs',
      // The log delivery actions support no resource-level permissions.
      actions: ['logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries'],
      resources: ['*'],
    }));
    this.provider.addToRolePolicy(new iam.PolicyStatement({
      sid: 'GrantLogDeliveryToLogGroups',
      // AWS: "be sure to set the ARN of its Resource line to use a *
      // wildcard, instead of specifying only a single log group name".
      actions: ['logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups'],
      resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    }));
    appendNagSuppressions(this.provider.role, [{
      id: 'AwsSolutions-IAM5',
      reason: 'Turning on VPN tunnel logs needs the CloudWatch Logs vended-log delivery actions, which support only "*", and PutResourcePolicy / DescribeResourcePolicies / DescribeLogGroups on log-group:*, which AWS documents must be a wildcard.',
      appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:logs:[^:]+:[^:]+:log-group:\\*$/g' }],
    }]);
  }

  private arn(resourceType: string, id: string): string {
    return Stack.of(this).formatArn({ service: 'ec2', resource: resourceType, resourceName: id, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  }
}
