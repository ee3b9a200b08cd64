/** Jest global teardown: stop the moto server the global setup started. */
export default async function globalTeardown(): Promise<void> {
  const child = globalThis.__MOTO_SERVER__;
  if (!child || child.exitCode !== null) {
    return;
  }
  await new Promise<void>(resolve => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); resolve(); }, 5_000);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGTERM');
  });
}
