import { parseRuntimeConfig, type RuntimeConfig } from './runtime-config';

export type { RuntimeConfig } from './runtime-config';

/**
 * Reads /config.json once at startup. It is fetched with no-store so that a
 * redeployed server with a new FATHOM_API_URL is picked up on the next reload.
 */
export async function loadRuntimeConfig(): Promise<RuntimeConfig> {
  let response: Response;
  try {
    response = await fetch('/config.json', { cache: 'no-store' });
  } catch (error) {
    throw new Error(`Could not load /config.json from the dashboard server: ${String(error)}`);
  }
  if (!response.ok) {
    throw new Error(`The dashboard server answered ${response.status} for /config.json`);
  }
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    throw new Error('/config.json is not valid JSON');
  }
  return parseRuntimeConfig(json, window.location.origin);
}
