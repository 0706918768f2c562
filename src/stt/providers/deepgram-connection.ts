import type { DeepgramClient } from '@deepgram/sdk';
import { type ErrorCode, ProviderError } from '../../errors.js';
import { AudioClock } from './pocketsphinx-protocol.js';

const PROVIDER = 'deepgram';
type ListenSocket = Awaited<ReturnType<DeepgramClient['listen']['v1']['connect']>>;
export type ControlMessage = 'KeepAlive' | 'Finalize' | 'CloseStream';

/**
 * One Listen v1 WebSocket opened through the SDK with the SDK's own reconnects disabled (the
 * stream decides when and how to reconnect). Sends never throw: a send on a socket that is not
 * open returns false. `onClose` fires once, whoever closed.
 */
export class ListenConnection {
  private readonly clock = new AudioClock(3000);
  private sentAudioMs = 0;
  private closeListener: ((code: number, reason: string) => void) | undefined;
  private closedCode: number | undefined;
  /** Date.now() of the last frame (audio or control) sent. */
  lastSendAtMs = Date.now();

  constructor(
    readonly id: number,
    private readonly socket: ListenSocket,
  ) {}

  isOpen(): boolean {
    return this.closedCode === undefined && this.socket.readyState === 1;
  }

  /** `wallMs` = when this audio was written by the caller side (kept through replays). */
  sendAudio(ulaw: Buffer, wallMs: number): boolean {
    if (!this.isOpen()) return false;
    try {
      this.socket.sendMedia(ulaw);
    } catch {
      return false;
    }
    this.sentAudioMs += ulaw.length / 8;
    this.clock.mark(this.sentAudioMs, wallMs);
    this.lastSendAtMs = Date.now();
    return true;
  }

  /** Control messages go as text frames (JSON), never binary. */
  sendControl(type: ControlMessage): boolean {
    if (!this.isOpen()) return false;
    try {
      if (type === 'KeepAlive') this.socket.sendKeepAlive({ type });
      else if (type === 'Finalize') this.socket.sendFinalize({ type });
      else this.socket.sendCloseStream({ type });
    } catch {
      return false;
    }
    this.lastSendAtMs = Date.now();
    return true;
  }

  /** Wall-clock ms at which the audio at `audioSec` (this socket's timeline) was written. */
  wallAt(audioSec: number, fallbackMs: number): number {
    return this.clock.wallAt(audioSec * 1000, fallbackMs);
  }

  onMessage(listener: (raw: unknown) => void): void {
    this.socket.on('message', listener);
  }

  onClose(listener: (code: number, reason: string) => void): void {
    this.closeListener = listener;
  }

  /** Called by the socket's close handler (installed at connect). */
  handleClose(code: number, reason: string): void {
    if (this.closedCode !== undefined) return;
    this.closedCode = code;
    this.closeListener?.(code, reason);
  }

  /** CloseStream, then up to `graceMs` for the server's last results and close; then close. */
  async drain(graceMs: number): Promise<void> {
    if (!this.isOpen() || graceMs <= 0 || !this.sendControl('CloseStream')) return this.close();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, graceMs);
      this.onClose(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.close();
  }

  /** Closes now (no CloseStream). */
  close(): void {
    if (this.closedCode === undefined) this.socket.close();
    this.handleClose(1000, 'client');
  }
}

export interface ConnectOptions {
  query: Record<string, unknown>;
  apiKey: string;
  timeoutMs: number;
  signal: AbortSignal;
  id: number;
}

/** Opens one socket; rejects with a classified ProviderError (see classifyConnectFailure). */
export async function openListenConnection(
  client: DeepgramClient,
  o: ConnectOptions,
): Promise<ListenConnection> {
  if (o.signal.aborted) throw aborted();
  const socket = await client.listen.v1.connect({
    ...(o.query as { model: string }),
    Authorization: `Token ${o.apiKey}`,
    // Reconnects are the stream's decision (its own budget and audio replay), not the SDK's.
    reconnectAttempts: 0,
    shouldReconnect: () => false,
    connectionTimeoutInSeconds: Math.ceil(o.timeoutMs / 1000) + 1,
  });
  return awaitOpen(socket, new ListenConnection(o.id, socket), o);
}

function awaitOpen(
  socket: ListenSocket,
  conn: ListenConnection,
  o: ConnectOptions,
): Promise<ListenConnection> {
  return new Promise<ListenConnection>((resolve, reject) => {
    let settled = false;
    let handshakeError: string | undefined;
    const settle = (err?: ProviderError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
      if (!err) return resolve(conn);
      conn.close();
      reject(err);
    };
    const onAbort = (): void => settle(aborted());
    const timer = setTimeout(() => settle(classifyConnectFailure('TIMEOUT')), o.timeoutMs);
    o.signal.addEventListener('abort', onAbort, { once: true });
    socket.on('open', () => settle());
    socket.on('error', (err: Error) => {
      handshakeError ??= err.message;
      settle(classifyConnectFailure(err.message));
    });
    socket.on('close', (ev: { code?: number; reason?: string }) => {
      // The SDK reports a failed handshake as a close and then an error: let the error land.
      if (!settled) setImmediate(() => settle(classifyConnectFailure(handshakeError ?? 'closed')));
      else conn.handleClose(ev.code ?? 1006, ev.reason ?? '');
    });
    socket.connect();
  });
}

function aborted(): ProviderError {
  return new ProviderError(PROVIDER, false, 'aborted while connecting', {
    code: 'PROVIDER_ABORTED',
  });
}

/**
 * Handshake failures: 401/403 = bad credentials (STT_AUTH, not retryable); other 4xx = a
 * request we must fix (PROVIDER_FAILED, not retryable); 5xx/429, timeouts and network errors =
 * PROVIDER_UNAVAILABLE, retryable.
 */
export function classifyConnectFailure(message: string): ProviderError {
  const status = Number(/Unexpected server response: (\d{3})/.exec(message)?.[1] ?? 0);
  let code: ErrorCode = 'PROVIDER_UNAVAILABLE';
  let retryable = true;
  if (status === 401 || status === 403) {
    code = 'STT_AUTH';
    retryable = false;
  } else if (status >= 400 && status < 500 && status !== 429 && status !== 408) {
    code = 'PROVIDER_FAILED';
    retryable = false;
  }
  const what = status ? `HTTP ${status}` : message === 'TIMEOUT' ? 'timeout' : 'network error';
  return new ProviderError(PROVIDER, retryable, `deepgram connect failed: ${what}`, { code });
}
