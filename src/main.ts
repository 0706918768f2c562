import { loadConfig, loadDotEnv, type Config } from './config.js';
import { createLogger } from './logger.js';
import { AppError, errorSummary } from './errors.js';
import { startServer } from './server.js';
import { openTunnel } from './http/tunnel.js';

/** Boot: config → logger → server → (tunnel) → listen; SIGTERM/SIGINT drain live calls. */
async function main(): Promise<void> {
  loadDotEnv();
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  if (process.argv.includes('--tunnel')) config.tunnel.enabled = true;
  const logger = createLogger({
    level: config.log.level,
    logPii: config.log.pii,
    pretty: config.log.pretty,
  });
  let tunnel: Awaited<ReturnType<typeof openTunnel>> | undefined;
  if (config.tunnel.enabled && !config.publicBaseUrl) {
    tunnel = await openTunnel(config.port, config.tunnel.authtoken);
    config.publicBaseUrl = tunnel.url;
  }
  const server = await startServer(config, logger);
  logger.info(
    {
      port: server.port,
      publicBaseUrl: config.publicBaseUrl,
      stt: config.stt.provider,
      tts: config.tts.provider,
    },
    'listening',
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, liveCalls: server.registry.size }, 'shutting down');
    void (async () => {
      await server.close();
      await tunnel?.close();
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  const s = errorSummary(err);
  const raw =
    err instanceof AppError ? (err.details?.problems as unknown[] | undefined) : undefined;
  const problems = raw?.map((p) => (typeof p === 'string' ? p : JSON.stringify(p)));
  process.stderr.write(
    `boot failed [${s.code}]: ${s.message}\n${problems ? `  ${problems.join('\n  ')}\n` : ''}`,
  );
  process.exit(1);
});
