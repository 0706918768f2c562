import { runSimulatedCall } from '../../scripts/lib/simulated-call.js';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';

/**
 * The whole call path with real parts: signed webhook → TwiML → Media Stream over a real
 * WebSocket → pocketsphinx (grammar per state) / DTMF → XState flow → espeak-ng → paced µ-law
 * frames and marks back, with the fake Twilio playing them out in real time.
 */
describe('call path (offline engines, real protocol)', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer();
  });
  afterAll(async () => {
    await srv.stopAll();
  });
  const call = (steps: Parameters<typeof runSimulatedCall>[0]['steps']) =>
    runSimulatedCall({ server: srv.url, from: '+15550001111', to: '+15550002222', steps });

  it('keypad: pressing 3 reaches support and the bot hangs up', async () => {
    const r = await call([{ kind: 'dtmf', digits: '3' }]);
    expect(r.problems).toEqual([]);
    expect(r.outcome).toBe('route:support');
    expect(r.client.stats().invalidReceived).toBe(0);
    expect((await r.client.closed).initiatedBy).toBe('server');
    const caller = r.turns.filter((t) => t.role === 'caller');
    expect(caller).toEqual([{ role: 'caller', text: '[keys 3]', heard: '3' }]);
    // Every bot turn carries its latency waterfall.
    const bot = r.record!.turns.filter((t) => t.role === 'bot');
    for (const t of bot) {
      expect(t.timings.decidedMs).toBeDefined();
      expect(t.timings.firstFrameSentMs).toBeDefined();
      expect(t.timings.playbackDoneMs).toBeDefined();
    }
  }, 60_000);

  it('speech: saying "support" reaches support', async () => {
    const r = await call([{ kind: 'say', text: 'support' }]);
    expect(r.problems).toEqual([]);
    const heard = r.turns.filter((t) => t.role === 'caller').map((t) => t.heard);
    expect(heard[0]).toContain('support');
    expect(r.outcome).toBe('route:support');
  }, 60_000);

  it('silence: the caller is re-prompted, then the bot says goodbye and hangs up', async () => {
    const r = await call([{ kind: 'silence', ms: 40_000 }]);
    expect(r.problems).toEqual([]);
    expect(r.outcome).toBe('no-input');
    expect((await r.client.closed).initiatedBy).toBe('server');
    const prompts = r.record!.turns.filter((t) => t.role === 'bot').map((t) => t.prompt);
    expect(prompts.filter((p) => p === 'main-menu.no-input').length).toBeGreaterThanOrEqual(1);
    expect(prompts[prompts.length - 1]).toBe('main-menu.goodbye-no-input');
    expect(r.record!.turns.filter((t) => t.role === 'caller' && t.noInput)).toHaveLength(3);
    expect(r.turns.filter((t) => t.text === '[no input]')).toHaveLength(3);
  }, 90_000);

  it('barge-in: speaking over the menu prompt cuts it off with `clear`', async () => {
    const { placeCall } = await import('../../scripts/lib/twilio-client.js');
    const { synthesizeCallerFrames } = await import('../helpers/speech.js');
    const { client, callSid } = await placeCall({
      server: srv.url,
      from: '+15550001111',
      to: '+15550002222',
    });
    const speech = await synthesizeCallerFrames('I want to order');
    await client.waitForBotSpeaking(10_000);
    await new Promise((r) => setTimeout(r, 2500)); // well into the menu prompt
    const cleared = client.waitFor('clear', () => true, 10_000);
    await client.streamFrames(speech);
    await cleared;
    const interrupted = client.playback.utterances.find((u) => u.interrupted);
    expect(interrupted).toBeDefined();
    // The caller's words still count as the answer to the interrupted prompt.
    const deadline = Date.now() + 10_000;
    let rec = await srv.persistence.recorder.get(callSid);
    while (!rec?.turns.some((t) => t.role === 'caller') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      rec = await srv.persistence.recorder.get(callSid);
    }
    await client.stop();
    expect(rec?.turns.some((t) => t.role === 'bot' && t.interrupted)).toBe(true);
    expect(rec?.turns.find((t) => t.role === 'caller')?.text).toContain('order');
    expect(rec?.counters.bargeIns).toBeGreaterThanOrEqual(1);
    expect(srv.stats.bargeIn.count).toBeGreaterThanOrEqual(1);
  }, 60_000);

  describe('when synthesis fails mid-call', () => {
    let failing: TestServer;
    beforeAll(async () => {
      failing = await startTestServer({ ESPEAK_BIN: 'test/fixtures/espeak-failing-on.sh' });
    });
    afterAll(async () => {
      await failing.stopAll();
    });

    it('the caller hears the apology (never dead air) and the call still ends politely', async () => {
      const r = await runSimulatedCall({
        server: failing.url,
        from: '+15550001111',
        to: '+15550002222',
        steps: [{ kind: 'dtmf', digits: '3' }],
      });
      expect(r.outcome).toBe('route:support');
      expect((await r.client.closed).initiatedBy).toBe('server');
      // "Support. One moment." is synthesized, the next sentence fails: the apology follows at
      // once and the hang-up waits until it has played (~1.3 s + ~2.6 s of audio).
      const last = r.client.playback.utterances.at(-1)!;
      expect(last.interrupted).toBe(false);
      expect(last.audioMs).toBeGreaterThan(3500);
      const prompts = r.record!.turns.filter((t) => t.role === 'bot').map((t) => t.prompt);
      expect(prompts.at(-1)).toBe('main-menu.route-support');
    }, 60_000);
  });
});
