/**
 * A simulated EC2 endpoint for the CLI tests: an http server on 127.0.0.1
 * (port 0) speaking the EC2 Query protocol for DescribeClientVpnConnections
 * and TerminateClientVpnConnections, keeping state (active -> terminating),
 * with pages of a configurable size and injectable errors.
 */
import * as http from 'http';
import { AddressInfo } from 'net';

const NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

export interface SimulatedConnection {
  id: string;
  username?: string;
  commonName?: string;
  clientIp: string;
  status: string;
}

export interface Call {
  action: string;
  params: Record<string, string>;
  /** The SigV4 Authorization header: names the access key id and the Region the request was signed for. */
  authorization?: string;
}

export class SimulatedEc2 {
  public readonly connections = new Map<string, SimulatedConnection[]>();
  public readonly calls: Call[] = [];
  public pageSize = 3;
  public throttleNext = 0;
  public accessDenied = false;
  private server?: http.Server;

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', d => body += d);
      req.on('end', () => {
        const params = Object.fromEntries(new URLSearchParams(body));
        this.calls.push({ action: params.Action, params, authorization: req.headers.authorization });
        const [status, xml] = this.handle(params);
        res.writeHead(status, { 'content-type': 'text/xml' });
        res.end(xml);
      });
    });
    await new Promise<void>(r => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise(r => this.server?.close(r));
  }

  private error(code: string, message: string): [number, string] {
    return [400, `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>req-1</RequestID></Response>`];
  }

  private handle(p: Record<string, string>): [number, string] {
    if (this.throttleNext > 0) {
      this.throttleNext--;
      return this.error('RequestLimitExceeded', 'Request limit exceeded.');
    }
    if (this.accessDenied) {
      return this.error('UnauthorizedOperation', 'You are not authorized to perform this operation.');
    }
    const conns = this.connections.get(p.ClientVpnEndpointId);
    if (!conns) {
      return this.error('InvalidClientVpnEndpointId.NotFound', `The Client VPN endpoint ID '${p.ClientVpnEndpointId}' does not exist`);
    }
    if (p.Action === 'DescribeClientVpnConnections') {
      const filters: Record<string, string[]> = {};
      for (let i = 1; p[`Filter.${i}.Name`]; i++) {
        const vals: string[] = [];
        for (let j = 1; p[`Filter.${i}.Value.${j}`]; j++) vals.push(p[`Filter.${i}.Value.${j}`]);
        filters[p[`Filter.${i}.Name`]] = vals;
      }
      const matching = conns.filter(c => (!filters.username || filters.username.includes(c.username ?? ''))
        && (!filters['connection-id'] || filters['connection-id'].includes(c.id)));
      const start = Number(p.NextToken ?? 0);
      const page = matching.slice(start, start + this.pageSize);
      const next = start + this.pageSize < matching.length ? `<nextToken>${start + this.pageSize}</nextToken>` : '';
      const items = page.map(c => `<item><clientVpnEndpointId>${p.ClientVpnEndpointId}</clientVpnEndpointId><connectionId>${c.id}</connectionId>`
        + (c.username ? `<username>${c.username}</username>` : '') + (c.commonName ? `<commonName>${c.commonName}</commonName>` : '')
        + `<clientIp>${c.clientIp}</clientIp><connectionEstablishedTime>2026-12-07 05:00:00</connectionEstablishedTime>`
        + '<ingressBytes>1000</ingressBytes><egressBytes>2000</egressBytes><ingressPackets>10</ingressPackets><egressPackets>20</egressPackets>'
        + `<status><code>${c.status}</code></status></item>`).join('');
      return [200, `<DescribeClientVpnConnectionsResponse xmlns="${NS}"><requestId>r</requestId><connections>${items}</connections>${next}</DescribeClientVpnConnectionsResponse>`];
    }
    if (p.Action === 'TerminateClientVpnConnections') {
      const targets = conns.filter(c => c.status === 'active' && (p.Username ? c.username === p.Username : c.id === p.ConnectionId));
      if (p.Username && targets.length > 5) {
        return this.error('InvalidParameterValue', 'More than five connections for the user');
      }
      const items = targets.map(c => {
        c.status = 'terminating';
        return `<item><connectionId>${c.id}</connectionId><previousStatus><code>active</code></previousStatus><currentStatus><code>terminating</code></currentStatus></item>`;
      }).join('');
      return [200, `<TerminateClientVpnConnectionsResponse xmlns="${NS}"><requestId>r</requestId><clientVpnEndpointId>${p.ClientVpnEndpointId}</clientVpnEndpointId><connectionStatuses>${items}</connectionStatuses></TerminateClientVpnConnectionsResponse>`];
    }
    return this.error('InvalidAction', p.Action);
  }
}
