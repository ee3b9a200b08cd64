/**
 * Integration test: revoked principals' sessions and a certificate revocation
 * list on a real Client VPN endpoint with mutual certificate authentication.
 *
 * Deployable by a maintainer with credentials:
 *   npx integ-runner --update-on-failed test/integ.client-vpn-revocations.ts \
 *     -- --context serverCertificateArn=arn:aws:acm:...:certificate/... \
 *        --context clientCertificateArn=arn:aws:acm:...:certificate/... \
 *        --context crlFile=/path/to/crl-of-the-client-ca.pem
 * (Client VPN needs ACM certificates, which cannot be issued inside the test.
 * Without crlFile the app imports test/fixtures/client-vpn-crl.pem, a CRL of a
 * throwaway CA; pass the CRL of the CA that issued the client certificate if
 * the import refuses a CRL of another issuer.)
 *
 * CI verifies the committed snapshot without deploying (`npx projen integ`).
 *
 * No client connects during the test, so the assertions read back what AWS
 * reports: the CRL is imported and active, and no session of a listed
 * principal exists. The termination itself is proven by the handler and
 * lifecycle tests against the simulated endpoint.
 */
import * as path from 'path';
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import {
  CertificateRevocationList,
  ClientVpnAuthorizations,
  ClientVpnCertificateRevocationList,
  ClientVpnRevocations,
  SessionEnforcement,
} from '../src';

const app = new App();
const stack = new Stack(app, 'NetworkAccessClientVpnRevocationsInteg');

const serverCertificateArn = app.node.tryGetContext('serverCertificateArn')
  ?? 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000001';
const clientCertificateArn = app.node.tryGetContext('clientCertificateArn')
  ?? 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000002';
const crlFile = app.node.tryGetContext('crlFile') ?? path.join(__dirname, 'fixtures', 'client-vpn-crl.pem');

const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, ipAddresses: ec2.IpAddresses.cidr('10.21.0.0/16') });
const endpoint = vpc.addClientVpnEndpoint('Endpoint', {
  cidr: '10.101.0.0/22',
  serverCertificateArn,
  clientCertificateArn,
  authorizeAllUsersToVpcCidr: false,
  logging: false,
});

new ClientVpnAuthorizations(stack, 'Access', {
  clientVpnEndpoint: endpoint,
  rules: [{ cidr: '10.21.0.0/16', allUsers: true, description: 'The VPC' }],
});

// Off-boarded: a user (for an endpoint with user-based authentication) and a
// laptop certificate, enforced every 5 minutes after the deploy.
const revoked = new ClientVpnRevocations(stack, 'Offboarded', {
  clientVpnEndpoint: endpoint,
  usernames: ['alice@example.com'],
  commonNames: ['laptop-bob.vpn.example.com'],
  enforcement: SessionEnforcement.every(Duration.minutes(5)),
});

new ClientVpnCertificateRevocationList(stack, 'Crl', {
  clientVpnEndpoint: endpoint,
  certificateRevocationList: CertificateRevocationList.fromFile(crlFile),
  terminateSessionsOf: ['laptop-alice.vpn.example.com'],
});

const integ = new IntegTest(app, 'ClientVpnRevocations', {
  testCases: [stack],
  diffAssets: false,
});

// The CRL is on the endpoint and in force (it may be `pending` for a moment).
integ.assertions.awsApiCall('EC2', 'exportClientVpnClientCertificateRevocationList', {
  ClientVpnEndpointId: endpoint.endpointId,
}).expect(ExpectedResult.objectLike({
  CertificateRevocationList: Match.stringLikeRegexp('-----BEGIN X509 CRL-----'),
  Status: { Code: 'active' },
})).waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) });

// No session of a listed user: the username filter is exact.
integ.assertions.awsApiCall('EC2', 'describeClientVpnConnections', {
  ClientVpnEndpointId: endpoint.endpointId,
  Filters: [{ Name: 'username', Values: revoked.usernames }],
}).expect(ExpectedResult.objectLike({ Connections: [] }));

// No session at all, hence none of a listed common name (there is no
// common-name filter, and nobody connects during the test).
integ.assertions.awsApiCall('EC2', 'describeClientVpnConnections', {
  ClientVpnEndpointId: endpoint.endpointId,
}).expect(ExpectedResult.objectLike({ Connections: [] }));
