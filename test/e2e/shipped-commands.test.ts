import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort } from '../../scripts/lib/bench-server.js';

const run = promisify(execFile);

/**
 * The commands a user runs: the service (src/main.ts, what `npm start` runs after set-up) and the
 * phone simulator (`npm run call`), as separate processes talking over 127.0.0.1.
 */
describe('shipped commands', () => {
  let server: ChildProcess;
  let url: string;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    for (let i = 0; i < 150; i++) {
      const ok = await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('service did not become healthy');
  }, 60_000);

  afterAll(() => {
    if (server.exitCode === null) server.kill('SIGKILL');
  });

  const call = async (...args: string[]) => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'scripts/call.ts', '--server', url, '--json', ...args],
      { timeout: 60_000 },
    );
    return JSON.parse(stdout) as {
      callSid: string;
      turns: { role: string; text: string; heard?: string }[];
      outcome: string;
      durationMs: number;
    };
  };

  it('`npm run call -- --json --dtmf 3` reaches support and the bot hangs up', async () => {
    const r = await call('--dtmf', '3');
    expect(r.callSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(r.outcome).toBe('route:support');
    expect(r.turns[0]).toEqual({
      role: 'bot',
      text: expect.stringContaining('Thanks for calling'),
    });
    expect(r.turns).toContainEqual({ role: 'caller', text: '[keys 3]', heard: '3' });
    expect(r.turns[r.turns.length - 1]!.text).toContain('support');
  }, 60_000);

  it('the service drains and exits with code 0 on SIGTERM', async () => {
    const h = (await (await fetch(`${url}/health`)).json()) as { liveCalls: number };
    expect(h.liveCalls).toBe(0);
    const exited = new Promise<number | null>((r) => server.once('exit', (code) => r(code)));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 30_000);
});
