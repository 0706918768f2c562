import { errorSummary } from '../errors.js';
import type { Logger } from '../logger.js';
import type { CallRecord } from '../call/call-record.js';
import {
  CUSTOMER_INTERACTIONS_KEPT,
  customerKey,
  type CustomerDoc,
  type CustomerModel,
  type Interaction,
} from '../store/models/customer.model.js';
import { E164 } from '../store/models/validators.js';
import { isDuplicateKey } from '../store/mongo-errors.js';

/** A caller as one tenant knows them. */
export interface CustomerProfile {
  tenantId: string;
  phone: string;
  name?: string;
  notes?: string;
  preferences: Record<string, string>;
  /** Oldest first. */
  lastInteractions: Interaction[];
  callCount: number;
}

/** Attempts of the read-modify-write in `remember` before giving up (concurrent writers). */
const REMEMBER_ATTEMPTS = 4;

/**
 * Customers of tenants. Every read and write names the tenant: (tenantId, phone) is the key, so
 * one tenant never sees another's customers.
 */
export class CustomerBook {
  constructor(private readonly model: CustomerModel) {}

  async find(tenantId: string, phone: string): Promise<CustomerProfile | undefined> {
    if (!E164.test(phone)) return undefined;
    const doc = await this.model.findById(customerKey(tenantId, phone)).lean<CustomerDoc>().exec();
    return doc ? toProfile(doc) : undefined;
  }

  /** Creates or updates what the business knows about a caller (name, notes, preferences). */
  async save(
    tenantId: string,
    phone: string,
    about: { name?: string; notes?: string; preferences?: Record<string, string> },
  ): Promise<void> {
    const set: Record<string, unknown> = {};
    if (about.name !== undefined) set.name = about.name;
    if (about.notes !== undefined) set.notes = about.notes;
    if (about.preferences !== undefined) set.preferences = about.preferences;
    await this.model
      .updateOne(
        { _id: customerKey(tenantId, phone) },
        {
          $set: set,
          $setOnInsert: {
            tenantId,
            phone,
            createdAtMs: Date.now(),
            callCount: 0,
            lastInteractions: [],
            rev: 0,
          },
        },
        { upsert: true, runValidators: true },
      )
      .exec();
  }

  /**
   * Records one call of `phone` to `tenantId`, keeping the last CUSTOMER_INTERACTIONS_KEPT.
   * Idempotent per callSid. A conditional update on `rev` makes concurrent writers retry
   * (FerretDB ignores `$push` with `$slice`, so the trimmed list is computed here).
   */
  async remember(tenantId: string, phone: string, it: Interaction): Promise<void> {
    if (!E164.test(phone)) return;
    const key = customerKey(tenantId, phone);
    for (let attempt = 0; attempt < REMEMBER_ATTEMPTS; attempt++) {
      const doc = await this.model.findById(key).lean<CustomerDoc>().exec();
      if (!doc) {
        if (await this.insertFirst(tenantId, phone, it)) return;
        continue;
      }
      const past = doc.lastInteractions ?? [];
      if (past.some((i) => i.callSid === it.callSid)) return;
      const next = [...past, it].slice(-CUSTOMER_INTERACTIONS_KEPT);
      const rev = doc.rev === undefined ? { $exists: false } : doc.rev;
      const r = await this.model
        .updateOne(
          { _id: key, rev },
          {
            $set: { lastInteractions: next, lastCallAtMs: it.atMs },
            $inc: { callCount: 1, rev: 1 },
          },
        )
        .exec();
      if (r.matchedCount === 1) return;
    }
  }

  /** False when another writer created the customer first (then `remember` reads it again). */
  private async insertFirst(tenantId: string, phone: string, it: Interaction): Promise<boolean> {
    try {
      await this.model.create({
        _id: customerKey(tenantId, phone),
        tenantId,
        phone,
        lastInteractions: [it],
        callCount: 1,
        lastCallAtMs: it.atMs,
        createdAtMs: Date.now(),
        rev: 1,
      });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }
}

/**
 * The end-of-call hook: remembers the call on the customer's record (the caller, or the callee of
 * an outbound call). Runs after the call
 * (never on the media path); a failure is logged, never thrown.
 */
export function rememberCallEnd(book: CustomerBook, logger: Logger): (rec: CallRecord) => void {
  return (rec) => {
    const phone = rec.direction.startsWith('outbound') ? rec.to : rec.from;
    if (!rec.tenantId || !phone || !E164.test(phone)) return;
    const it: Interaction = {
      callSid: rec.callSid,
      atMs: rec.startedAtMs,
      ...(rec.flow ? { flowId: rec.flow.id } : {}),
      ...(rec.outcome ? { outcome: rec.outcome } : {}),
    };
    book.remember(rec.tenantId, phone, it).catch((err: unknown) => {
      logger.warn(
        { err: errorSummary(err), callSid: rec.callSid },
        'customer interaction not saved',
      );
    });
  };
}

function toProfile(d: CustomerDoc): CustomerProfile {
  const prefs =
    d.preferences instanceof Map ? Object.fromEntries(d.preferences) : (d.preferences ?? {});
  return {
    tenantId: d.tenantId,
    phone: d.phone,
    preferences: prefs as Record<string, string>,
    lastInteractions: (d.lastInteractions ?? []).map(({ callSid, atMs, flowId, outcome }) => ({
      callSid,
      atMs,
      ...(flowId ? { flowId } : {}),
      ...(outcome ? { outcome } : {}),
    })),
    callCount: d.callCount ?? 0,
    ...(d.name ? { name: d.name } : {}),
    ...(d.notes ? { notes: d.notes } : {}),
  };
}
