import type { TenantDoc } from './models/tenant.model.js';
import type { TenantNumberDoc } from './models/tenant-number.model.js';

/**
 * The demo business `npm run seed` creates: a pizzeria reached at +15550002222, the phone
 * simulator's default `--to`. Open 11:00–22:00 New York time (23:00 on Friday and Saturday).
 */
export const DEMO_TENANT: Omit<TenantDoc, 'createdAtMs'> = {
  _id: 'demo-pizzeria',
  name: "Tony's Pizzeria",
  timeZone: 'America/New_York',
  locale: 'en-US',
  defaultFlowId: 'main-menu',
  businessHours: [0, 1, 2, 3, 4, 5, 6].map((day) => ({
    day,
    open: '11:00',
    close: day === 5 || day === 6 ? '23:00' : '22:00',
  })),
};

export const DEMO_NUMBERS: Omit<TenantNumberDoc, 'createdAtMs'>[] = [
  { _id: '+15550002222', tenantId: DEMO_TENANT._id, flowId: 'main-menu' },
];
