/**
 * The benchmarks, in one run: `npx projen bench` (which first runs
 * `npx projen bundle`, then this file with ts-node). Prints the tables and
 * writes them to bench/results.md.
 *
 * Not a test: nothing here fails on a slow number. Each target is reported as
 * met or not, from comparisons made within this run (DESIGN.md section 8).
 *
 *   (a) synth.ts           synth time and resource count, ours vs aws-cdk-lib
 *   (b) api-calls.ts       mutating calls of an Update against the simulated endpoint
 *   (c) handler-assets.ts  bundle size and module load time
 *   (d) terminations.ts    ending N Client VPN sessions against the simulated endpoint
 *   (e) site-to-site-synth.ts  synth of 20 site-to-site VPN connections, ours vs aws-cdk-lib
 *   (f) cache-security-group-ingress.ts  200 cache ingress pairs: synth vs the L1, and calls per Update
 *   (i) review.ts          synth with the network access review against without it; effective-access analysis time
 *   (g, h) cli.ts          the CLI: diff of two 5,000-grant assemblies; sessions over 10,000 connections
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { measureUpdates, updateScenarios, updateTable, updateTargets } from './api-calls';
import { cacheIngressTables, cacheIngressTargets, measureCacheIngressCalls, measureCacheIngressSynth } from './cache-security-group-ingress';
import { cliTables, measureCli } from './cli';
import { assetTable, measureAssets } from './handler-assets';
import { measureReview, reviewTables, reviewTargets } from './review';
import { siteToSiteSynthTable } from './site-to-site-synth';
import { elapsedMs } from './stats';
import { measureSynth, synthTable, synthTargets } from './synth';
import { renderTable, Table } from './table';
import { renderTargets, TargetCheck } from './targets';
import { measureTerminations, terminationsTable, terminationTargets } from './terminations';

const ROOT = path.resolve(__dirname, '..');
const RESULTS_FILE = path.join(__dirname, 'results.md');
const WORK_DIR = path.join(__dirname, '.work');
const COMMAND = '`npx projen bench` (runs `npx projen bundle`, then `ts-node --project tsconfig.dev.json bench/run.ts`)';

const SYNTH = {
  shapes: [
    { endpoints: 1, rulesPerEndpoint: 10 },
    { endpoints: 10, rulesPerEndpoint: 50 },
    { endpoints: 1, rulesPerEndpoint: 500 },
    { endpoints: 12, rulesPerEndpoint: 50 },
  ],
  warmup: 5,
  repetitions: 25,
  workDir: path.join(WORK_DIR, 'synth'),
};

const SITE_TO_SITE = {
  connections: 20,
  warmup: 3,
  repetitions: 15,
  workDir: path.join(WORK_DIR, 'site-to-site'),
};

const CACHE_INGRESS = {
  groups: 10,
  pairsPerGroup: 20,
  warmup: 3,
  repetitions: 15,
  workDir: path.join(WORK_DIR, 'cache-ingress'),
  ks: [1, 2, 5, 10, 20],
  setSize: 20,
};

const REVIEW = {
  stacks: 20,
  rulesPerStack: 125,
  ingressPerStack: 125,
  groups: 100,
  repetitions: 3,
  workDir: path.join(WORK_DIR, 'review'),
};

const CLI = {
  entities: 50,
  perEntity: 50,
  changed: 5,
  repetitions: 5,
  connections: 10_000,
  pageSize: 1000,
  workDir: path.join(WORK_DIR, 'cli'),
};

const ASSETS = {
  assetsDir: path.join(ROOT, 'assets', 'lambda'),
  runs: 20,
  warmup: 3,
  node: process.execPath,
};

function command(file: string, args: string[]): string {
  try {
    return execFileSync(file, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function machineFacts(): string[] {
  const cpus = os.cpus();
  const cdkVersion = (JSON.parse(fs.readFileSync(require.resolve('aws-cdk-lib/package.json'), 'utf8')) as { version: string }).version;
  const load = os.loadavg().map(x => x.toFixed(2)).join(' ');
  const dirty = command('git', ['status', '--porcelain']) === '' ? '' : ' (working tree has uncommitted changes)';
  return [
    `Date: ${new Date().toISOString()}`,
    `\`node --version\`: ${command('node', ['--version'])}`,
    `CPUs: ${cpus.length} x ${cpus[0]?.model.trim() ?? 'unknown'}; memory ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; ${os.type()} ${os.release()} ${os.arch()}`,
    `Load average when the run started (1/5/15 min): ${load}`,
    `aws-cdk-lib ${cdkVersion}; commit ${command('git', ['rev-parse', '--short', 'HEAD'])}${dirty}`,
    `Command: ${COMMAND}`,
  ];
}

function section(name: string): void {
  process.stderr.write(`bench: ${name}...\n`);
}

async function main(): Promise<void> {
  const started = process.hrtime.bigint();
  // The handler's SDK client reads the region when created; its calls never leave the process.
  process.env.AWS_REGION = process.env.AWS_REGION ?? 'us-east-1';
  const machine = machineFacts();

  section('(a) synth');
  const synth = measureSynth(SYNTH);
  section('(b) mutating API calls');
  const updates = await measureUpdates(updateScenarios());
  section('(c) handler bundles');
  const assets = measureAssets(ASSETS);
  section('(d) session terminations');
  const terminations = await measureTerminations();
  section('(e) site-to-site VPN synth');
  const siteToSite = await siteToSiteSynthTable(SITE_TO_SITE);
  section('(f) cache security group ingress');
  const cacheSynth = measureCacheIngressSynth(CACHE_INGRESS);
  const cacheCalls = await measureCacheIngressCalls(CACHE_INGRESS);
  section('(i) network access review');
  const review = measureReview(REVIEW);
  section('(g, h) command-line tool');
  const cli = await measureCli(CLI);
  fs.rmSync(CACHE_INGRESS.workDir, { recursive: true, force: true });
  fs.rmSync(SYNTH.workDir, { recursive: true, force: true });
  fs.rmSync(SITE_TO_SITE.workDir, { recursive: true, force: true });

  const tables: Table[] = [
    synthTable(synth, SYNTH),
    updateTable(updates),
    assetTable(assets, ASSETS, ROOT),
    terminationsTable(terminations),
    siteToSite,
    ...cacheIngressTables(cacheSynth, cacheCalls, CACHE_INGRESS),
    ...reviewTables(review, REVIEW),
    ...cliTables(cli, CLI),
  ];
  const targets: TargetCheck[] = [
    ...synthTargets(synth), ...updateTargets(updates), ...terminationTargets(terminations), ...cacheIngressTargets(cacheSynth, cacheCalls),
    ...reviewTargets(review),
  ];
  const seconds = elapsedMs(started) / 1000;

  const report = [
    '# cdk-network-access benchmarks',
    '',
    'Generated by `bench/run.ts`; do not edit by hand. Times are from this run on this machine:',
    'compare the ratios, not the absolute numbers.',
    '',
    ...machine.map(fact => `- ${fact}`),
    `- Duration: ${seconds.toFixed(1)} s measuring, ${process.uptime().toFixed(1)} s in the ts-node process (the bundle step before it is not included)`,
    '',
    '## Targets',
    '',
    renderTargets(targets),
    '',
    '## Results',
    '',
    tables.map(renderTable).join('\n\n'),
    '',
  ].join('\n');

  process.stdout.write(`${report}\n`);
  fs.writeFileSync(RESULTS_FILE, report);
  process.stderr.write(`bench: wrote ${path.relative(ROOT, RESULTS_FILE)} in ${seconds.toFixed(1)} s\n`);
}

main().catch(error => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
