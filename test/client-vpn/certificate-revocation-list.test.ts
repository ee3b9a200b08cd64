import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aspects, Lazy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  CertificateRevocationList,
  ClientVpnAuthorizations,
  ClientVpnCertificateRevocationList,
} from '../../src';

const ENDPOINT = 'cvpn-endpoint-0123456789abcdef0';
const OTHER_ENDPOINT = 'cvpn-endpoint-0fedcba9876543210';
const TYPE = 'Custom::NetworkAccessClientVpnCertificateRevocationList';
const ENDPOINT_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ec2:eu-west-1:123456789012:client-vpn-endpoint/${ENDPOINT}`]] };
const CRL_FILE = path.join(__dirname, '..', 'fixtures', 'client-vpn-crl.pem');
const CRL_PEM = fs.readFileSync(CRL_FILE, 'utf8');
/** `sha256sum test/fixtures/client-vpn-crl.pem` */
const CRL_SHA256 = '1eec64e2b01354e6207910e1970d998fded110901b2b27a5d469cf3c9f1be372';

type Statement = Record<string, unknown>;
interface PolicyResource {
  Properties: { PolicyDocument: { Statement: Statement[] }; Roles: Array<{ Ref: string }> };
}

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
}

function handlerStatements(stack: Stack): Statement[] {
  return Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .map(p => p as PolicyResource)
    .filter(p => p.Properties.Roles.some(r => r.Ref.includes('clientvpnsessionsHandlerRole')))
    .flatMap(p => p.Properties.PolicyDocument.Statement);
}

/** A PEM block of `der` under `label`, 64 base64 characters a line. */
function pem(der: Buffer, label = 'X509 CRL'): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** DER of a SEQUENCE holding `content`, with a definite length. */
function sequence(content: Buffer): Buffer {
  const n = content.length;
  let length: Buffer;
  if (n < 0x80) {
    length = Buffer.from([n]);
  } else {
    // Long form: 0x80 + the number of length octets, then the octets, big-endian.
    const hex = n.toString(16);
    const octets = Buffer.from(hex.padStart(hex.length + (hex.length % 2), '0'), 'hex');
    length = Buffer.concat([Buffer.from([0x80 + octets.length]), octets]);
  }
  return Buffer.concat([Buffer.from([0x30]), length, content]);
}

const FIXTURE_DER = Buffer.from(CRL_PEM.replace(/-----[A-Z0-9 ]+-----/g, '').replace(/\s+/g, ''), 'base64');

function tempFile(name: string, content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crl-test-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

describe('ClientVpnCertificateRevocationList: template', () => {
  test('an inline CRL: the PEM, its SHA-256 and the sorted common names', () => {
    const stack = newStack();
    const crl = new ClientVpnCertificateRevocationList(stack, 'Crl', {
      clientVpnEndpointId: ENDPOINT,
      certificateRevocationList: CertificateRevocationList.fromPem(CRL_PEM),
      terminateSessionsOf: ['laptop-zoe', 'laptop-alice.vpn.example.com'],
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs(TYPE, 1);
    const [resource] = Object.values(template.findResources(TYPE)) as Array<{ Properties: Record<string, unknown> }>;
    const { ServiceToken: _token, ...properties } = resource.Properties;
    expect(properties).toEqual({
      SchemaVersion: '1',
      ClientVpnEndpointId: ENDPOINT,
      Crl: CRL_PEM,
      CrlSha256: CRL_SHA256,
      CommonNames: ['laptop-alice.vpn.example.com', 'laptop-zoe'],
    });
    expect(crl.crlSha256).toBe(CRL_SHA256);
    expect(crl.terminateSessionsOf).toEqual(['laptop-alice.vpn.example.com', 'laptop-zoe']);
    expect(crl.asset).toBeUndefined();
  });

  test('a CRL file: an S3 asset the handler may read, object by object, and the same SHA-256', () => {
    const stack = newStack();
    const crl = new ClientVpnCertificateRevocationList(stack, 'Crl', {
      clientVpnEndpointId: ENDPOINT,
      certificateRevocationList: CertificateRevocationList.fromFile(CRL_FILE),
    });
    const template = Template.fromStack(stack);
    const [resource] = Object.values(template.findResources(TYPE)) as Array<{ Properties: Record<string, unknown> }>;
    expect(resource.Properties).toMatchObject({
      CrlS3Bucket: stack.resolve(crl.asset!.s3BucketName),
      CrlS3Key: crl.asset!.s3ObjectKey,
      CrlSha256: CRL_SHA256,
      CommonNames: [],
    });
    expect(resource.Properties.Crl).toBeUndefined();
    expect(crl.asset!.s3ObjectKey).toMatch(/^[0-9a-f]{64}\.pem$/);

    const s3 = handlerStatements(stack).filter(s => JSON.stringify(s.Action).includes('s3:'));
    expect(s3).toEqual([{
      Action: 's3:GetObject',
      Effect: 'Allow',
      Resource: stack.resolve(crl.asset!.bucket.arnForObjects(crl.asset!.s3ObjectKey)),
    }]);
    expect(JSON.stringify(s3)).toContain(`/${crl.asset!.s3ObjectKey}`);
  });

  test('the handler may import and terminate only on the endpoint; Describe is the only "*" action', () => {
    const stack = newStack();
    new ClientVpnCertificateRevocationList(stack, 'Crl', {
      clientVpnEndpointId: ENDPOINT,
      certificateRevocationList: CertificateRevocationList.fromPem(CRL_PEM),
      terminateSessionsOf: ['cn'],
    });
    const statements = handlerStatements(stack);
    expect(statements.filter(s => JSON.stringify(s.Action).includes('ec2:') && s.Resource !== '*')).toEqual([{
      Action: [
        'ec2:ImportClientVpnClientCertificateRevocationList',
        'ec2:ExportClientVpnClientCertificateRevocationList',
        'ec2:TerminateClientVpnConnections',
      ],
      Effect: 'Allow',
      Resource: ENDPOINT_ARN,
    }]);
    expect(statements.filter(s => s.Resource === '*').map(s => s.Action)).toEqual(['ec2:DescribeClientVpnConnections']);
  });

  test('an ec2.ClientVpnEndpoint: referenced, after its associations and after the authorization sets', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 1 });
    const endpoint = vpc.addClientVpnEndpoint('Endpoint', {
      cidr: '10.100.0.0/16',
      serverCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/server',
      clientCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/client',
      authorizeAllUsersToVpcCidr: false,
    });
    const crl = new ClientVpnCertificateRevocationList(stack, 'Crl', {
      clientVpnEndpoint: endpoint,
      certificateRevocationList: CertificateRevocationList.fromFile(CRL_FILE),
    });
    const access = new ClientVpnAuthorizations(stack, 'Access', { clientVpnEndpoint: endpoint, rules: [{ cidr: '10.0.0.0/16', allUsers: true }] });
    const template = Template.fromStack(stack);
    const resource = template.toJSON().Resources[stack.getLogicalId(crl.resource.node.defaultChild as never)];
    expect(resource.Properties.ClientVpnEndpointId).toEqual({ Ref: stack.getLogicalId(endpoint.node.defaultChild as ec2.CfnClientVpnEndpoint) });
    const associations = Object.keys(template.findResources('AWS::EC2::ClientVpnTargetNetworkAssociation'));
    expect(resource.DependsOn).toEqual(expect.arrayContaining([...associations, stack.getLogicalId(access.resource.node.defaultChild as never)]));
  });

  test('the endpoint id may be a token', () => {
    const stack = newStack();
    new ClientVpnCertificateRevocationList(stack, 'Crl', {
      clientVpnEndpointId: Lazy.string({ produce: () => ENDPOINT }),
      certificateRevocationList: CertificateRevocationList.fromPem(CRL_PEM),
      terminateSessionsOf: [Lazy.string({ produce: () => 'x'.repeat(100) })],
    });
    Template.fromStack(stack).hasResourceProperties(TYPE, { ClientVpnEndpointId: ENDPOINT, CommonNames: ['x'.repeat(100)] });
  });

  test('CRLF line endings and a trailing blank line are accepted', () => {
    const stack = newStack();
    const text = `${CRL_PEM.replace(/\n/g, '\r\n')}\r\n`;
    const crl = new ClientVpnCertificateRevocationList(stack, 'Crl', {
      clientVpnEndpointId: ENDPOINT,
      certificateRevocationList: CertificateRevocationList.fromPem(text),
    });
    // The hash is of the text as given, so a re-encoded file is a new CRL to import.
    expect(crl.crlSha256).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    expect(crl.crlSha256).not.toBe(CRL_SHA256);
  });

  test('one CRL per endpoint and stack; other endpoints and other stacks are independent', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack');
    new ClientVpnCertificateRevocationList(stack, 'First', { clientVpnEndpointId: ENDPOINT, certificateRevocationList: CertificateRevocationList.fromPem(CRL_PEM) });
    new ClientVpnCertificateRevocationList(stack, 'Elsewhere', { clientVpnEndpointId: OTHER_ENDPOINT, certificateRevocationList: CertificateRevocationList.fromPem(CRL_PEM) });
    new ClientVpnCertificateRevocationList(new Stack(app, 'Other'), 'First', { clientVpnEndpointId: ENDPOINT, certificateRevocationList: CertificateRevocationList.fromPem(CRL_PEM) });
    expect(() => new ClientVpnCertificateRevocationList(stack, 'Second', {
      clientVpnEndpointId: ENDPOINT,
      certificateRevocationList: CertificateRevocationList.fromFile(CRL_FILE),
    })).toThrow(`Stack/Second: ${ENDPOINT} already has a certificate revocation list, declared by Stack/First; an endpoint holds one CRL`);
  });
});

describe('ClientVpnCertificateRevocationList: validation', () => {
  const certificate = pem(sequence(Buffer.concat([sequence(Buffer.from([0x02, 0x01, 0x01])), sequence(Buffer.alloc(0))])), 'CERTIFICATE');
  const cases: Array<[string, string, string | RegExp]> = [
    ['a certificate instead of a CRL', certificate, "it holds a 'CERTIFICATE' block, and a CRL file holds only the CRL"],
    ['a private key next to the CRL', `${CRL_PEM}-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n`,
      "it holds a 'PRIVATE KEY' block (a private key: never commit or deploy it)"],
    ['two CRLs', `${CRL_PEM}${CRL_PEM}`, 'it holds 2 CRLs, and an endpoint takes one'],
    ['a byte-order mark', `\ufeff${CRL_PEM}`, 'it contains the non-ASCII character U+FEFF (a byte-order mark) at position 0, and PEM is ASCII'],
    ['a non-ASCII letter in the body', CRL_PEM.replace('MIIB', 'MIIé'), 'it contains the non-ASCII character U+00E9 at position 28'],
    ['no PEM armour', FIXTURE_DER.toString('base64'), "it has no '-----BEGIN X509 CRL-----' line"],
    ['text before the block', `Certificate Revocation List (CRL):\n${CRL_PEM}`, 'it has text outside the'],
    ['no END line', CRL_PEM.replace('-----END X509 CRL-----', ''), 'or no END line'],
    ['an empty body', '-----BEGIN X509 CRL-----\n-----END X509 CRL-----\n', 'its body is empty'],
    ['a body that is not base64', '-----BEGIN X509 CRL-----\nnot*base64!\n-----END X509 CRL-----\n', 'its body is not base64'],
    ['DER that is not a SEQUENCE', pem(Buffer.from([0x04, 0x03, 0x61, 0x62, 0x63])), 'its DER does not begin with a SEQUENCE'],
    ['a truncated CRL', pem(FIXTURE_DER.subarray(0, FIXTURE_DER.length - 10)),
      `its DER SEQUENCE declares ${FIXTURE_DER.length - 4} bytes of content but ${FIXTURE_DER.length - 14} follow`],
    ['a SEQUENCE without tbsCertList', pem(sequence(Buffer.from([0x02, 0x01, 0x01]))), 'its DER SEQUENCE does not start with the tbsCertList SEQUENCE'],
  ];

  test.each(cases)('an inline CRL fails for %s', (_name, text, message) => {
    const stack = newStack();
    expect(() => new ClientVpnCertificateRevocationList(stack, 'Crl', {
      clientVpnEndpointId: ENDPOINT,
      certificateRevocationList: CertificateRevocationList.fromPem(text),
    })).toThrow(message);
  });

  test('an inline failure says where the CRL came from and how to make one', () => {
    const stack = newStack();
    expect(() => new ClientVpnCertificateRevocationList(stack, 'Crl', {
      clientVpnEndpointId: ENDPOINT,
      certificateRevocationList: CertificateRevocationList.fromPem('hello'),
    })).toThrow("Stack/Crl: the CRL inline PEM is not a PEM certificate revocation list: it has no '-----BEGIN X509 CRL-----' line; give the PEM output of your CA (e.g. openssl ca -gencrl)");
  });

  test('a file failure names the file', () => {
    const stack = newStack();
    const file = tempFile('crl.pem', certificate);
    expect(() => new ClientVpnCertificateRevocationList(stack, 'Crl', {
      clientVpnEndpointId: ENDPOINT,
      certificateRevocationList: CertificateRevocationList.fromFile(file),
    })).toThrow(`the CRL file '${file}' is not a PEM certificate revocation list: it holds a 'CERTIFICATE' block`);
  });

  test('a missing file and a directory fail, naming the path', () => {
    const stack = newStack();
    const missing = path.join(os.tmpdir(), 'no-such-crl.pem');
    expect(() => new ClientVpnCertificateRevocationList(stack, 'Missing', {
      clientVpnEndpointId: ENDPOINT,
      certificateRevocationList: CertificateRevocationList.fromFile(missing),
    })).toThrow(`the CRL file '${missing}' cannot be read (ENOENT); check the path`);
    const dir = path.dirname(CRL_FILE);
    expect(() => new ClientVpnCertificateRevocationList(stack, 'Dir', {
      clientVpnEndpointId: OTHER_ENDPOINT,
      certificateRevocationList: CertificateRevocationList.fromFile(dir),
    })).toThrow(`the CRL file '${dir}' is not a file`);
  });

  test('an inline CRL over 64 KiB fails and points to fromFile; a file of that size is fine', () => {
    // A structurally valid CRL of about 70 KiB of PEM.
    const big = pem(sequence(Buffer.concat([sequence(Buffer.alloc(52_000, 0x05)), FIXTURE_DER.subarray(0, 10)])));
    expect(big.length).toBeGreaterThan(64 * 1024);
    const stack = newStack();
    expect(() => new ClientVpnCertificateRevocationList(stack, 'Inline', {
      clientVpnEndpointId: ENDPOINT,
      certificateRevocationList: CertificateRevocationList.fromPem(big),
    })).toThrow(`the inline CRL is ${big.length} characters, over the 65536 an inline CRL may have (a custom resource event carries it twice on update): use CertificateRevocationList.fromFile`);
    const file = tempFile('big.pem', big);
    const crl = new ClientVpnCertificateRevocationList(stack, 'File', {
      clientVpnEndpointId: OTHER_ENDPOINT,
      certificateRevocationList: CertificateRevocationList.fromFile(file),
    });
    expect(crl.asset).toBeDefined();
  });

  test('an inline CRL that is a token fails with the fix', () => {
    const stack = newStack();
    expect(() => new ClientVpnCertificateRevocationList(stack, 'Crl', {
      clientVpnEndpointId: ENDPOINT,
      certificateRevocationList: CertificateRevocationList.fromPem(Lazy.string({ produce: () => CRL_PEM })),
    })).toThrow('the inline CRL is a token; CertificateRevocationList.fromPem needs the PEM text at synth time: read it from a file with CertificateRevocationList.fromFile');
  });

  test.each([
    ['an empty common name', [''], 'a common name is empty'],
    ['a common name of 65 characters', ['c'.repeat(65)], 'is 65 characters; a certificate common name has at most 64 characters'],
    ['a common name with trailing whitespace', ['cn '], 'common name "cn " has leading or trailing whitespace'],
    ['a control character', ['c\u0007n'], 'contains the control character U+0007 at position 1'],
    ['the same common name twice', ['b', 'a', 'b'], "common name 'b' is listed twice in terminateSessionsOf; keep one of them"],
  ])('terminateSessionsOf fails for %s', (_name, commonNames, message) => {
    const stack = newStack();
    expect(() => new ClientVpnCertificateRevocationList(stack, 'Crl', {
      clientVpnEndpointId: ENDPOINT,
      certificateRevocationList: CertificateRevocationList.fromPem(CRL_PEM),
      terminateSessionsOf: commonNames,
    })).toThrow(message);
  });

  test('the endpoint follows the rules of ClientVpnAuthorizations', () => {
    const stack = newStack();
    const crl = CertificateRevocationList.fromPem(CRL_PEM);
    expect(() => new ClientVpnCertificateRevocationList(stack, 'A', { certificateRevocationList: crl }))
      .toThrow(/give exactly one of clientVpnEndpoint \(an ec2.IClientVpnEndpoint\) and clientVpnEndpointId/);
    expect(() => new ClientVpnCertificateRevocationList(stack, 'B', { clientVpnEndpointId: 'cvpn-1', certificateRevocationList: crl }))
      .toThrow("clientVpnEndpointId 'cvpn-1' is not a Client VPN endpoint id");
  });
});

describe('ClientVpnCertificateRevocationList: cdk-nag', () => {
  test('AwsSolutions finds nothing unsuppressed for a CRL file', () => {
    const stack = newStack();
    new ClientVpnCertificateRevocationList(stack, 'Crl', {
      clientVpnEndpointId: ENDPOINT,
      certificateRevocationList: CertificateRevocationList.fromFile(CRL_FILE),
      terminateSessionsOf: ['laptop-alice.vpn.example.com'],
    });
    Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }));
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect([...errors, ...warnings].map(m => `${m.id}: ${m.entry.data}`)).toEqual([]);
  });
});
