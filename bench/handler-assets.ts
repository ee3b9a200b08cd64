/**
 * (c) Each bundled handler (assets/lambda/<handler>/index/index.js, written
 * by `npx projen bundle`): its size, raw and gzipped (Lambda's code size
 * limits apply to the zip, gzip is a close proxy), and how long Node takes to
 * load it, which is most of a cold start's init phase.
 *
 * Load time: `node -e "require('<abs path>')"` in a fresh process, against
 * `node -e "0"` as the baseline, the two alternating, median of each.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { elapsedMs, formatKb, formatMs, median } from './stats';
import { Table } from './table';

export interface AssetOptions {
  /** The assets/lambda directory. */
  readonly assetsDir: string;
  /** Timed processes per variant. */
  readonly runs: number;
  /** Untimed processes per variant first (page cache, disk). */
  readonly warmup: number;
  /** The node binary; the same one that runs the benchmark. */
  readonly node: string;
}

export interface AssetResult {
  readonly handler: string;
  readonly file: string;
  readonly rawBytes: number;
  readonly gzipBytes: number;
  readonly loadMedianMs: number;
  readonly baselineMedianMs: number;
  /** Exports the bundle offers, checked once (a bundle missing onEvent would load fast and be useless). */
  readonly exports: readonly string[];
}

function timeNode(node: string, script: string): number {
  const start = process.hrtime.bigint();
  const run = spawnSync(node, ['-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = elapsedMs(start);
  if (run.status !== 0) {
    throw new Error(`node -e ${JSON.stringify(script)} exited ${run.status}: ${run.stderr.toString().split('\n')[0]}`);
  }
  return ms;
}

function bundleExports(node: string, file: string): string[] {
  const run = spawnSync(node, ['-e', `process.stdout.write(JSON.stringify(Object.keys(require(${JSON.stringify(file)}))))`]);
  if (run.status !== 0) throw new Error(`cannot load ${file}: ${run.stderr.toString().split('\n')[0]}`);
  return (JSON.parse(run.stdout.toString()) as string[]).sort();
}

/** Handler bundles under assetsDir, one per handler folder. */
export function findBundles(assetsDir: string): { handler: string; file: string }[] {
  if (!fs.existsSync(assetsDir)) return [];
  return fs.readdirSync(assetsDir)
    .map(handler => ({ handler, file: path.resolve(assetsDir, handler, 'index', 'index.js') }))
    .filter(b => fs.existsSync(b.file))
    .sort((a, b) => a.handler.localeCompare(b.handler));
}

export function measureAssets(options: AssetOptions): AssetResult[] {
  const baseline = '0';
  return findBundles(options.assetsDir).map(({ handler, file }) => {
    const source = fs.readFileSync(file);
    const load = `require(${JSON.stringify(file)})`;
    for (let i = 0; i < options.warmup; i++) {
      timeNode(options.node, baseline);
      timeNode(options.node, load);
    }
    const loadMs: number[] = [];
    const baselineMs: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      baselineMs.push(timeNode(options.node, baseline));
      loadMs.push(timeNode(options.node, load));
    }
    return {
      handler,
      file,
      rawBytes: source.length,
      gzipBytes: zlib.gzipSync(source, { level: 9 }).length,
      loadMedianMs: median(loadMs),
      baselineMedianMs: median(baselineMs),
      exports: bundleExports(options.node, file),
    };
  });
}

// ------------------------------------------------------------------ report

export function assetTable(results: readonly AssetResult[], options: Pick<AssetOptions, 'runs' | 'warmup'>, root: string): Table {
  return {
    title: '(c) Handler bundles: size and module load time',
    headers: ['handler', 'bundle', 'raw KB', 'gzip KB', 'load median ms', '`node -e "0"` median ms', 'load - baseline ms', 'exports'],
    align: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'left'],
    rows: results.map(r => [
      r.handler, path.relative(root, r.file), formatKb(r.rawBytes), formatKb(r.gzipBytes),
      formatMs(r.loadMedianMs), formatMs(r.baselineMedianMs), formatMs(r.loadMedianMs - r.baselineMedianMs), r.exports.join(', '),
    ]),
    notes: [
      `Load: \`node -e "require('<absolute path>')"\` in a fresh process, ${options.runs} runs after ${options.warmup} warm-up, alternating with the \`node -e "0"\` baseline; medians.`,
      'gzip at level 9, a close proxy for the zipped Lambda code size.',
    ],
  };
}
