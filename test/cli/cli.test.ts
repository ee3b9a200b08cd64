/**
 * Runs the built CLI (assets/cli/index/index.js) as a user would, against the
 * simulated EC2 endpoint. The child runs asynchronously: the simulated
 * endpoint lives in this process and must keep answering.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
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
