/**
 * What an emulator test needs from the moto server started by the jest global
 * setup: its endpoint (or the reason it is missing, as a failure, never a
 * skip), the environment that aims the handlers' SDK clients at it, and a
 * reset between tests.
 */

/** The moto server's base URL; throws with the reason when it is not running. */
export function motoEndpoint(): string {
  const endpoint = process.env.MOTO_ENDPOINT;
  if (!endpoint) {
    throw new Error(`the moto server is not running: ${process.env.MOTO_UNAVAILABLE ?? 'the jest global setup did not start it'}`);
  }
  return endpoint;
}

/** Environment for SDK clients talking to moto: endpoint, region, dummy credentials, one attempt. */
export function motoEnvironment(region = 'us-east-1'): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: motoEndpoint(),
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
    AWS_MAX_ATTEMPTS: '1',
  };
}

/** Forget every resource moto holds (POST /moto-api/reset). */
export async function resetMoto(): Promise<void> {
  const response = await fetch(`${motoEndpoint()}/moto-api/reset`, { method: 'POST' });
  if (!response.ok) {
    throw new Error(`moto reset failed: HTTP ${response.status}`);
  }
}
