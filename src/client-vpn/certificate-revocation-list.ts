import { createHash } from 'crypto';
import * as fs from 'fs';
import { CustomResource, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3_assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct, IConstruct } from 'constructs';
import { ClientVpnAuthorizations } from './authorizations';
import { ClientVpnRevocations } from './revocations';
import {
  CertificateRevocationListProperties,
  CLIENT_VPN_CRL_RESOURCE_TYPE,
  CLIENT_VPN_SESSIONS_SCHEMA_VERSION,
} from '../private/contract/client-vpn-sessions';
import { NetworkAccessValidationError } from '../private/errors';

/**
 * Largest inline CRL. The Provider framework hands the whole event, with the
 * old and the new properties of an update, to an asynchronous Lambda
 * invocation and to a Step Functions execution, both limited to 256 KB: two
 * copies of 64 KiB leave ample room. Larger CRLs go through a file asset.
 */
const MAX_INLINE_PEM_LENGTH = 64 * 1024;

/** A certificate revocation list in PEM, from a file or inline. */
export class CertificateRevocationList {
  /**
   * A CRL file in PEM (`-----BEGIN X509 CRL-----`), for example the output of
   * `openssl ca -gencrl`. The file is uploaded as an S3 asset and read by the
   * handler at deploy time; any size Client VPN accepts works.
   */
  public static fromFile(filePath: string): CertificateRevocationList {
    return new CertificateRevocationList(filePath, undefined);
  }

  /**
   * A CRL in PEM, inline in the template (a CRL is public data). It must be
   * known at synth time (not a token) and at most 64 KiB; use `fromFile` for
   * larger lists.
   */
  public static fromPem(pem: string): CertificateRevocationList {
    return new CertificateRevocationList(undefined, pem);
  }

  /**
   * The path of the CRL file.
   *
   * @default - undefined for an inline CRL
   */
  public readonly filePath?: string;

  /**
   * The CRL text of an inline CRL.
   *
   * @default - undefined for a CRL file
   */
  public readonly pem?: string;

  private constructor(filePath: string | undefined, pem: string | undefined) {
    this.filePath = filePath;
    this.pem = pem;
  }
}

/** Properties of `ClientVpnCertificateRevocationList`. */
export interface ClientVpnCertificateRevocationListProps {
  /**
   * The Client VPN endpoint (mutual certificate authentication) that the CRL
   * is imported into. Give exactly one of `clientVpnEndpoint` and
   * `clientVpnEndpointId`.
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
   * The certificate revocation list, validated at synth as a PEM CRL.
   *
   * @see https://docs.aws.amazon.com/vpn/latest/clientvpn-admin/cvpn-working-certificates.html
   */
  readonly certificateRevocationList: CertificateRevocationList;

  /**
   * Certificate common names whose active sessions are terminated once the
   * CRL is imported: a CRL refuses new connections of revoked certificates
   * but does not end the sessions that are up.
   *
   * List the common names of the certificates this CRL revokes (newly), as
   * they appear in the certificate subjects.
   *
   * @default - no session is terminated
   */
  readonly terminateSessionsOf?: string[];
}

/**
 * The client certificate revocation list of a Client VPN endpoint with mutual
 * certificate authentication, imported on every deploy that changes it
 * (ImportClientVpnClientCertificateRevocationList), followed by the termination of the
 * sessions of the common names listed with it.
 *
 * An endpoint holds exactly one CRL: declare one construct per endpoint. The
 * CRL is validated at synth time (PEM, base64, a DER SEQUENCE).
 *
 * Deleting the construct leaves the endpoint's last CRL in place: EC2 has no
 * API to remove a CRL (import an empty CRL from your CA to clear it). A
 * rolled-back update imports the previous CRL again.
 *
 * @resource Custom::NetworkAccessClientVpnCertificateRevocationList
 */
export class ClientVpnCertificateRevocationList extends Construct {
  /** The id of the endpoint the CRL is imported into. May be a token. */
  public readonly clientVpnEndpointId: string;

  /** The custom resource that imports the CRL. */
  public readonly resource: CustomResource;

  /** SHA-256 (hex) of the CRL's PEM text. */
  public readonly crlSha256: string;

  /**
   * The S3 asset that carries the CRL file.
   *
   * @default - undefined for an inline CRL
   */
  public readonly asset?: s3_assets.Asset;

  private readonly commonNames: string[];

  constructor(scope: Construct, id: string, props: ClientVpnCertificateRevocationListProps) {
    super(scope, id);

    const endpointId = ClientVpnAuthorizations._resolveEndpointId(this, props.clientVpnEndpoint, props.clientVpnEndpointId);
    this.clientVpnEndpointId = endpointId;
    CrlRegistry.of(Stack.of(this)).claim(this);

    const crl = props.certificateRevocationList;
    if (!crl || (crl.filePath === undefined) === (crl.pem === undefined)) {
      throw new NetworkAccessValidationError(
        'certificateRevocationList must be CertificateRevocationList.fromFile(path) or CertificateRevocationList.fromPem(text)', this);
    }
    let pem: string;
    let source: Partial<CertificateRevocationListProperties>;
    if (crl.filePath !== undefined) {
      if (Token.isUnresolved(crl.filePath)) {
        throw new NetworkAccessValidationError('the CRL file path is a token; give a path on this machine', this);
      }
      pem = readCrlFile(this, crl.filePath);
      assertPemCrl(this, pem, `file '${crl.filePath}'`);
      this.asset = new s3_assets.Asset(this, 'CrlFile', { path: crl.filePath });
      source = { CrlS3Bucket: this.asset.s3BucketName, CrlS3Key: this.asset.s3ObjectKey };
    } else {
      pem = crl.pem!;
      if (Token.isUnresolved(pem)) {
        // The construct must validate and hash the CRL at synth; a value
        // known only at deploy time could be neither.
        throw new NetworkAccessValidationError(
          'the inline CRL is a token; CertificateRevocationList.fromPem needs the PEM text at synth time: read it from a file with CertificateRevocationList.fromFile', this);
      }
      assertPemCrl(this, pem, 'inline PEM');
      if (pem.length > MAX_INLINE_PEM_LENGTH) {
        throw new NetworkAccessValidationError(
          `the inline CRL is ${pem.length} characters, over the ${MAX_INLINE_PEM_LENGTH} an inline CRL may have (a custom resource event carries it twice on update): use CertificateRevocationList.fromFile`, this);
      }
      source = { Crl: pem };
    }
    this.crlSha256 = createHash('sha256').update(pem, 'utf8').digest('hex');

    const seen = new Set<string>();
    for (const commonName of props.terminateSessionsOf ?? []) {
      ClientVpnRevocations._validatePrincipal(this, 'common name', commonName);
      if (seen.has(commonName)) {
        throw new NetworkAccessValidationError(`common name '${commonName}' is listed twice in terminateSessionsOf; keep one of them`, this);
      }
      seen.add(commonName);
    }
    this.commonNames = [...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

    const provider = ClientVpnRevocations._sessionsProvider(this);
    provider.addToRolePolicy(new iam.PolicyStatement({
      actions: [
        'ec2:ImportClientVpnClientCertificateRevocationList',
        // The handler reads the list back to confirm its import is the one in force.
        'ec2:ExportClientVpnClientCertificateRevocationList',
        'ec2:TerminateClientVpnConnections',
      ],
      resources: [ClientVpnRevocations._endpointArn(this, endpointId)],
    }));
    if (this.asset) {
      // The one object, not the whole asset bucket that Asset.grantRead opens.
      provider.addToRolePolicy(new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.asset.bucket.arnForObjects(this.asset.s3ObjectKey)],
      }));
    }

    const properties: Omit<CertificateRevocationListProperties, 'ServiceToken'> = {
      SchemaVersion: CLIENT_VPN_SESSIONS_SCHEMA_VERSION,
      ClientVpnEndpointId: endpointId,
      ...source,
      CrlSha256: this.crlSha256,
      CommonNames: this.commonNames,
    };
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: CLIENT_VPN_CRL_RESOURCE_TYPE,
      properties,
    });
    if (props.clientVpnEndpoint) {
      this.resource.node.addDependency(props.clientVpnEndpoint.targetNetworksAssociated);
    }
    ClientVpnAuthorizations._orderSessionResource(this.resource, endpointId);
  }

  /** The common names whose sessions are terminated after the import, sorted. */
  public get terminateSessionsOf(): string[] {
    return [...this.commonNames];
  }
}

function readCrlFile(scope: IConstruct, filePath: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(filePath);
  } catch (e) {
    throw new NetworkAccessValidationError(`the CRL file '${filePath}' cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}); check the path`, scope);
  }
  if (!stat.isFile()) {
    throw new NetworkAccessValidationError(`the CRL file '${filePath}' is not a file; give the path of the PEM file itself`, scope);
  }
  return fs.readFileSync(filePath, 'utf8');
}

/**
 * Throw unless `text` is exactly one PEM-encoded X.509 CRL: the armour, a
 * base64 body, and DER that is one SEQUENCE (CertificateList) whose first
 * element is a SEQUENCE (tbsCertList) and whose length matches the bytes.
 */
function assertPemCrl(scope: IConstruct, text: string, what: string): void {
  const fail = (reason: string): never => {
    throw new NetworkAccessValidationError(
      `the CRL ${what} is not a PEM certificate revocation list: ${reason}; give the PEM output of your CA (e.g. openssl ca -gencrl), which starts with '-----BEGIN X509 CRL-----'`, scope);
  };
  // PEM is ASCII (RFC 7468). A byte-order mark would also be read back
  // differently by the handler, whose hash must match ours.
  // eslint-disable-next-line no-control-regex
  const nonAscii = /[^\x00-\x7f]/.exec(text);
  if (nonAscii) {
    const code = `U+${nonAscii[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    fail(`it contains the non-ASCII character ${code}${code === 'U+FEFF' ? ' (a byte-order mark)' : ''} at position ${nonAscii.index}, and PEM is ASCII`);
  }
  const labels = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map(m => m[1]);
  if (labels.length === 0) {
    fail('it has no \'-----BEGIN X509 CRL-----\' line');
  }
  const other = labels.find(l => l !== 'X509 CRL');
  if (other !== undefined) {
    fail(`it holds a '${other}' block${other.includes('PRIVATE KEY') ? ' (a private key: never commit or deploy it)' : ''}, and a CRL file holds only the CRL`);
  }
  if (labels.length > 1) {
    fail(`it holds ${labels.length} CRLs, and an endpoint takes one`);
  }
  const match = /^\s*-----BEGIN X509 CRL-----\r?\n([\s\S]*?)-----END X509 CRL-----\s*$/.exec(text);
  if (!match) {
    fail('it has text outside the \'-----BEGIN X509 CRL-----\' ... \'-----END X509 CRL-----\' block, or no END line');
  }
  const body = match![1].replace(/\s+/g, '');
  if (body === '') {
    fail('its body is empty');
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) {
    fail('its body is not base64');
  }
  const der = Buffer.from(body, 'base64');
  const outer = derHeader(der, 0);
  if (!outer || der[0] !== 0x30) {
    fail('its DER does not begin with a SEQUENCE');
  }
  if (outer!.headerLength + outer!.length !== der.length) {
    fail(`its DER SEQUENCE declares ${outer!.length} bytes of content but ${der.length - outer!.headerLength} follow`);
  }
  if (der[outer!.headerLength] !== 0x30) {
    fail('its DER SEQUENCE does not start with the tbsCertList SEQUENCE');
  }
}

/** Tag-length header of the DER element at `offset` (definite lengths only, as DER requires). */
function derHeader(der: Buffer, offset: number): { headerLength: number; length: number } | undefined {
  if (der.length < offset + 2) {
    return undefined;
  }
  const first = der[offset + 1];
  if (first < 0x80) {
    return { headerLength: 2, length: first };
  }
  const octets = first - 0x80;
  if (octets === 0 || octets > 4 || der.length < offset + 2 + octets) {
    return undefined;
  }
  let length = 0;
  for (let i = 0; i < octets; i++) {
    length = length * 256 + der[offset + 2 + i];
  }
  return { headerLength: 2 + octets, length };
}

/** Per stack: the CRL construct of each endpoint (an endpoint holds one CRL). */
class CrlRegistry extends Construct {
  public static of(stack: Stack): CrlRegistry {
    const id = 'NetworkAccessClientVpnCrlRegistry';
    return (stack.node.tryFindChild(id) as CrlRegistry | undefined) ?? new CrlRegistry(stack, id);
  }

  private readonly byEndpoint = new Map<string, ClientVpnCertificateRevocationList>();

  public claim(crl: ClientVpnCertificateRevocationList): void {
    const first = this.byEndpoint.get(crl.clientVpnEndpointId);
    if (first) {
      const endpoint = Token.isUnresolved(crl.clientVpnEndpointId) ? `the endpoint of ${first.node.path}` : crl.clientVpnEndpointId;
      throw new NetworkAccessValidationError(
        `${endpoint} already has a certificate revocation list, declared by ${first.node.path}; an endpoint holds one CRL, and a second import would replace the first: put every revoked certificate in one CRL`, crl);
    }
    this.byEndpoint.set(crl.clientVpnEndpointId, crl);
  }
}
