/**
 * Small apps synthesized into a tmp dir for the review commands: one Client
 * VPN endpoint (client CIDR 10.100.0.0/16, VPC 10.0.0.0/16) with a rule set,
 * and optionally a security group (named, unless told) with ingress.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ClientVpnAuthorizations } from '../../../src';

export interface AppSpec {
  /** Stack name and the prefix of every construct id: change them for a rename. */
  readonly stackName?: string;
  readonly idPrefix?: string;
  readonly rules: Array<{ cidr: string; groupId?: string }>;
  /** Ingress of the security group named 'bastion': [source CIDR, port]. */
  readonly ingress?: Array<[string, number]>;
  /** Leave the security group unnamed: the review keys it by its construct path. */
  readonly unnamed?: boolean;
  /** Suppress NA-SG-OPEN-INGRESS on the security group. */
  readonly suppressOpenIngress?: boolean;
}

export function tmpDir(prefix = 'na-cli-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Synthesizes the app and returns its cdk.out directory. */
export function synthApp(spec: AppSpec, outdir = tmpDir()): string {
  const app = new App({ outdir });
  const p = spec.idPrefix ?? '';
  const stack = new Stack(app, spec.stackName ?? 'Network', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, `${p}Vpc`, { natGateways: 0, maxAzs: 1, ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16') });
  const endpoint = vpc.addClientVpnEndpoint(`${p}Endpoint`, {
    cidr: '10.100.0.0/16',
    serverCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/server',
    clientCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/client',
    authorizeAllUsersToVpcCidr: false,
  });
  new ClientVpnAuthorizations(stack, `${p}Access`, { clientVpnEndpoint: endpoint, rules: spec.rules });
  if (spec.ingress) {
    const sg = new ec2.SecurityGroup(stack, `${p}Bastion`, {
      vpc, allowAllOutbound: false, ...(spec.unnamed ? {} : { securityGroupName: 'bastion' }),
    });
    for (const [cidr, port] of spec.ingress) {
      sg.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(port));
    }
    if (spec.suppressOpenIngress) {
      (sg.node.defaultChild as CfnResource).addMetadata('cdk_network_access', {
        rules_to_suppress: [{ id: 'NA-SG-OPEN-INGRESS', reason: 'bastion behind a port knock, accepted by security' }],
      });
    }
  }
  app.synth();
  return outdir;
}
