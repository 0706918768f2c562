/**
 * Seeds the database: publishes flows/*.flow.json and prompts/<locale>/ as FlowVersion and
 * PromptVersion documents, and creates the demo tenant (a pizzeria at +15550002222).
 * Idempotent: running it again changes nothing.
 *
 *   npm run seed
 *
 * Uses the service's database (MONGODB_URI, else the embedded server in DATA_DIR): run it while
 * the service is stopped when using the embedded server. Exit code: 0 = seeded, 1 = a conflict
 * (a published flow changed without a new version, a number owned by another tenant) or an error.
 */
import { loadConfig, loadDotEnv } from '../src/config.js';
import { errorSummary } from '../src/errors.js';
import { createLogger } from '../src/logger.js';
import { openDatabase } from '../src/store/database.js';
import { createModels } from '../src/store/models/index.js';
import { seedDatabase } from '../src/store/seed.js';

async function main(): Promise<number> {
  loadDotEnv();
  const config = loadConfig();
  const logger = createLogger({ level: 'warn', logPii: false, pretty: config.log.pretty });
  const db = await openDatabase(config, logger);
  try {
    const models = await createModels(db.connection);
    const report = await seedDatabase(models, {
      flowsDir: config.dialog.flowsDir,
      promptsDir: config.dialog.promptsDir,
      logger,
    });
    const line = (label: string, names: string[]) =>
      process.stdout.write(`${label.padEnd(10)} ${names.length ? names.join(', ') : '-'}\n`);
    process.stdout.write(`database (${db.source})\n`);
    line('published', report.published);
    line('unchanged', report.unchanged);
    line('conflicts', report.conflicts);
    return report.conflicts.length > 0 ? 1 : 0;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const s = errorSummary(err);
    process.stderr.write(`seed failed [${s.code}]: ${s.message}\n`);
    process.exit(1);
  },
);
