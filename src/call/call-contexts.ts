/**
 * What the voice webhook learned about a call (tenant, caller), for the media stream of the same
 * call. Lookups happen at webhook time, over HTTP, so the media path never waits for a database.
 */
export interface CallContext {
  tenantId: string;
  /** Spoken as `businessName`. */
  tenantName: string;
  /** TTS voice of the tenant, when it has its own. */
  voice?: string;
  timeZone: string;
  /** A returning caller's name, as the business knows it (PII: log under `pii` only). */
  callerName?: string;
}

/**
 * In-process hand-over from the webhook to the stream: `put` when TwiML is answered, `take` when
 * the stream starts (Twilio connects within seconds). Entries expire after `ttlMs` (a stream that
 * never came) and at most `max` are held, oldest dropped first. With several service instances
 * behind one number the stream may reach another instance: it then runs with the `tenantId`
 * stream parameter and without the caller's name.
 */
export class CallContexts {
  private readonly entries = new Map<string, { ctx: CallContext; atMs: number }>();

  constructor(
    private readonly ttlMs = 120_000,
    private readonly max = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  put(callSid: string, ctx: CallContext): void {
    this.entries.delete(callSid);
    this.entries.set(callSid, { ctx, atMs: this.now() });
    this.prune();
  }

  /** The context of `callSid`, once: it is removed. */
  take(callSid: string): CallContext | undefined {
    const e = this.entries.get(callSid);
    this.entries.delete(callSid);
    if (!e || this.now() - e.atMs > this.ttlMs) return undefined;
    return e.ctx;
  }

  get size(): number {
    return this.entries.size;
  }

  private prune(): void {
    const now = this.now();
    for (const [sid, e] of this.entries) {
      if (this.entries.size <= this.max && now - e.atMs <= this.ttlMs) break;
      this.entries.delete(sid);
    }
  }
}
