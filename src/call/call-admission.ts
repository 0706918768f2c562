import { errorSummary } from '../errors.js';
import type { Logger } from '../logger.js';
import type { CustomerBook } from '../domain/customers.js';
import type { TenantDirectory } from '../domain/tenants.js';
import type { CallContexts } from './call-contexts.js';

/** An inbound call as the voice webhook sees it. Phone numbers are PII. */
export interface IncomingCall {
  callSid: string;
  from: string;
  to: string;
  direction: string;
}

/**
 * The webhook's decision. `accept`: stream the call, tagged with the tenant and the flow of the
 * dialled number (if it names one). `reject`: say so and hang up; `not-in-service` when no tenant
 * owns the number, `unavailable` when the tenant could not be looked up.
 */
export type Admission =
  | { kind: 'accept'; tenantId: string; flowId?: string }
  | { kind: 'reject'; reason: 'not-in-service' | 'unavailable' };

export interface CallAdmissionDeps {
  tenants: TenantDirectory;
  customers: CustomerBook;
  contexts: CallContexts;
  logger: Logger;
}

/**
 * Decides at webhook time who a call is for: the tenant from the dialled number (never a
 * default), and the caller from the customer book of that tenant. Stores what it found in
 * `contexts` for the stream. A failing customer lookup does not refuse the call (the caller is
 * just not greeted by name).
 */
export function createCallAdmission(d: CallAdmissionDeps): (c: IncomingCall) => Promise<Admission> {
  return async (call) => {
    let route;
    try {
      route = await d.tenants.byNumber(call.to);
    } catch (err) {
      d.logger.error({ err: errorSummary(err), callSid: call.callSid }, 'tenant lookup failed');
      return { kind: 'reject', reason: 'unavailable' };
    }
    if (!route) {
      d.logger.warn(
        { callSid: call.callSid, pii: { to: call.to } },
        'call to a number no tenant owns',
      );
      return { kind: 'reject', reason: 'not-in-service' };
    }
    const { tenant } = route;
    const callerName = await findCallerName(d, tenant.id, call);
    d.contexts.put(call.callSid, {
      tenantId: tenant.id,
      tenantName: tenant.name,
      timeZone: tenant.timeZone,
      ...(tenant.voice ? { voice: tenant.voice } : {}),
      ...(callerName ? { callerName } : {}),
    });
    return {
      kind: 'accept',
      tenantId: tenant.id,
      ...(route.flowId ? { flowId: route.flowId } : {}),
    };
  };
}

async function findCallerName(
  d: CallAdmissionDeps,
  tenantId: string,
  call: IncomingCall,
): Promise<string | undefined> {
  try {
    return (await d.customers.find(tenantId, call.from))?.name;
  } catch (err) {
    d.logger.warn({ err: errorSummary(err), callSid: call.callSid }, 'customer lookup failed');
    return undefined;
  }
}
