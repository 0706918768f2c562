/** Live calls in this process: counted for health/metrics and drained on shutdown. */
export class CallRegistry {
  private readonly live = new Map<string, Promise<void>>();

  track(callSid: string, ended: Promise<void>): void {
    this.live.set(callSid, ended);
    const drop = () => {
      if (this.live.get(callSid) === ended) this.live.delete(callSid);
    };
    ended.then(drop, drop);
  }

  get size(): number {
    return this.live.size;
  }

  /** Resolves when every live call has ended, or after `timeoutMs`; returns calls still live. */
  async drain(timeoutMs: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)));
    await Promise.race([Promise.allSettled([...this.live.values()]), timeout]);
    clearTimeout(timer);
    return this.live.size;
  }
}
