import { createHash } from 'node:crypto';
import type { Logger } from '../logger.js';
import { readFlowSources } from '../dialog/load-flows.js';
import { throwIfProblems, validateFlows } from '../dialog/validator.js';
import { ALL_TASK_SPECS } from '../call/task-specs.js';
import { loadPromptCatalogs, type PromptCatalog } from '../prompts/index.js';
import { DEMO_CATALOG, DEMO_NUMBERS, DEMO_TENANT } from './demo-tenant.js';
import type { Models } from './models/index.js';
import { isDuplicateKey } from './mongo-errors.js';

export interface SeedOptions {
  flowsDir: string;
  promptsDir: string;
  /** Create the demo tenant and its number. Default true. */
  demoTenant?: boolean;
  logger: Logger;
}

/** What one seeding run did, by name (`flowId@version`, `locale@version`, tenant id, number). */
export interface SeedReport {
  published: string[];
  unchanged: string[];
  /** Content that differs from what is stored under the same name; left as stored. */
  conflicts: string[];
}

/**
 * Publishes `flows/*.flow.json` as FlowVersions and each locale of `prompts/` as a PromptVersion,
 * and creates the demo tenant with its number. Idempotent: a second run changes no document.
 * Published versions are immutable: a flow file changed without a new `version`, or a demo
 * number owned by another tenant, is reported in `conflicts` and left alone. Flows are validated
 * first; invalid files throw FLOW_INVALID and nothing is written.
 */
export async function seedDatabase(models: Models, opts: SeedOptions): Promise<SeedReport> {
  const catalogs = await loadPromptCatalogs(opts.promptsDir);
  const { sources, problems } = await readFlowSources(opts.flowsDir);
  throwIfProblems(problems);
  // Flows name tasks; they are checked against every task this service implements.
  throwIfProblems(validateFlows(sources, catalogs, { taskSpecs: ALL_TASK_SPECS }).problems);
  const report: SeedReport = { published: [], unchanged: [], conflicts: [] };
  for (const s of sources) await publishFlow(models, s.json as FlowJson, report);
  for (const catalog of catalogs.values()) await publishPrompts(models, catalog, report);
  if (opts.demoTenant !== false) await seedDemoTenant(models, report);
  opts.logger.info(
    {
      published: report.published,
      conflicts: report.conflicts,
      unchanged: report.unchanged.length,
    },
    'database seeded',
  );
  return report;
}

/** Seeds a database that has no tenant and no flow yet (a fresh embedded one); else undefined. */
export async function seedIfEmpty(
  models: Models,
  opts: SeedOptions,
): Promise<SeedReport | undefined> {
  const [tenants, flows] = await Promise.all([
    models.Tenant.estimatedDocumentCount().exec(),
    models.FlowVersion.estimatedDocumentCount().exec(),
  ]);
  if (tenants > 0 || flows > 0) return undefined;
  return seedDatabase(models, opts);
}

interface FlowJson {
  id: string;
  version: number;
  description?: string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function publishFlow(models: Models, flow: FlowJson, report: SeedReport): Promise<void> {
  const name = `flow ${flow.id}@${flow.version}`;
  const json = JSON.stringify(flow);
  const checksum = sha256(json);
  const r = await models.FlowVersion.updateOne(
    { flowId: flow.id, version: flow.version },
    {
      $setOnInsert: {
        json,
        checksum,
        publishedAtMs: Date.now(),
        ...(flow.description ? { description: flow.description } : {}),
      },
    },
    { upsert: true },
  ).exec();
  if (r.upsertedCount === 1) return void report.published.push(name);
  const stored = await models.FlowVersion.findOne({ flowId: flow.id, version: flow.version })
    .lean()
    .exec();
  (stored?.checksum === checksum ? report.unchanged : report.conflicts).push(name);
}

/** A new PromptVersion per locale whenever the wording changed (version = last + 1). */
async function publishPrompts(
  models: Models,
  catalog: PromptCatalog,
  report: SeedReport,
): Promise<void> {
  const entries = [...catalog.texts].sort(([a], [b]) => a.localeCompare(b));
  const checksum = sha256(JSON.stringify(entries));
  const locale = catalog.locale;
  for (let attempt = 0; attempt < 3; attempt++) {
    const same = await models.PromptVersion.findOne({ locale, checksum }).lean().exec();
    if (same) return void report.unchanged.push(`prompts ${locale}@${same.version}`);
    const last = await models.PromptVersion.findOne({ locale }).sort({ version: -1 }).lean().exec();
    const version = (last?.version ?? 0) + 1;
    try {
      await models.PromptVersion.create({
        locale,
        version,
        checksum,
        entries: entries.map(([key, text]) => ({ key, text })),
        publishedAtMs: Date.now(),
      });
      return void report.published.push(`prompts ${locale}@${version}`);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  report.conflicts.push(`prompts ${locale}: concurrent publishing`);
}

async function seedDemoTenant(models: Models, report: SeedReport): Promise<void> {
  const now = Date.now();
  const { _id: tenantId, ...tenant } = DEMO_TENANT;
  const t = await models.Tenant.updateOne(
    { _id: tenantId },
    { $setOnInsert: { ...tenant, createdAtMs: now } },
    { upsert: true, runValidators: true },
  ).exec();
  (t.upsertedCount === 1 ? report.published : report.unchanged).push(`tenant ${tenantId}`);
  await seedDemoOrdering(models, now, report);
  for (const { _id, ...n } of DEMO_NUMBERS) {
    const r = await models.TenantNumber.updateOne(
      { _id },
      { $setOnInsert: { ...n, createdAtMs: now } },
      { upsert: true, runValidators: true },
    ).exec();
    const name = `number ${_id}`;
    if (r.upsertedCount === 1) report.published.push(name);
    else {
      const owner = await models.TenantNumber.findById(_id).lean().exec();
      (owner?.tenantId === n.tenantId ? report.unchanged : report.conflicts).push(name);
    }
  }
}

/**
 * The demo tenant's ordering settings (when it has none yet) and its catalog (when it has none:
 * an operator's edits are never overwritten).
 */
async function seedDemoOrdering(models: Models, now: number, report: SeedReport): Promise<void> {
  const tenantId = DEMO_TENANT._id;
  if (DEMO_TENANT.ordering) {
    await models.Tenant.updateOne(
      { _id: tenantId, ordering: { $exists: false } },
      { $set: { ordering: DEMO_TENANT.ordering } },
      { runValidators: true },
    ).exec();
  }
  const c = await models.Catalog.updateOne(
    { _id: tenantId },
    { $setOnInsert: { ...DEMO_CATALOG, rev: 1, updatedAtMs: now } },
    { upsert: true, runValidators: true },
  ).exec();
  (c.upsertedCount === 1 ? report.published : report.unchanged).push(`catalog ${tenantId}`);
}
