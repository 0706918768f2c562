import { spawn } from 'node:child_process';
import { ProviderError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { SttProvider, SttStreamOptions } from '../types.js';
import type { SpeechGrammar } from '../../speech-grammar.js';
import {
  buildGrammar,
  buildStructuredGrammar,
  type Grammar,
  dictionaryLines,
  type Lexicon,
  loadLexicon,
} from './pocketsphinx-grammar.js';
import { PocketsphinxStream } from './pocketsphinx-stream.js';

/**
 * Offline STT: pocketsphinx grammar decoding in one child process per call (native/ps-frontend,
 * built by scripts/build-native.sh). Decoding never runs on the event loop, a crash in C ends
 * one call's recognizer only, and the OS spreads calls over the cores. See
 * docs/adr/0001-offline-stt-process-per-call.md.
 */
export interface PocketsphinxOptions {
  /** The front-end executable (.cache/bin/ps-frontend). */
  bin: string;
  /** Acoustic model directory (…/model/en-us/en-us). 16 kHz model: audio is upsampled. */
  modelDir: string;
  /** Pronunciation dictionary: read once per provider and cached; each child gets only the
   *  words its grammars use. */
  dict: string;
  logger: Logger;
  /** VAD hangover in 10 ms frames: end-of-speech latency vs. cutting off slow talkers. Default 35. */
  vadPostspeech?: number;
  /** openStream rejects with PROVIDER_UNAVAILABLE when the child is not ready by then. Default 5000. */
  startTimeoutMs?: number;
  /** pocketsphinx's own log file (debugging); default none. */
  logFile?: string;
  /** Initial cepstral mean (13 comma-separated values); default TELEPHONE_CMN_INIT, '' = the model's. */
  cmnInit?: string;
  /** Accept lead-ins/tails around the phrase ("i want to … please"). Default true. */
  fillers?: boolean;
  /**
   * Extra pocketsphinx decoder arguments ({ '-beam': '1e-48' }), passed to the front end as
   * `--ps name value`; they override its wide default beams. See ORDER_DECODER_ARGS.
   */
  decoderArgs?: Readonly<Record<string, string>>;
}

/**
 * Narrower beams for catalog-sized grammars (orderGrammar). The front end's default beams
 * (1e-80) suit small phrase grammars; with the demo menu's order grammar they cost 4–16 s of
 * decoder CPU per turn (the word lattice grows with the word ends kept per frame). These cost
 * 0.2–7 s (median ≈ 0.9 s) per turn there, with the same accuracy on 22 test turns;
 * pocketsphinx's own defaults (1e-48, wbeam 7e-29) cost less again but lose two more turns.
 */
export const ORDER_DECODER_ARGS: Readonly<Record<string, string>> = {
  '-beam': '1e-60',
  '-pbeam': '1e-60',
  '-wbeam': '1e-40',
};

/**
 * Initial cepstral mean for telephone audio (µ-law 8 kHz upsampled to 16 kHz): the model's
 * default describes wide-band audio, and the first turn of a call is decoded before live CMN
 * has adapted. Measured as the adapted mean after a few turns of several synthetic voices sent
 * through this provider's own audio path (scripts/bench-stt.ts --cmn prints it).
 */
export const TELEPHONE_CMN_INIT =
  '52.02,31.67,-37.10,43.84,-24.45,-4.23,17.51,-33.48,5.49,-10.38,-3.20,9.19,-12.13';

const PROVIDER = 'pocketsphinx';

export function createPocketsphinxProvider(opts: PocketsphinxOptions): SttProvider {
  /** Built structured grammars by object: a flow reuses one grammar object per catalog version. */
  const structuredCache = new WeakMap<SpeechGrammar, Grammar>();
  let lexicon: Promise<Lexicon> | undefined;
  const getLexicon = (): Promise<Lexicon> => {
    lexicon ??= loadLexicon(opts.dict).catch((err: unknown) => {
      lexicon = undefined; // a later call may succeed (file restored)
      throw new ProviderError(PROVIDER, false, 'cannot read the pronunciation dictionary', {
        cause: err,
        code: 'PROVIDER_UNAVAILABLE',
      });
    });
    return lexicon;
  };
  // The decoder starts with an empty dictionary and gets each grammar's words over the
  // protocol: loading all of CMUdict in every child costs 130–280 ms of start-up and 22 MB.
  const args = [
    '--hmm',
    opts.modelDir,
    '--dict',
    '/dev/null',
    '--vad-postspeech',
    String(opts.vadPostspeech ?? 35),
    ...(opts.cmnInit === '' ? [] : ['--cmninit', opts.cmnInit ?? TELEPHONE_CMN_INIT]),
    ...(opts.logFile ? ['--log', opts.logFile] : []),
    ...Object.entries(opts.decoderArgs ?? {}).flatMap(([name, value]) => ['--ps', name, value]),
  ];
  return {
    id: PROVIDER,
    capabilities: { interim: true, grammarOnly: true, speechEvents: true },
    async openStream(sopts: SttStreamOptions, signal: AbortSignal) {
      if (signal.aborted) {
        throw new ProviderError(PROVIDER, false, 'aborted before start', {
          code: 'PROVIDER_ABORTED',
        });
      }
      const words = await getLexicon();
      const structured = (g: SpeechGrammar): Grammar => {
        let built = structuredCache.get(g);
        if (!built) {
          built = buildStructuredGrammar(g, words);
          structuredCache.set(g, built);
        }
        return built;
      };
      // Validate a structured grammar before spawning: a bad one rejects openStream.
      if (sopts.grammar) structured(sopts.grammar);
      const child = spawn(opts.bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      const stream = new PocketsphinxStream(child, {
        logger: opts.logger,
        grammarFor: (hints, grammar) =>
          grammar
            ? structured(grammar)
            : buildGrammar(hints, words, { fillers: opts.fillers ?? true }),
        pronunciations: (list) => dictionaryLines(list, words),
      });
      stream.setHints(sopts.hints, sopts.grammar ? { grammar: sopts.grammar } : undefined);
      await stream.ready(opts.startTimeoutMs ?? 5000, signal);
      const onAbort = (): void => void stream.close();
      signal.addEventListener('abort', onAbort, { once: true });
      stream.onClose(() => signal.removeEventListener('abort', onAbort));
      return stream;
    },
  };
}
