/**
 * Failover in the real server: Deepgram and ElevenLabs (local fakes speaking their protocols)
 * refuse our credentials, so the composed providers fall back to pocketsphinx and espeak-ng.
 * The caller is still served by speech; /health and /metrics tell the operator what happened.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runSimulatedCall } from '../../scripts/lib/simulated-call.js';
import { startDeepgramFake, type DeepgramFake } from '../fakes/deepgram-server.js';
import { startFakeElevenLabs, type FakeElevenLabs } from '../fakes/elevenlabs-server.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let deepgram: DeepgramFake;
let elevenlabs: FakeElevenLabs;
let srv: TestServer;
let flowsDir: string;

/**
 * The shipped main menu without its sub-flow branches (order, status, cancel): this suite is
 * about providers, so it does not depend on the state of the other flows.
 */
async function mainMenuOnly(): Promise<string> {
  const flow = JSON.parse(await readFile('flows/main-menu.flow.json', 'utf8')) as {
    states: Record<string, { invoke?: unknown; listen?: { choices: { id: string }[] } }>;
  };
  const dropped = new Set(['order', 'orderStatus', 'cancelOrder']);
  const menu = flow.states.menu as {
    listen: { choices: { id: string }[] };
    on: Record<string, string>;
    confirm: { prompts: Record<string, string> };
  };
  menu.listen.choices = menu.listen.choices.filter((c) => !dropped.has(c.id));
  for (const id of dropped) {
    delete menu.on[id];
    delete menu.confirm.prompts[id];
  }
  for (const [name, state] of Object.entries(flow.states)) {
    if (state.invoke) delete flow.states[name];
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ivr-flows-'));
  await writeFile(path.join(dir, 'main-menu.flow.json'), JSON.stringify(flow));
  return dir;
}

beforeAll(async () => {
  flowsDir = await mainMenuOnly();
  deepgram = await startDeepgramFake({ apiKey: 'the-right-deepgram-key' });
  elevenlabs = await startFakeElevenLabs({ apiKey: 'the-right-elevenlabs-key' });
  srv = await startTestServer({
    STT_PROVIDER: 'deepgram',
    STT_FALLBACK: 'pocketsphinx',
    DEEPGRAM_URL: deepgram.url,
    DEEPGRAM_API_KEY: 'a-revoked-deepgram-key',
    TTS_PROVIDER: 'elevenlabs',
    ELEVENLABS_URL: elevenlabs.url,
    ELEVENLABS_API_KEY: 'a-revoked-elevenlabs-key',
    ELEVENLABS_VOICE_ID: 'voice-under-test',
    FLOWS_DIR: flowsDir,
    PROVIDER_COOLDOWN_MS: '600000',
  });
}, 90_000);
afterAll(async () => {
  await srv?.stopAll();
  await deepgram?.close();
  await elevenlabs?.close();
  if (flowsDir) await rm(flowsDir, { recursive: true, force: true });
});

const metricValue = (body: string, series: string): number | undefined => {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('cloud providers refusing credentials', () => {
  it('a caller is still understood (pocketsphinx) and answered (espeak-ng)', async () => {
    const call = (steps: Parameters<typeof runSimulatedCall>[0]['steps']) =>
      runSimulatedCall({ server: srv.url, from: '+15550001111', to: '+15550002222', steps });
    const r = await call([{ kind: 'say', text: 'support' }]);
    expect(r.problems).toEqual([]);
    expect(r.turns.filter((t) => t.role === 'caller')[0]?.heard).toContain('support');
    expect(r.outcome).toBe('route:support');
    expect(r.turns.some((t) => t.role === 'bot' && t.text.length > 0)).toBe(true);
    // One refused upgrade (401, not retried) turned Deepgram down for the cooldown ...
    expect(deepgram.received.upgrades).toBe(1);
    expect(deepgram.received.connections).toHaveLength(0);
    // ... so the next call does not knock on its door again.
    const r2 = await call([{ kind: 'dtmf', digits: '3' }]);
    expect(r2.outcome).toBe('route:support');
    expect(deepgram.received.upgrades).toBe(1);
  }, 90_000);

  it('/health lists the cloud providers as down and the offline ones as up', async () => {
    const body = (await (await fetch(`${srv.url}/health`)).json()) as {
      providers?: Record<string, string>;
    };
    expect(body.providers).toEqual({
      deepgram: 'down',
      pocketsphinx: 'up',
      elevenlabs: 'down',
      espeak: 'up',
    });
  });

  it('/metrics counts the errors and fallbacks and shows the providers down', async () => {
    const body = await (await fetch(`${srv.url}/metrics`)).text();
    expect(metricValue(body, 'ivr_provider_up{provider="deepgram"}')).toBe(0);
    expect(metricValue(body, 'ivr_provider_up{provider="elevenlabs"}')).toBe(0);
    expect(metricValue(body, 'ivr_provider_up{provider="pocketsphinx"}')).toBe(1);
    expect(metricValue(body, 'ivr_provider_up{provider="espeak"}')).toBe(1);
    expect(
      metricValue(body, 'ivr_provider_errors_total{provider="deepgram",code="STT_AUTH"}'),
    ).toBe(1);
    expect(
      metricValue(
        body,
        'ivr_provider_fallbacks_total{kind="stt",from="deepgram",to="pocketsphinx"}',
      ),
    ).toBeGreaterThanOrEqual(1);
    expect(
      metricValue(body, 'ivr_provider_fallbacks_total{kind="tts",from="elevenlabs",to="espeak"}'),
    ).toBeGreaterThanOrEqual(1);
  });
});
