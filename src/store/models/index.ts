import type { Connection } from 'mongoose';
import { callModel, type CallModel } from './call.model.js';
import { customerModel, type CustomerModel } from './customer.model.js';
import { flowVersionModel, type FlowVersionModel } from './flow-version.model.js';
import { promptVersionModel, type PromptVersionModel } from './prompt-version.model.js';
import { tenantModel, type TenantModel } from './tenant.model.js';
import { tenantNumberModel, type TenantNumberModel } from './tenant-number.model.js';
import { catalogModel, type CatalogModel } from './catalog.model.js';
import { orderModel, type OrderModel } from './order.model.js';
import { cartModel, type CartModel } from './cart.model.js';
import { notificationModel, type NotificationModel } from './notification.model.js';
import { counterModel, type CounterModel } from './counter.model.js';

export type { CallDoc, CallModel } from './call.model.js';
export type { CustomerDoc, CustomerModel, Interaction } from './customer.model.js';
export type { FlowVersionDoc, FlowVersionModel } from './flow-version.model.js';
export type { PromptEntry, PromptVersionDoc, PromptVersionModel } from './prompt-version.model.js';
export type { BusinessHours, TenantDoc, TenantModel } from './tenant.model.js';
export type { TenantNumberDoc, TenantNumberModel } from './tenant-number.model.js';
export type { CatalogDoc, CatalogModel } from './catalog.model.js';
export type { OrderDoc, OrderModel } from './order.model.js';
export type { CartDoc, CartModel } from './cart.model.js';
export type { NotificationDoc, NotificationModel } from './notification.model.js';
export type { CounterDoc, CounterModel } from './counter.model.js';

/**
 * The models of one database connection. Orders, bookings, tickets and campaigns add their
 * models here (one `*.model.ts` each, registered on the same connection).
 */
export interface Models {
  readonly connection: Connection;
  Tenant: TenantModel;
  TenantNumber: TenantNumberModel;
  Call: CallModel;
  Customer: CustomerModel;
  FlowVersion: FlowVersionModel;
  PromptVersion: PromptVersionModel;
  Catalog: CatalogModel;
  Order: OrderModel;
  Cart: CartModel;
  Notification: NotificationModel;
  Counter: CounterModel;
}

/**
 * Registers every model on `connection` (never on the global mongoose) and waits until their
 * collections and indexes exist, so unique indexes guard the very first write. Calling it again
 * on the same connection returns the same models.
 */
export async function createModels(connection: Connection): Promise<Models> {
  const models: Models = {
    connection,
    Tenant: tenantModel(connection),
    TenantNumber: tenantNumberModel(connection),
    Call: callModel(connection),
    Customer: customerModel(connection),
    FlowVersion: flowVersionModel(connection),
    PromptVersion: promptVersionModel(connection),
    Catalog: catalogModel(connection),
    Order: orderModel(connection),
    Cart: cartModel(connection),
    Notification: notificationModel(connection),
    Counter: counterModel(connection),
  };
  await Promise.all([
    models.Tenant.init(),
    models.TenantNumber.init(),
    models.Call.init(),
    models.Customer.init(),
    models.FlowVersion.init(),
    models.PromptVersion.init(),
    models.Catalog.init(),
    models.Order.init(),
    models.Cart.init(),
    models.Notification.init(),
    models.Counter.init(),
  ]);
  return models;
}
