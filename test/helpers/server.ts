import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { startServer, type RunningServer } from '../../src/server.js';

/** The real service, in-process, on a free port of 127.0.0.1. `env` overrides the defaults. */
export async function startTestServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    SHUTDOWN_DRAIN_MS: '2000',
    ...env,
  });
  return startServer(config, silentLogger());
}
