/**
 * Runs the built CLI (assets/cli/index/index.js) as a user would, against the
 * simulated EC2 endpoint. The child runs asynchronously: the simulated
 * endpoint lives in this process and must keep answering.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AppSpec, synthApp, tmpDir } from './support/apps';
import { SimulatedEc2 } from './support/simulated-ec2';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'assets', 'cli', 'index', 'index.js');
const EP = 'cvpn-endpoint-0123456789abcdef0';

let sim: SimulatedEc2;
let url: string;

interface Result { code: number | null; stdout: string; stderr: string }

function run(args: string[], env: Record<string, string | undefined> = {}): Promise<Result> {
  const baseEnv: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'eu-west-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_EC2: url,
    ...env,
  };
  return new Promise(resolve => {
    const child = spawn('node', [BIN, ...args], { env: baseEnv as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', d => stdout += d);
    child.stderr.on('data', d => stderr += d);
    child.on('close', code => resolve({ code, stdout, stderr }));
  });
}

function seed(n: number, username = 'alice'): void {
  sim.connections.set(EP, Array.from({ length: n }, (_, i) => ({
    id: `cvpn-connection-${String(i).padStart(17, '0')}`,
    username: i % 2 === 0 ? username : 'bob',
    commonName: i % 2 === 0 ? 'alice.example.com' : 'bob.example.com',
    clientIp: `10.0.0.${i + 2}`,
    status: i === 1 ? 'terminated' : 'active',
  })));
}

beforeAll(async () => {
  const build = spawnSync('npx', ['projen', 'bundle:cli/index'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`bundle failed: ${build.stderr}`);
  sim = new SimulatedEc2();
  url = await sim.start();
}, 120_000);
afterAll(() => sim.stop());
beforeEach(() => {
  sim.calls.length = 0; sim.throttleNext = 0; sim.accessDenied = false; sim.pageSize = 3; seed(8);
});

test('sessions lists every page', async () => {
  const r = await run(['sessions', EP]);
  expect(r.code).toBe(0);
  expect(r.stdout.trim().split('\n')).toHaveLength(9);
  expect(sim.calls.filter(c => c.action === 'DescribeClientVpnConnections')).toHaveLength(3);
});

test('filters: status, username (server-side), common name', async () => {
  expect((await run(['sessions', EP, '--status', 'terminated'])).stdout).toContain('cvpn-connection-00000000000000001');
  expect((await run(['sessions', EP, '--status', 'terminated'])).stdout.trim().split('\n')).toHaveLength(2);
  const u = await run(['sessions', EP, '--username', 'bob', '--format', 'json']);
  expect(JSON.parse(u.stdout).map((c: any) => c.username)).toEqual(['bob', 'bob', 'bob', 'bob']);
  expect(sim.calls.some(c => c.params['Filter.1.Name'] === 'username')).toBe(true);
  const cn = await run(['sessions', EP, '--common-name', 'alice.example.com', '--format', 'csv']);
  expect(cn.stdout.trim().split('\n')).toHaveLength(5);
  expect(cn.stdout.split('\n')[0]).toBe('connection_id,user,client_ip,established,status,bytes_in,bytes_out,packets_in,packets_out');
});

test('unknown endpoint exits 1 naming it', async () => {
  const r = await run(['sessions', 'cvpn-endpoint-nope']);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/unknown Client VPN endpoint cvpn-endpoint-nope/);
  expect(r.stderr).not.toMatch(/ at /);
});

test('access denied', async () => {
  sim.accessDenied = true;
  const r = await run(['sessions', EP]);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/access denied.*UnauthorizedOperation/);
});

test('throttled twice then succeeds', async () => {
  sim.throttleNext = 2;
  const r = await run(['sessions', EP]);
  expect(r.code).toBe(0);
  expect(r.stdout.trim().split('\n')).toHaveLength(9);
});

test('no credentials', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
  fs.writeFileSync(path.join(dir, 'c'), '');
  const r = await run(['sessions', EP], {
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_CONFIG_FILE: path.join(dir, 'c'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'c'),
    HOME: dir,
  });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/no AWS credentials/);
});

test('--profile: credentials and Region come from the named profile of the shared files', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
  fs.writeFileSync(path.join(dir, 'config'), '[default]\nregion = us-west-2\n\n[profile prod]\nregion = eu-central-1\n');
  fs.writeFileSync(path.join(dir, 'credentials'), [
    '[default]', 'aws_access_key_id = AKIDDEFAULTEXAMPLE', 'aws_secret_access_key = default-secret', '',
    '[prod]', 'aws_access_key_id = AKIDPRODEXAMPLE', 'aws_secret_access_key = prod-secret', '',
  ].join('\n'));
  const env = {
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_REGION: undefined,
    AWS_CONFIG_FILE: path.join(dir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials'),
    HOME: dir,
  };
  const r = await run(['sessions', EP, '--profile', 'prod'], env);
  expect(r.code).toBe(0);
  const signed = sim.calls.map(c => c.authorization ?? '');
  expect(signed.length).toBeGreaterThan(0);
  for (const a of signed) {
    expect(a).toMatch(/Credential=AKIDPRODEXAMPLE\/\d{8}\/eu-central-1\/ec2\/aws4_request/);
  }
  expect(r.stdout + r.stderr).not.toContain('prod-secret');

  // --region beats the profile's Region; a profile that does not exist is named in the error.
  sim.calls.length = 0;
  expect((await run(['sessions', EP, '--profile', 'prod', '--region', 'eu-west-3'], env)).code).toBe(0);
  expect(sim.calls[0].authorization).toMatch(/\/eu-west-3\/ec2\//);
  const missing = await run(['sessions', EP, '--profile', 'nope'], env);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/unknown AWS profile 'nope': no \[profile nope\] in .*config and no \[nope\] in .*credentials/);
  expect(missing.stderr).not.toMatch(/ at /);
});

/**
 * Runs the CLI on a pseudo-terminal (util-linux `script`), so that stdin is a
 * TTY as for a person at a shell, and types `answer` once the prompt shows.
 */
function runOnTerminal(args: string[], answer: string): Promise<Result & { prompted: boolean }> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    TERM: 'dumb',
    NO_COLOR: '1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'eu-west-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_EC2: url,
  };
  const command = ['node', BIN, ...args].map(a => `'${a.replace(/'/g, '\'\\\'\'')}'`).join(' ');
  return new Promise(resolve => {
    const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let prompted = false;
    child.stdout.on('data', d => {
      stdout += d;
      if (!prompted && stdout.includes('[y/N]')) {
        prompted = true;
        child.stdin.write(`${answer}\r`);
      }
    });
    child.stderr.on('data', d => stderr += d);
    child.on('close', code => resolve({ code, stdout, stderr, prompted }));
  });
}

test('terminate on a terminal asks first: "y" ends the sessions, anything else ends none', async () => {
  const no = await runOnTerminal(['terminate', EP, '--username', 'alice'], 'n');
  expect(no.prompted).toBe(true);
  expect(no.stdout).toContain('Terminate 4 sessions? [y/N]');
  expect(no.stdout).toContain('Nothing ended.');
  expect(no.code).toBe(0);
  expect(sim.calls.filter(c => c.action === 'TerminateClientVpnConnections')).toHaveLength(0);

  const yes = await runOnTerminal(['terminate', EP, '--username', 'alice'], 'y');
  expect(yes.prompted).toBe(true);
  expect(yes.code).toBe(0);
  const calls = sim.calls.filter(c => c.action === 'TerminateClientVpnConnections');
  expect(calls).toHaveLength(1);
  expect(calls[0].params.Username).toBe('alice');
  expect(yes.stdout).toMatch(/cvpn-connection-0+\s+active\s+terminating/);
}, 30_000);

test('terminate --dry-run and no TTY without --yes end nothing', async () => {
  const d = await run(['terminate', EP, '--username', 'alice', '--dry-run']);
  expect(d.code).toBe(0);
  expect(d.stdout).toMatch(/Dry run: 4 sessions/);
  const n = await run(['terminate', EP, '--username', 'alice']);
  expect(n.code).toBe(1);
  expect(n.stderr).toMatch(/--yes/);
  expect(sim.calls.filter(c => c.action === 'TerminateClientVpnConnections')).toHaveLength(0);
});

test('terminate --yes by username (<= 5): one call by username', async () => {
  const r = await run(['terminate', EP, '--username', 'alice', '--yes']);
  expect(r.code).toBe(0);
  const t = sim.calls.filter(c => c.action === 'TerminateClientVpnConnections');
  expect(t).toHaveLength(1);
  expect(t[0].params.Username).toBe('alice');
  expect(r.stdout.match(/active\s+terminating/g)).toHaveLength(4);
});

test('terminate --yes with 7 sessions: one call per connection id', async () => {
  seed(14);
  const r = await run(['terminate', EP, '--username', 'alice', '--yes']);
  expect(r.code).toBe(0);
  const t = sim.calls.filter(c => c.action === 'TerminateClientVpnConnections');
  expect(t).toHaveLength(7);
  expect(t.every(c => c.params.ConnectionId && !c.params.Username)).toBe(true);
});

test('--help, --version, unknown option', async () => {
  expect((await run(['terminate', '--help'])).stdout).toContain('Examples:');
  const v = await run(['--version']);
  expect(v.code).toBe(0);
  expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  const u = await run(['sessions', EP, '--bogus']);
  expect(u.code).toBe(1);
  expect(u.stderr).toMatch(/unknown option/);
  expect(u.stderr).not.toMatch(/ at /);
});

// ---------------------------------------------------------------------------
// report, diff, check: on assemblies synthesized from pairs of small apps.
// ---------------------------------------------------------------------------

const A8 = { cidr: '10.0.0.0/8', groupId: 'A' };
const assemblies = new Map<string, string>();
/** Each app synthesized once per run, by name. */
function app(name: string, spec: AppSpec): string {
  if (!assemblies.has(name)) assemblies.set(name, synthApp(spec));
  return assemblies.get(name)!;
}
const narrowApp = () => app('narrow', { rules: [{ cidr: '10.0.0.0/24', groupId: 'A' }] });
const wideApp = () => app('wide', { rules: [{ cidr: '10.0.0.0/24', groupId: 'A' }, { cidr: '10.0.1.0/24', groupId: 'A' }] });
const baseApp = () => app('base', { rules: [A8], ingress: [['10.0.0.0/8', 443]] });
const shadowApp = () => app('shadow', { rules: [A8, { cidr: '10.0.0.0/16', groupId: 'B' }], ingress: [['10.0.0.0/8', 443]] });
const openApp = () => app('open', { rules: [A8], ingress: [['10.0.0.0/8', 443], ['0.0.0.0/0', 22]] });
const suppressedApp = () => app('suppressed', { rules: [A8], ingress: [['10.0.0.0/8', 443], ['0.0.0.0/0', 22]], suppressOpenIngress: true });
const renamedOpenApp = () => app('renamed-open', {
  stackName: 'RenamedNetwork', idPrefix: 'Renamed', rules: [A8], ingress: [['10.0.0.0/8', 443], ['0.0.0.0/0', 22]],
});
const unnamedApp = () => app('unnamed', { rules: [A8], ingress: [['10.0.0.0/8', 443]], unnamed: true });
const unnamedRenamedApp = () => app('unnamed-renamed', { idPrefix: 'Renamed', rules: [A8], ingress: [['10.0.0.0/8', 443]], unnamed: true });
const unnamedRenamedWiderApp = () => app('unnamed-renamed-wider', {
  idPrefix: 'Renamed', rules: [A8], ingress: [['10.0.0.0/8', 443], ['10.0.0.0/8', 22]], unnamed: true,
});

function writeTmp(name: string, text: string): string {
  const file = path.join(tmpDir(), name);
  fs.writeFileSync(file, text);
  return file;
}

describe('report', () => {
  test('table: who reaches what, per stack', async () => {
    const r = await run(['report', baseApp()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Client VPN endpoint client-vpn:10\.100\.0\.0\/16/);
    expect(r.stdout).toMatch(/group A\s+10\.0\.0\.0\/16\s+10\.0\.0\.0\/8/);
    expect(r.stdout).toMatch(/10\.0\.0\.0\/8\s+tcp\s+443/);
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });

  test('json is the report; a report.json is accepted in place of cdk.out', async () => {
    const r = await run(['report', baseApp(), '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.schemaVersion).toBe(1);
    expect(report.stacks[0].clientVpnEndpoints[0].principals.find((p: any) => p.principal === 'A').reachable).toEqual(['10.0.0.0/16']);
    const file = writeTmp('report.json', r.stdout);
    const again = await run(['report', file, '--format', 'json']);
    expect(again.stdout).toBe(r.stdout);
  });

  test('markdown is the review\'s rendering', async () => {
    const r = await run(['report', baseApp(), '--format', 'markdown']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^#/);
    expect(r.stdout).toContain('10.0.0.0/16');
    expect(r.stdout).toContain('|');
  });
});

describe('diff', () => {
  test('widen: gained CIDRs, exit 2; --fail-on widened exits 3', async () => {
    const r = await run(['diff', narrowApp(), wideApp(), '--format', 'json']);
    expect(r.code).toBe(2);
    const d = JSON.parse(r.stdout);
    expect(d.changes).toEqual([expect.objectContaining({
      kind: 'client-vpn', entity: 'client-vpn:10.100.0.0/16', subject: 'A', class: 'widened', gained: ['10.0.1.0/24'], lost: [],
    })]);
    expect((await run(['diff', narrowApp(), wideApp(), '--fail-on', 'widened'])).code).toBe(3);
  });

  test('narrow: lost CIDRs, exit 2 even with --fail-on widened', async () => {
    const r = await run(['diff', wideApp(), narrowApp(), '--fail-on', 'widened']);
    expect(r.code).toBe(2);
    expect(r.stdout.split('\n')[0]).toBe('Network access: 0 widened, 1 narrowed, 0 moved; findings: 0 introduced, 0 resolved.');
    expect(r.stdout).toMatch(/NARROWED Client VPN client-vpn:10\.100\.0\.0\/16, group A/);
    expect(r.stdout).toMatch(/- 10\.0\.1\.0\/24/);
  });

  test('shadow: a /16 for group B under A\'s /8 is a loss through shadowing naming the new rule', async () => {
    const r = await run(['diff', baseApp(), shadowApp(), '--format', 'json']);
    expect(r.code).toBe(2);
    const d = JSON.parse(r.stdout);
    const a = d.changes.find((c: any) => c.subject === 'A');
    expect(a).toMatchObject({ class: 'narrowed', lost: ['10.0.0.0/16'] });
    expect(a.shadowedBy).toEqual([expect.objectContaining({ cidr: '10.0.0.0/16', principal: 'B', lost: ['10.0.0.0/16'] })]);
    expect(a.shadowedBy[0].constructPath).toMatch(/^Network\/Access/);
    expect(d.changes.find((c: any) => c.subject === 'B')).toMatchObject({ class: 'widened', gained: ['10.0.0.0/16'] });
    expect(d.findingsIntroduced.map((f: any) => f.ruleId)).toEqual(['NA-CVPN-SHADOWED']);
    const m = await run(['diff', baseApp(), shadowApp(), '--format', 'markdown']);
    expect(m.stdout.split('\n')[0]).toBe('**Network access: 1 widened, 1 narrowed, 0 moved; findings: 1 introduced, 0 resolved.**');
    expect(m.stdout).toMatch(/group A on `client-vpn:10\.100\.0\.0\/16`: 10\.0\.0\.0\/16 lost through shadowing: the more specific rule 10\.0\.0\.0\/16 for group B/);
    expect(m.stdout).toContain('#### Stack `Network`');
  });

  test('rename-only (stack and construct ids): no change, exit 0, findings matched across the rename', async () => {
    const r = await run(['diff', openApp(), renamedOpenApp()]);
    // The endpoint's own security group is unnamed: matched by its (empty) access.
    expect(r.stdout.trim()).toBe('Network access: no change.\nRENAMED security group security-group:Vpc/Endpoint/SecurityGroup is now '
      + 'security-group:RenamedVpc/RenamedEndpoint/SecurityGroup (stack RenamedNetwork): unnamed, matched by identical access, no change');
    expect(r.code).toBe(0);
    const m = await run(['diff', openApp(), renamedOpenApp(), '--format', 'markdown', '--fail-on', 'low']);
    expect(m.code).toBe(0);
  });

  test('an unnamed security group renamed with the same access: RENAMED, no change, exit 0; with more access: a change', async () => {
    const r = await run(['diff', unnamedApp(), unnamedRenamedApp()]);
    expect(r.stdout.split('\n')).toEqual([
      'Network access: no change.',
      'RENAMED security group security-group:Bastion is now security-group:RenamedBastion (stack Network): unnamed, matched by identical access, no change',
      'RENAMED security group security-group:Vpc/Endpoint/SecurityGroup is now security-group:RenamedVpc/RenamedEndpoint/SecurityGroup (stack Network): '
        + 'unnamed, matched by identical access, no change',
      '',
    ]);
    expect(r.code).toBe(0);
    const m = await run(['diff', unnamedApp(), unnamedRenamedApp(), '--format', 'markdown']);
    expect(m.stdout).toContain('- Renamed: security group security-group:Bastion is now security-group:RenamedBastion');
    const wider = await run(['diff', unnamedApp(), unnamedRenamedWiderApp(), '--format', 'json']);
    expect(wider.code).toBe(2);
    const d = JSON.parse(wider.stdout);
    // Bastion is not paired (its access grew); the endpoint's group still is.
    expect(d.renamed.map((x: any) => x.from)).toEqual(['security-group:Vpc/Endpoint/SecurityGroup']);
    expect(d.changes.map((c: any) => [c.entity, c.class])).toEqual([
      ['security-group:Bastion', 'narrowed'], ['security-group:RenamedBastion', 'widened'],
    ]);
  });

  test('add a finding: introduced, --fail-on high exits 3, --fail-on critical does not', async () => {
    const r = await run(['diff', baseApp(), openApp(), '--format', 'json']);
    expect(r.code).toBe(2);
    const d = JSON.parse(r.stdout);
    expect(d.findingsIntroduced).toEqual([expect.objectContaining({ ruleId: 'NA-SG-OPEN-INGRESS', severity: 'high' })]);
    expect(d.changes).toEqual([expect.objectContaining({
      kind: 'security-group', entity: 'security-group:bastion', subject: '0.0.0.0/0 tcp', gained: ['22'], class: 'widened',
    })]);
    expect((await run(['diff', baseApp(), openApp(), '--fail-on', 'high'])).code).toBe(3);
    expect((await run(['diff', baseApp(), openApp(), '--fail-on', 'critical'])).code).toBe(2);
  });

  test('suppress it: the finding is resolved as suppressed, with its reason', async () => {
    const r = await run(['diff', openApp(), suppressedApp(), '--format', 'json']);
    expect(r.code).toBe(2);
    const d = JSON.parse(r.stdout);
    expect(d.changes).toEqual([]);
    expect(d.findingsResolved).toEqual([expect.objectContaining({
      ruleId: 'NA-SG-OPEN-INGRESS', suppressedReason: 'bastion behind a port knock, accepted by security',
    })]);
    const t = await run(['diff', openApp(), suppressedApp()]);
    expect(t.stdout).toMatch(/FINDING RESOLVED high NA-SG-OPEN-INGRESS.*\[suppressed: bastion behind a port knock/);
  });
});

describe('check', () => {
  const intentYaml = `version: 1
assertions:
  - name: group A never reaches the database subnet
    never: { principal: A, reaches: 10.0.0.0/24 }
  - noIngress: { from: 0.0.0.0/0, port: 22 }
  - onlyPrincipals: { reach: 10.0.0.0/16, principals: [A] }
  - noRuleCoveringVpc: { vpcCidr: 10.0.0.0/16 }
`;

  test('failures print a counterexample (address, group, port) and the rule causing it; exit 3', async () => {
    const intent = writeTmp('intent.yaml', intentYaml);
    const r = await run(['check', shadowApp(), '--intent', intent]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/PASS group A never reaches the database subnet/);
    expect(r.stdout).toMatch(/PASS nothing from 0\.0\.0\.0\/0 reaches tcp port 22/);
    expect(r.stdout).toMatch(/FAIL only A reach 10\.0\.0\.0\/16\n {2}group B reaches 10\.0\.0\.0 \(any port\) on client-vpn:10\.100\.0\.0\/16 in stack Network: rule 10\.0\.0\.0\/16 for group B at Network\/Access/);
    expect(r.stdout).toMatch(/FAIL no rule covers 10\.0\.0\.0\/16\n(.*\n)* {2}group A is authorized to all of 10\.0\.0\.0\/16 on client-vpn:10\.100\.0\.0\/16 in stack Network: rule 10\.0\.0\.0\/8 for group A at Network\/Access/);
    expect(r.stdout).toMatch(/2 of 4 assertions hold/);
  });

  test('a group that reaches it fails never with the address; ingress from anywhere on 22 fails noIngress', async () => {
    const intent = writeTmp('intent.json', JSON.stringify({
      version: 1,
      assertions: [
        { never: { principal: 'A', reaches: '10.0.5.0/24' } },
        { noIngress: { from: '0.0.0.0/0', port: 22 } },
      ],
    }));
    const r = await run(['check', openApp(), '--intent', intent]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/FAIL A never reaches 10\.0\.5\.0\/24\n {2}group A reaches 10\.0\.5\.0 /);
    expect(r.stdout).toMatch(/FAIL nothing from 0\.0\.0\.0\/0 reaches tcp port 22\n {2}0\.0\.0\.0 reaches security-group:bastion on port 22 in stack Network: rule ingress from 0\.0\.0\.0\/0 tcp port 22 at Network\/Bastion/);
  });

  test('all pass: exit 0; --baseline fails (3) on widening, passes on narrowing', async () => {
    const intent = writeTmp('ok.yaml', 'version: 1\nassertions:\n  - never: { principal: A, reaches: 192.168.0.0/16 }\n');
    const ok = await run(['check', narrowApp(), '--intent', intent]);
    expect(ok.stdout).toMatch(/1 of 1 assertions hold/);
    expect(ok.code).toBe(0);
    const baselineJson = writeTmp('baseline.json', (await run(['report', narrowApp(), '--format', 'json'])).stdout);
    const widened = await run(['check', wideApp(), '--intent', intent, '--baseline', baselineJson]);
    expect(widened.code).toBe(3);
    expect(widened.stdout).toMatch(/FAIL nothing widened against .*baseline\.json\n {2}Client VPN client-vpn:10\.100\.0\.0\/16, group A gained 10\.0\.1\.0\/24/);
    expect((await run(['check', narrowApp(), '--intent', intent, '--baseline', wideApp()])).code).toBe(0);
  });
});

describe('malformed input exits 1 with one line naming it', () => {
  function expectUserError(r: Result, pattern: RegExp): void {
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }

  test('not a directory (missing path, a text file)', async () => {
    expectUserError(await run(['report', '/nonexistent/cdk.out']), /\/nonexistent\/cdk\.out: no such file or directory/);
    const txt = writeTmp('notes.txt', 'hello');
    expectUserError(await run(['diff', txt, baseApp()]), new RegExp(`${txt}: not a cloud assembly directory and not a JSON report`));
  });

  test('not an assembly (a directory without manifest.json)', async () => {
    const dir = tmpDir();
    const r = await run(['report', dir]);
    expectUserError(r, new RegExp(dir));
  });

  test('a report of an unknown schema version', async () => {
    const file = writeTmp('future.json', JSON.stringify({ schemaVersion: 99, stacks: [], findings: [], suppressed: [] }));
    expectUserError(await run(['diff', file, baseApp()]), new RegExp(`${file}: report schemaVersion 99 is not supported`));
  });

  test('an intent file that does not parse, and one that breaks the schema', async () => {
    const bad = writeTmp('bad.yaml', 'version: 1\nassertions: [ { never: \n');
    expectUserError(await run(['check', baseApp(), '--intent', bad]), new RegExp(`${bad}: the intent file does not parse`));
    const wrong = writeTmp('wrong.yaml', 'version: 1\nassertions:\n  - never: { principal: A }\n');
    expectUserError(await run(['check', baseApp(), '--intent', wrong]), new RegExp(`${wrong}: not a valid intent file`));
  });

  test('--help of every review command has examples and exit codes', async () => {
    for (const cmd of ['report', 'diff', 'check']) {
      const r = await run([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Examples:');
      expect(r.stdout).toContain('Exit codes:');
    }
  });
});
