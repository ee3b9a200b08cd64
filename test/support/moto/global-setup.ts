/**
 * Jest global setup: start one moto server (the AWS emulator from PyPI) on
 * 127.0.0.1 for the emulator tests, on a free port, and publish its address
 * in MOTO_ENDPOINT for the test workers (they inherit this process's
 * environment).
 *
 * Which Python: MOTO_PYTHON if set, then CI's venv (.ci-tools/venv, made by
 * `.ci/run` from the pinned .ci/requirements.txt), then python3. When none of
 * them can import moto, the server is not started and MOTO_UNAVAILABLE says
 * why: the emulator tests then fail with that reason (they never skip), and
 * every other test still runs.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const READY_TIMEOUT_MS = 30_000;

declare global {
  // eslint-disable-next-line no-var
  var __MOTO_SERVER__: ChildProcess | undefined;
}

function pythonCandidates(): string[] {
  const candidates = [
    process.env.MOTO_PYTHON,
    path.join(ROOT, '.ci-tools', 'venv', 'bin', 'python'),
    'python3',
  ];
  return candidates.filter((c): c is string => !!c && (c === 'python3' || fs.existsSync(c)));
}

function findMotoPython(): string | undefined {
  for (const python of pythonCandidates()) {
    const probe = spawnSync(python, ['-c', 'import moto.server'], { stdio: 'ignore', timeout: 20_000 });
    if (probe.status === 0) {
      return python;
    }
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilReady(endpoint: string, child: ChildProcess): Promise<void> {
  const started = Date.now();
  let exited = false;
  child.once('exit', () => { exited = true; });
  while (Date.now() - started < READY_TIMEOUT_MS) {
    if (exited) {
      throw new Error(`moto server exited before it was ready (exit code ${child.exitCode})`);
    }
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise(r => setTimeout(r, 200));
  }
  throw new Error(`moto server not ready at ${endpoint} after ${READY_TIMEOUT_MS} ms`);
}

export default async function globalSetup(): Promise<void> {
  const python = findMotoPython();
  if (!python) {
    process.env.MOTO_UNAVAILABLE = 'no Python with moto[server] found (tried MOTO_PYTHON, .ci-tools/venv/bin/python, python3); '
      + 'run: python3 -m venv .ci-tools/venv && .ci-tools/venv/bin/pip install -r .ci/requirements.txt';
    return;
  }
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: false,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    // Keep only the tail: moto logs every request.
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  try {
    await waitUntilReady(endpoint, child);
  } catch (err) {
    child.kill('SIGKILL');
    process.env.MOTO_UNAVAILABLE = `${(err as Error).message}; moto stderr tail: ${stderr}`;
    return;
  }
  globalThis.__MOTO_SERVER__ = child;
  process.env.MOTO_ENDPOINT = endpoint;
}
