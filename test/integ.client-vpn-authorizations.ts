/**
 * Integration test: Client VPN authorization rule sets on a real endpoint.
 *
 * Deployable by a maintainer with credentials:
 *   npx integ-runner --update-on-failed test/integ.client-vpn-authorizations.ts \
 *     -- --context serverCertificateArn=arn:aws:acm:...:certificate/... \
 *        --context clientCertificateArn=arn:aws:acm:...:certificate/...
 * (Client VPN needs ACM certificates, which cannot be issued inside the test.)
 *
 * CI verifies the committed snapshot without deploying (`npx projen integ`).
 * integ-runner's update workflow deploys the committed snapshot first and then
 * this app, so the update path (add, remove, describe-only change) runs too.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ClientVpnAuthorizations } from '../src';

const app = new App();
const stack = new Stack(app, 'NetworkAccessClientVpnAuthorizationsInteg');

const serverCertificateArn = app.node.tryGetContext('serverCertificateArn')
  ?? 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000001';
const clientCertificateArn = app.node.tryGetContext('clientCertificateArn')
  ?? 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000002';

const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, ipAddresses: ec2.IpAddresses.cidr('10.20.0.0/16') });
const endpoint = vpc.addClientVpnEndpoint('Endpoint', {
  cidr: '10.100.0.0/22',
  serverCertificateArn,
  clientCertificateArn,
  authorizeAllUsersToVpcCidr: false,
  logging: false,
});

// Mutual-certificate endpoints have no groups: rules grant all users. The
// second set adds access group rules, which Client VPN stores (and describes)
// even on a certificate endpoint.
new ClientVpnAuthorizations(stack, 'Baseline', {
  clientVpnEndpoint: endpoint,
  rules: [
    { cidr: '10.20.0.0/16', allUsers: true, description: 'The VPC' },
  ],
});
const teams = new ClientVpnAuthorizations(stack, 'Teams', { clientVpnEndpoint: endpoint });
teams.allowGroup('engineering', '10.30.0.0/16', 'Engineering network');
teams.allowGroup('operations', '10.30.0.0/16', 'Operations network');
teams.allowAllUsers('192.168.10.0/24', 'Printers');

const integ = new IntegTest(app, 'ClientVpnAuthorizations', {
  testCases: [stack],
  diffAssets: false,
});

// Read the rules back from AWS: all four declared rules are active, and
// nothing else is on the endpoint.
const describe = integ.assertions.awsApiCall('EC2', 'describeClientVpnAuthorizationRules', {
  ClientVpnEndpointId: endpoint.endpointId,
});
describe.expect(ExpectedResult.objectLike({
  AuthorizationRules: Match.arrayWith([
    Match.objectLike({ DestinationCidr: '10.20.0.0/16', AccessAll: true, Description: 'The VPC', Status: { Code: 'active' } }),
    Match.objectLike({ DestinationCidr: '10.30.0.0/16', GroupId: 'engineering', Description: 'Engineering network', Status: { Code: 'active' } }),
    Match.objectLike({ DestinationCidr: '10.30.0.0/16', GroupId: 'operations', Description: 'Operations network', Status: { Code: 'active' } }),
    Match.objectLike({ DestinationCidr: '192.168.10.0/24', AccessAll: true, Description: 'Printers', Status: { Code: 'active' } }),
  ]),
}));
