import path from 'node:path';
import type { Connection } from 'mongoose';
import type { Logger } from './logger.js';
import { createCallAdmission, type Admission, type IncomingCall } from './call/call-admission.js';
import { CallContexts } from './call/call-contexts.js';
import type { CallRecord } from './call/call-record.js';
import { CallRecorder, type CallRecorderOptions } from './call/call-recorder.js';
import { CustomerBook, rememberCallEnd } from './domain/customers.js';
import { TenantDirectory } from './domain/tenants.js';
import { createOrdering, type Ordering } from './domain/ordering/index.js';
import { createModels, type Models } from './store/models/index.js';
import { seedIfEmpty, type SeedReport } from './store/seed.js';

export interface PersistenceOptions {
  logger: Logger;
  /** Local state directory (DATA_DIR): the recorder's spill file lives here. */
  dataDir: string;
  /** Seed an empty database (flows, prompts, demo tenant) from these directories. */
  seed?: { flowsDir: string; promptsDir: string };
  /** Webhook retry delays of the ordering notifier (tests); default DEFAULT_NOTIFY_RETRY_DELAYS_MS. */
  notifyRetryDelaysMs?: readonly number[];
  /** Recorder tuning (see CallRecorderOptions). */
  recorder?: Omit<CallRecorderOptions, 'model' | 'spillPath' | 'logger'>;
}

/** The persistence domain of the service, built on one database connection. */
export interface Persistence {
  models: Models;
  /** The CallStore (write-behind). */
  recorder: CallRecorder;
  tenants: TenantDirectory;
  customers: CustomerBook;
  /** Phone ordering (catalog, carts, orders, notifications); give it to buildApp as `ordering`. */
  ordering: Ordering;
  /** Webhook → stream hand-over; give it to createCallHandler. */
  contexts: CallContexts;
  /** For buildApp/twilioRouter: the tenant of the dialled number, the caller's name. */
  admit(call: IncomingCall): Promise<Admission>;
  /** For createCallHandler: remembers the call on the customer's record. */
  onCallEnded(record: CallRecord): void;
  /** What seeding did at start-up (undefined: the database was not empty or seeding was off). */
  seeded: SeedReport | undefined;
  /**
   * Stops the ordering notifier (pending notifications resume at the next start) and flushes the
   * recorder (spilling what the database does not take). Call before closing the connection.
   */
  close(): Promise<void>;
}

/** The spill file of the call recorder, under DATA_DIR. */
export function spillPath(dataDir: string): string {
  return path.resolve(dataDir, 'calls.spill.jsonl');
}

/**
 * Registers the models on `connection` (creating indexes), seeds an empty database when asked,
 * and opens the call recorder (replaying a spill file left by an earlier run).
 */
export async function openPersistence(
  connection: Connection,
  o: PersistenceOptions,
): Promise<Persistence> {
  const models = await createModels(connection);
  const seeded = o.seed ? await seedIfEmpty(models, { ...o.seed, logger: o.logger }) : undefined;
  const recorder = await CallRecorder.open({
    ...o.recorder,
    model: models.Call,
    spillPath: spillPath(o.dataDir),
    logger: o.logger.child({ component: 'call-recorder' }),
  });
  const tenants = new TenantDirectory(models);
  const customers = new CustomerBook(models.Customer);
  const contexts = new CallContexts();
  const ordering = createOrdering(models, {
    logger: o.logger,
    ...(o.notifyRetryDelaysMs ? { notifyRetryDelaysMs: o.notifyRetryDelaysMs } : {}),
  });
  await ordering.notifier.start();
  return {
    models,
    recorder,
    tenants,
    customers,
    ordering,
    contexts,
    admit: createCallAdmission({ tenants, customers, contexts, logger: o.logger }),
    onCallEnded: rememberCallEnd(customers, o.logger),
    seeded,
    close: async () => {
      await ordering.notifier.stop();
      await recorder.close();
    },
  };
}
