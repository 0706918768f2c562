import { readFileSync } from 'node:fs';
import type { Connection } from 'mongoose';
import { CustomerBook, rememberCallEnd } from '../../../src/domain/customers.js';
import { TenantDirectory } from '../../../src/domain/tenants.js';
import { silentLogger } from '../../../src/logger.js';
import { connectMongoose } from '../../../src/store/database.js';
import { createModels, type Models } from '../../../src/store/models/index.js';
import { CUSTOMER_INTERACTIONS_KEPT } from '../../../src/store/models/customer.model.js';
import { seedDatabase } from '../../../src/store/seed.js';
import { startTestDatabase, type TestDatabase } from '../../helpers/database.js';
import type { CallRecord } from '../../../src/call/call-record.js';

const logger = silentLogger();
let db: TestDatabase;
let conn: Connection;
let models: Models;

beforeAll(async () => {
  db = await startTestDatabase();
  conn = await connectMongoose(db.uri, {
    dbName: db.dbName,
    logger,
    direct: true,
    driver: { serverSelectionTimeoutMS: 800, heartbeatFrequencyMS: 500 },
  });
  models = await createModels(conn);
});
afterAll(async () => {
  await conn.close();
  await db.stop();
});

async function addTenant(id: string, number: string, flowId?: string) {
  await models.Tenant.create({
    _id: id,
    name: `Shop ${id}`,
    timeZone: 'Europe/Paris',
    locale: 'en-US',
    businessHours: [{ day: 1, open: '09:00', close: '17:00' }],
    createdAtMs: Date.now(),
  });
  await models.TenantNumber.create({
    _id: number,
    tenantId: id,
    createdAtMs: Date.now(),
    ...(flowId ? { flowId } : {}),
  });
}

describe('models', () => {
  it('validate time zones, numbers and hours; a number reaches one tenant only', async () => {
    const bad = (doc: object) => models.Tenant.create({ createdAtMs: 1, ...doc });
    const base = { _id: 'valid-shop', name: 'Shop', timeZone: 'America/Chicago' };
    await expect(bad({ ...base, timeZone: 'Mars/Olympus' })).rejects.toThrow(/time zone/);
    await expect(bad({ ...base, _id: 'Not A Slug' })).rejects.toThrow();
    await expect(
      bad({ ...base, businessHours: [{ day: 7, open: '09:00', close: '25:00' }] }),
    ).rejects.toThrow();
    await addTenant('shop-one', '+15557770001');
    await expect(
      models.TenantNumber.create({ _id: '+15557770001', tenantId: 'other', createdAtMs: 1 }),
    ).rejects.toMatchObject({ code: 11000 });
    await expect(
      models.TenantNumber.create({ _id: '555-0001', tenantId: 'shop-one', createdAtMs: 1 }),
    ).rejects.toThrow();
  });

  it('create the indexes every API query uses', async () => {
    const names = (await models.Call.collection.indexes()).map((i) => i.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'callSid_unique',
        'tenant_started',
        'tenant_from_started',
        'tenant_outcome_started',
      ]),
    );
    const customers = await models.Customer.collection.indexes();
    expect(customers.find((i) => i.name === 'tenant_phone_unique')?.unique).toBe(true);
  });
});

describe('TenantDirectory', () => {
  it('resolves the tenant and flow of a dialled number; unknown numbers resolve to nobody', async () => {
    await addTenant('shop-two', '+15557770002', 'main-menu');
    const dir = new TenantDirectory(models);
    expect(await dir.byNumber('+15557770002')).toEqual({
      tenant: {
        id: 'shop-two',
        name: 'Shop shop-two',
        timeZone: 'Europe/Paris',
        locale: 'en-US',
        businessHours: [{ day: 1, open: '09:00', close: '17:00' }],
      },
      flowId: 'main-menu',
    });
    expect(await dir.byNumber('+15559999999')).toBeUndefined();
    expect(await dir.byNumber('not-a-number')).toBeUndefined();
  });

  it('serves a stale entry while the database is down, and fails without one', async () => {
    let now = 0;
    const dir = new TenantDirectory(models, { cacheMs: 1000, now: () => now });
    await addTenant('shop-three', '+15557770003');
    expect((await dir.byNumber('+15557770003'))?.tenant.id).toBe('shop-three');
    await db.kill();
    try {
      now = 5000;
      expect((await dir.byNumber('+15557770003'))?.tenant.id).toBe('shop-three');
      await expect(dir.byNumber('+15557770004')).rejects.toMatchObject({
        code: 'STORE_UNAVAILABLE',
      });
    } finally {
      await db.restart();
    }
  }, 30_000);
});

describe('CustomerBook', () => {
  const book = () => new CustomerBook(models.Customer);

  it('keeps customers per tenant: the same number is two customers', async () => {
    await book().save('shop-a', '+15550004444', { name: 'Sam', preferences: { crust: 'thin' } });
    await book().save('shop-b', '+15550004444', { name: 'Samuel' });
    expect(await book().find('shop-a', '+15550004444')).toMatchObject({
      name: 'Sam',
      preferences: { crust: 'thin' },
    });
    expect((await book().find('shop-b', '+15550004444'))?.name).toBe('Samuel');
    expect(await book().find('shop-c', '+15550004444')).toBeUndefined();
    await book().remember('shop-a', '+15550004444', { callSid: 'CA' + '1'.repeat(32), atMs: 7 });
    expect(await book().find('shop-a', '+15550004444')).toMatchObject({
      name: 'Sam',
      callCount: 1,
      lastInteractions: [{ callSid: 'CA' + '1'.repeat(32), atMs: 7 }],
    });
    expect((await book().find('shop-b', '+15550004444'))?.callCount).toBe(0);
  });

  it('remembers the last interactions once per call, newest last, bounded', async () => {
    const b = book();
    for (let i = 0; i < CUSTOMER_INTERACTIONS_KEPT + 3; i++) {
      const it = { callSid: `CA${String(i).padStart(32, '0')}`, atMs: 1000 + i, outcome: 'ok' };
      await b.remember('shop-a', '+15550005555', it);
      await b.remember('shop-a', '+15550005555', it); // replayed end of call
    }
    const c = await b.find('shop-a', '+15550005555');
    expect(c?.callCount).toBe(CUSTOMER_INTERACTIONS_KEPT + 3);
    expect(c?.lastInteractions).toHaveLength(CUSTOMER_INTERACTIONS_KEPT);
    expect(c?.lastInteractions.at(-1)?.atMs).toBe(1000 + CUSTOMER_INTERACTIONS_KEPT + 2);
  });

  it('the end-of-call hook records inbound callers under the call’s tenant', async () => {
    const rec: CallRecord = {
      callSid: 'CA' + 'f'.repeat(32),
      tenantId: 'shop-hook',
      direction: 'inbound',
      from: '+15550006666',
      to: '+15557770001',
      flow: { id: 'main-menu', version: 1 },
      startedAtMs: 42,
      outcome: 'route:order',
      turns: [],
      statusEvents: [],
      counters: { framesIn: 0, framesOut: 0, malformed: 0, bargeIns: 0 },
    };
    rememberCallEnd(book(), logger)(rec);
    rememberCallEnd(book(), logger)({ ...rec, tenantId: undefined } as unknown as CallRecord);
    let found;
    for (let i = 0; i < 50 && !found; i++) {
      found = await book().find('shop-hook', '+15550006666');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(found?.lastInteractions).toEqual([
      { callSid: rec.callSid, atMs: 42, flowId: 'main-menu', outcome: 'route:order' },
    ]);
    expect(await models.Customer.countDocuments({ phone: '+15550006666' })).toBe(1);
  });
});

describe('seedDatabase', () => {
  const opts = { flowsDir: 'flows', promptsDir: 'prompts', logger };
  const versionOf = (flow: string) =>
    (JSON.parse(readFileSync(`flows/${flow}.flow.json`, 'utf8')) as { version: number }).version;
  const menuVersion = versionOf('main-menu');
  const snapshot = async () => ({
    flows: await models.FlowVersion.find().sort({ flowId: 1 }).lean().exec(),
    prompts: await models.PromptVersion.find().sort({ locale: 1 }).lean().exec(),
    tenants: await models.Tenant.find({ _id: 'demo-pizzeria' }).lean().exec(),
    numbers: await models.TenantNumber.find({ tenantId: 'demo-pizzeria' }).lean().exec(),
  });

  it('loads flows, prompts and the demo pizzeria; running it twice changes nothing', async () => {
    const first = await seedDatabase(models, opts);
    expect(first.conflicts).toEqual([]);
    expect(first.published).toEqual(
      expect.arrayContaining([
        `flow main-menu@${menuVersion}`,
        `flow ordering@${versionOf('ordering')}`,
        'prompts en-US@1',
        'tenant demo-pizzeria',
        'catalog demo-pizzeria',
        'number +15550002222',
      ]),
    );
    const before = await snapshot();
    const second = await seedDatabase(models, opts);
    expect(second).toEqual({ published: [], unchanged: first.published, conflicts: [] });
    expect(await snapshot()).toEqual(before);
    expect(before.tenants[0]).toMatchObject({
      timeZone: 'America/New_York',
      name: "Tony's Pizzeria",
    });
    const route = await new TenantDirectory(models).byNumber('+15550002222');
    expect(route).toMatchObject({ tenant: { id: 'demo-pizzeria' }, flowId: 'main-menu' });
  });

  it('never rewrites a published flow version: changed content is a conflict', async () => {
    await models.FlowVersion.updateOne(
      { flowId: 'main-menu', version: menuVersion },
      { $set: { checksum: '0'.repeat(64) } },
    );
    const report = await seedDatabase(models, opts);
    expect(report.conflicts).toEqual([`flow main-menu@${menuVersion}`]);
  });
});
