import type { SttEvent, SttProvider, SttStream } from '../types.js';

/**
 * No speech recognition: the call is keypad-only (DTMF arrives from the telephony leg, not here).
 * For deployments without a recognizer and for DTMF-driven capacity benchmarks. Emits nothing.
 */
export function createKeypadOnlyProvider(): SttProvider {
  return {
    id: 'none',
    capabilities: { interim: false, grammarOnly: true, speechEvents: false },
    async openStream(): Promise<SttStream> {
      const stream: SttStream = {
        onEvent(_listener: (e: SttEvent) => void) {},
        write() {},
        setHints() {},
        finalize() {},
        async close() {},
      };
      return stream;
    },
  };
}
