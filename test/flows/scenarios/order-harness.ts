import type { Connection } from 'mongoose';
import {
  createDialogRunner,
  getFlow,
  loadFlows,
  type CompiledFlow,
  type DialogCommand,
  type DialogRunner,
  type TaskHandler,
} from '../../../src/dialog/index.js';
import { silentLogger } from '../../../src/logger.js';
import {
  loadPromptCatalogs,
  renderPrompt,
  type PromptCatalog,
} from '../../../src/prompts/index.js';
import { createOrdering, type Ordering } from '../../../src/domain/ordering/index.js';
import { createOrderTasks, type AddressLookup } from '../../../src/domain/ordering/tasks.js';
import { ALL_TASK_SPECS } from '../../../src/call/task-specs.js';
import { connectMongoose } from '../../../src/store/database.js';
import { createModels, type Models } from '../../../src/store/models/index.js';
import { DEMO_CATALOG, DEMO_TENANT } from '../../../src/store/demo-tenant.js';
import { startTestDatabase, type TestDatabase } from '../../helpers/database.js';

/**
 * Scripted ordering conversations against the real flows, the real order task handlers and the
 * real ordering domain on a real FerretDB: the harness plays the call session's part (acknowledges
 * every `say`, runs every `task` command through its registered handler and answers `task.done`).
 */

export const DEMO_TENANT_ID = 'demo-pizzeria';

export interface OrderWorld {
  db: TestDatabase;
  conn: Connection;
  models: Models;
  ordering: Ordering;
  flows: Map<string, CompiledFlow>;
  catalog: PromptCatalog;
  addresses: Map<string, string>;
  handlers: Map<string, TaskHandler>;
  stop(): Promise<void>;
}

export async function startOrderWorld(): Promise<OrderWorld> {
  const logger = silentLogger();
  const db = await startTestDatabase();
  let conn: Connection | undefined;
  try {
    conn = await connectMongoose(db.uri, { dbName: db.dbName, logger, direct: true });
    return await buildWorld(db, conn);
  } catch (err) {
    await conn?.close();
    await db.stop();
    throw err;
  }
}

/** The demo pizzeria (tenant, ordering settings, catalog) as `npm run seed` creates it. */
async function seedDemo(models: Models): Promise<void> {
  const now = Date.now();
  await models.Tenant.create({ ...DEMO_TENANT, createdAtMs: now });
  await models.Catalog.create({ _id: DEMO_TENANT._id, ...DEMO_CATALOG, rev: 1, updatedAtMs: now });
}

async function buildWorld(db: TestDatabase, conn: Connection): Promise<OrderWorld> {
  const logger = silentLogger();
  const models = await createModels(conn);
  await seedDemo(models);
  const ordering = createOrdering(models, { logger, notifyRetryDelaysMs: [] });
  const prompts = await loadPromptCatalogs('prompts');
  const flows = await loadFlows('flows', prompts, {
    taskSpecs: ALL_TASK_SPECS,
  });
  const addresses = new Map<string, string>();
  const addressOf: AddressLookup = async (_tenant, phone) => addresses.get(phone);
  const handlers = createOrderTasks(ordering, { logger, addressOf });
  return {
    db,
    conn,
    models,
    ordering,
    flows,
    catalog: prompts.get('en-US') as PromptCatalog,
    addresses,
    handlers,
    async stop() {
      await ordering.notifier.stop();
      await conn.close();
      await db.stop();
    },
  };
}

let sidCounter = 0;
export function newCallSid(): string {
  sidCounter += 1;
  return `CA${Date.now().toString(16).padStart(16, '0')}${sidCounter.toString(16).padStart(16, '0')}`;
}

export interface CallOptions {
  caller?: string;
  callSid?: string;
  flow?: string;
  /** Task names whose commands are answered `error` instead of running (a broken dependency). */
  failing?: string[];
}

/** One scripted call. Every method returns once the dialog is listening again (or done). */
export class OrderCall {
  readonly runner: DialogRunner;
  readonly commands: DialogCommand[] = [];
  readonly callSid: string;
  private playing: string[] = [];
  private tasks: Extract<DialogCommand, { type: 'task' }>[] = [];
  private mark = 0;

  constructor(
    private readonly world: OrderWorld,
    private readonly o: CallOptions = {},
  ) {
    this.callSid = o.callSid ?? newCallSid();
    const flow = getFlow(world.flows, o.flow ?? 'ordering');
    this.runner = createDialogRunner(flow, {
      vars: { businessName: "Tony's Pizzeria" },
      logger: silentLogger(),
      availableTasks: new Set(world.handlers.keys()),
    });
    this.runner.onCommand((c) => {
      this.commands.push(c);
      if (c.type === 'say') this.playing.push(c.id);
      if (c.type === 'task') this.tasks.push(c);
    });
  }

  async start(): Promise<this> {
    this.runner.start();
    await this.settle();
    return this;
  }

  /** Plays out every say and runs every task until the dialog waits for the caller. */
  async settle(): Promise<void> {
    for (let guard = 0; guard < 100; guard++) {
      if (this.playing.length > 0) {
        const ids = this.playing;
        this.playing = [];
        for (const id of ids)
          this.runner.send({ type: 'bot.playbackDone', id, interrupted: false });
        continue;
      }
      const task = this.tasks.shift();
      if (!task) return;
      this.runner.send({ type: 'task.done', id: task.id, ...(await this.run(task)) });
    }
    throw new Error('dialog did not settle');
  }

  private async run(t: Extract<DialogCommand, { type: 'task' }>) {
    const handler = this.world.handlers.get(t.name);
    if (!handler || this.o.failing?.includes(t.name)) return { outcome: 'error' };
    try {
      const r = await handler(
        t.input,
        {
          callSid: this.callSid,
          tenantId: DEMO_TENANT_ID,
          ...(this.o.caller !== undefined ? { caller: this.o.caller } : {}),
          logger: silentLogger(),
        },
        new AbortController().signal,
      );
      return { outcome: r.outcome, ...(r.slots ? { slots: r.slots } : {}) };
    } catch {
      return { outcome: 'error' };
    }
  }

  async say(text: string, confidence = 0.95): Promise<string[]> {
    this.mark = this.commands.length;
    this.runner.send({ type: 'user.transcript', text, confidence });
    await this.settle();
    return this.prompts();
  }

  async press(digit: string): Promise<string[]> {
    this.mark = this.commands.length;
    this.runner.send({ type: 'user.dtmf', digit });
    await this.settle();
    return this.prompts();
  }

  async silence(): Promise<string[]> {
    this.mark = this.commands.length;
    this.runner.send({ type: 'user.noInput' });
    await this.settle();
    return this.prompts();
  }

  /** The caller hangs up (a dropped call). */
  hangUp(): void {
    this.runner.send({ type: 'call.hangup' });
  }

  /** Prompt keys said since the last caller turn. */
  prompts(): string[] {
    return this.commands.slice(this.mark).flatMap((c) => (c.type === 'say' ? [c.prompt] : []));
  }

  /** What the bot said since the last caller turn, rendered in en-US. */
  heard(): string {
    return this.commands
      .slice(this.mark)
      .flatMap((c) =>
        c.type === 'say' ? [renderPrompt(this.world.catalog, c.prompt, c.vars)] : [],
      )
      .join(' ');
  }

  /** Every rendered bot sentence of the call. */
  transcript(): string[] {
    return this.commands.flatMap((c) =>
      c.type === 'say' ? [renderPrompt(this.world.catalog, c.prompt, c.vars)] : [],
    );
  }

  get ended(): string | undefined {
    const last = this.commands.at(-1);
    return last?.type === 'hangUp'
      ? last.reason
      : last?.type === 'transfer'
        ? 'transfer'
        : undefined;
  }

  get state(): string {
    return this.runner.state;
  }

  slots(): Record<string, unknown> {
    const snap = this.runner.snapshot() as unknown as {
      scopes: Record<string, Record<string, unknown>>;
    };
    return Object.values(snap.scopes).at(-1) ?? {};
  }
}
