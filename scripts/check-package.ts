/**
 * Proves the npm tarball ships what users need and nothing it should not:
 * every bundled handler under assets/lambda/, the compiled library and its
 * jsii manifest; no handler sources, tests or benchmarks.
 * Runs `npm pack --dry-run --json` (nothing is written).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '..');
const handlers = fs.readdirSync(path.join(root, 'lambda'), { withFileTypes: true })
  .filter(d => d.isDirectory() && fs.existsSync(path.join(root, 'lambda', d.name, 'index.ts')))
  .map(d => d.name);

const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const [pack] = JSON.parse(out) as Array<{ files: Array<{ path: string; size: number }>; size: number; unpackedSize: number }>;
const files = new Map(pack.files.map(f => [f.path, f.size]));

const problems: string[] = [];
for (const required of ['lib/index.js', 'lib/index.d.ts', '.jsii', 'README.md', 'API.md', 'LICENSE', ...handlers.map(h => `assets/lambda/${h}/index/index.js`), 'assets/cli/index/index.js']) {
  if (!files.has(required)) {
    problems.push(`missing from the tarball: ${required}`);
  }
}
for (const f of files.keys()) {
  if (/^(lambda|cli|test|bench|examples|scripts|src)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts')) {
    problems.push(`should not be in the tarball: ${f}`);
  }
}

for (const h of handlers) {
  const size = files.get(`assets/lambda/${h}/index/index.js`);
  if (size !== undefined) {
    console.log(`check:package: assets/lambda/${h}/index/index.js ${(size / 1024).toFixed(1)} KiB`);
  }
}
console.log(`check:package: ${files.size} files, ${(pack.size / 1024).toFixed(1)} KiB packed, ${(pack.unpackedSize / 1024).toFixed(1)} KiB unpacked`);
if (problems.length > 0) {
  console.error(problems.map(p => `check:package: ${p}`).join('\n'));
  process.exit(1);
}
