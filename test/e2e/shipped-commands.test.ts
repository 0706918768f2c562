import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../scripts/lib/bench-server.js';
import type { CallRecord } from '../../src/call/call-record.js';

const run = promisify(execFile);

interface SimJson {
  callSid: string;
  turns: { role: string; text: string; heard?: string }[];
  outcome: string;
  durationMs: number;
}

/**
 * The commands a user runs, as separate processes over 127.0.0.1: the service (src/main.ts, what
 * `npm start` runs after set-up: no MONGODB_URI, so its own embedded database in DATA_DIR) and the
 * phone simulator (`npm run call`).
 */
describe('shipped commands', () => {
  let dataDir: string;
  let port: number;
  let url: string;
  let server: ChildProcess | undefined;

  async function startService(): Promise<void> {
    server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        DATA_DIR: dataDir,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    for (let i = 0; i < 300; i++) {
      const ok = await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('service did not become healthy');
  }

  async function stopService(): Promise<number | null> {
    const s = server!;
    const exited = new Promise<number | null>((r) => s.once('exit', (code) => r(code)));
    s.kill('SIGTERM');
    return exited;
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'ivr-e2e-'));
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    await startService();
  }, 60_000);

  afterAll(async () => {
    if (server && server.exitCode === null) server.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  const call = async (...args: string[]): Promise<SimJson> => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'scripts/call.ts', '--server', url, '--json', ...args],
      { timeout: 60_000 },
    );
    return JSON.parse(stdout) as SimJson;
  };

  let placed: SimJson;

  it('`npm run call -- --json --dtmf 3` reaches support and the bot hangs up', async () => {
    placed = await call('--dtmf', '3');
    expect(placed.callSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(placed.outcome).toBe('route:support');
    expect(placed.turns[0]).toEqual({
      role: 'bot',
      text: expect.stringContaining('Thanks for calling'),
    });
    expect(placed.turns).toContainEqual({ role: 'caller', text: '[keys 3]', heard: '3' });
    expect(placed.turns[placed.turns.length - 1]!.text).toContain('support');
  }, 60_000);

  it('drains and exits 0 on SIGTERM; the call is still listed, with turns and timings, after a restart', async () => {
    expect(await stopService()).toBe(0);
    await startService();
    const list = (await (await fetch(`${url}/api/calls?limit=10`)).json()) as {
      items: CallRecord[];
    };
    const rec = list.items.find((c) => c.callSid === placed.callSid);
    expect(rec).toBeDefined();
    expect(rec!.outcome).toBe('route:support');
    const bot = rec!.turns.filter((t) => t.role === 'bot');
    expect(bot.length).toBeGreaterThanOrEqual(3);
    expect(bot.every((t) => t.timings.firstFrameSentMs !== undefined)).toBe(true);
    expect(rec!.turns.some((t) => t.role === 'caller' && t.digits === '3')).toBe(true);
    expect(await stopService()).toBe(0);
  }, 90_000);
});
