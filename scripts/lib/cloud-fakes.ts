/**
 * The three vendor fakes (Deepgram live, ElevenLabs HTTP streaming, OpenAI SSE; see test/fakes/)
 * run in a child process of their own, so their work never shares the service's or the load
 * generator's event loop. The parent talks to the child over Node IPC:
 *
 *   const fakes = await startCloudFakes({ deepgramLatencyMs: 50, … });
 *   fakes.env            // the service's env vars pointing at the fakes
 *   await fakes.dropOnNextSpeech(300);  // Deepgram: drop the socket 300 ms into the next utterance
 *   await fakes.setElevenLabsFailure(503);
 *   await fakes.counts() // requests / connections seen so far
 *   await fakes.close()
 *
 * Every control call resolves once the child has applied it. Run directly (`tsx
 * scripts/lib/cloud-fakes.ts [--dg-latency MS] [--el-first-byte MS] [--el-chunk MS]
 * [--ai-first-token MS] [--ai-token MS] [--transcript TEXT]`) it starts the fakes and prints
 * their env as one JSON line (useful by hand).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startDeepgramFake } from '../../test/fakes/deepgram-server.js';
import { startFakeElevenLabs } from '../../test/fakes/elevenlabs-server.js';
import { startFakeOpenAi } from '../../test/fakes/openai-server.js';

export interface CloudFakeLatency {
  /** Delay before each Deepgram server message (on top of the endpointing silence), ms. */
  deepgramLatencyMs: number;
  /** ElevenLabs: request → response headers and first audio bytes, ms. */
  elevenLabsFirstByteMs: number;
  /** ElevenLabs: between audio chunks, ms. */
  elevenLabsChunkMs: number;
  /** OpenAI: request → first SSE token, ms. */
  openAiFirstTokenMs: number;
  /** OpenAI: between tokens, ms. */
  openAiTokenMs: number;
  /** Deepgram transcript of every utterance (the fake detects speech by energy). */
  transcript: string;
}

export const VENDOR_LIKE: CloudFakeLatency = {
  deepgramLatencyMs: 50,
  elevenLabsFirstByteMs: 100,
  elevenLabsChunkMs: 20,
  openAiFirstTokenMs: 300,
  openAiTokenMs: 20,
  transcript: 'customer support',
};

export interface FakeCounts {
  deepgramConnections: number;
  elevenLabsRequests: number;
  elevenLabsFailed: number;
  openAiRequests: number;
}

export interface CloudFakes {
  /** STT/TTS/OpenAI env for the service (keys, URLs, voice id). */
  env: Record<string, string>;
  dropOnNextSpeech(afterMs: number): Promise<void>;
  /** Every ElevenLabs request answers `status` (undefined = healthy again). */
  setElevenLabsFailure(status: number | undefined): Promise<void>;
  counts(): Promise<FakeCounts>;
  close(): Promise<void>;
}

type Command =
  | { id: number; op: 'drop'; afterMs: number }
  | { id: number; op: 'elFail'; status: number | null }
  | { id: number; op: 'counts' }
  | { id: number; op: 'close' };
type Reply = { id: number; ok: true; value?: unknown } | { ready: Record<string, string> };

const ELEVENLABS_VOICE_ID = '21m00Tcm4TlvDq8ikWAM';

/** Forks this module as the fakes' process; resolves once the fakes listen. */
export async function startCloudFakes(
  latency: CloudFakeLatency = VENDOR_LIKE,
): Promise<CloudFakes> {
  const child = fork(fileURLToPath(import.meta.url), toArgv(latency), {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const env = await new Promise<Record<string, string>>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`vendor fakes exited with ${code}`)));
    child.once('message', (m: Reply) => ('ready' in m ? resolve(m.ready) : reject(new Error('?'))));
  });
  let next = 0;
  const ask = (cmd: Record<string, unknown>) => request(child, { id: ++next, ...cmd } as Command);
  return {
    env,
    dropOnNextSpeech: async (afterMs) => void (await ask({ op: 'drop', afterMs })),
    setElevenLabsFailure: async (status) =>
      void (await ask({ op: 'elFail', status: status ?? null })),
    counts: async () => (await ask({ op: 'counts' })) as FakeCounts,
    close: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      await ask({ op: 'close' }).catch(() => undefined);
      await exited;
    },
  };
}

function request(child: ChildProcess, cmd: Command): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Reply) => {
      if ('id' in m && m.id === cmd.id) {
        child.off('message', onMessage);
        resolve(m.value);
      }
    };
    child.on('message', onMessage);
    child.send(cmd, (err) => err && reject(err));
  });
}

function toArgv(l: CloudFakeLatency): string[] {
  return [
    ['--dg-latency', l.deepgramLatencyMs],
    ['--el-first-byte', l.elevenLabsFirstByteMs],
    ['--el-chunk', l.elevenLabsChunkMs],
    ['--ai-first-token', l.openAiFirstTokenMs],
    ['--ai-token', l.openAiTokenMs],
    ['--transcript', l.transcript],
  ].flatMap(([k, v]) => [String(k), String(v)]);
}

function fromArgv(argv: string[]): CloudFakeLatency {
  const l = { ...VENDOR_LIKE };
  const num = (i: number) => Number(argv[i]);
  for (let i = 0; i < argv.length; i += 2) {
    const f = argv[i];
    if (f === '--dg-latency') l.deepgramLatencyMs = num(i + 1);
    else if (f === '--el-first-byte') l.elevenLabsFirstByteMs = num(i + 1);
    else if (f === '--el-chunk') l.elevenLabsChunkMs = num(i + 1);
    else if (f === '--ai-first-token') l.openAiFirstTokenMs = num(i + 1);
    else if (f === '--ai-token') l.openAiTokenMs = num(i + 1);
    else if (f === '--transcript') l.transcript = argv[i + 1] ?? l.transcript;
    else throw new Error(`unknown option ${f}`);
  }
  return l;
}

/** The child: starts the fakes, announces their env, obeys commands until `close`. */
async function runChild(l: CloudFakeLatency): Promise<void> {
  const [dg, el, ai] = await Promise.all([
    startDeepgramFake({ latencyMs: l.deepgramLatencyMs, defaultTranscript: l.transcript }),
    // Chunks of 100–200 ms of audio every chunkDelayMs: faster than real time, as the vendor.
    startFakeElevenLabs({
      firstByteDelayMs: l.elevenLabsFirstByteMs,
      chunkDelayMs: l.elevenLabsChunkMs,
      chunkSizes: [1203, 797, 1601, 1009],
    }),
    startFakeOpenAi({ firstTokenDelayMs: l.openAiFirstTokenMs, tokenDelayMs: l.openAiTokenMs }),
  ]);
  const env = {
    STT_PROVIDER: 'deepgram',
    DEEPGRAM_API_KEY: dg.apiKey,
    DEEPGRAM_URL: dg.url,
    TTS_PROVIDER: 'elevenlabs',
    ELEVENLABS_API_KEY: el.apiKey,
    ELEVENLABS_URL: el.url,
    ELEVENLABS_VOICE_ID,
    OPENAI_API_KEY: ai.apiKey,
    OPENAI_BASE_URL: ai.url,
  };
  const send = (m: Reply) => (process.send ? process.send(m) : undefined);
  if (process.send) send({ ready: env });
  else process.stdout.write(`${JSON.stringify(env)}\n`);
  process.on('message', (cmd: Command) => {
    if (cmd.op === 'drop') dg.dropOnNextSpeech(cmd.afterMs);
    else if (cmd.op === 'elFail') el.options.failStatus = cmd.status ?? undefined;
    else if (cmd.op === 'counts') {
      const value: FakeCounts = {
        deepgramConnections: dg.received.connections.length,
        elevenLabsRequests: el.requests.length,
        elevenLabsFailed: el.requests.filter((r) => r.status !== 200).length,
        openAiRequests: ai.requests.length,
      };
      return send({ id: cmd.id, ok: true, value });
    } else if (cmd.op === 'close') {
      void Promise.all([dg.close(), el.close(), ai.close()]).finally(() => {
        send({ id: cmd.id, ok: true });
        process.disconnect?.();
        process.exit(0);
      });
      return;
    }
    send({ id: cmd.id, ok: true });
  });
  // The parent went away: nothing left to serve.
  process.on('disconnect', () => process.exit(0));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runChild(fromArgv(process.argv.slice(2))).catch((err: unknown) => {
    process.stderr.write(
      `vendor fakes failed: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  });
}
