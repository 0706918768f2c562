import type { FlowDefinition } from '../../src/dialog/flow-schema.js';
import type { FlowEdge } from '../../src/dialog/flow-graph.js';
import type { DialogHarness } from './dialog-harness.js';

/** An utterance no flow should understand. */
export const GIBBERISH = 'xylophone zebra quantum';

function choiceInput(h: DialogHarness, choice: { phrases: string[]; dtmf?: string | undefined }) {
  if (choice.dtmf !== undefined) h.press(choice.dtmf);
  else h.say(choice.phrases[0] ?? '', 1);
}

/**
 * Sends the caller input that takes `edge` from its source state, as the session would:
 * playback finishes first, then the input. Throws for edges it cannot drive.
 */
export function driveEdge(h: DialogHarness, flow: FlowDefinition, edge: FlowEdge): void {
  const state = flow.states[edge.from];
  const via = edge.via;
  if (via.kind === 'next') return;
  if (via.kind === 'choice') {
    const choice = state?.listen?.choices.find((c) => c.id === via.id);
    if (!choice) throw new Error(`no choice ${via.id} in ${edge.from}`);
    return choiceInput(h, choice);
  }
  if (via.kind === 'global') {
    const g = flow.globals[via.id];
    if (!g) throw new Error(`no global ${via.id}`);
    return choiceInput(h, g);
  }
  if (via.kind === 'failure') {
    const times = via.exhausted ? (state?.retry?.maxFailures ?? flow.defaults.maxFailures) : 1;
    for (let i = 0; i < times; i++) {
      if (via.failure === 'noInput') h.silence();
      else h.say(GIBBERISH, 1);
    }
    return;
  }
  if (via.kind === 'error') {
    h.finishPlayback();
    h.send({ type: 'bot.error', code: 'PROVIDER_FAILED' });
    return;
  }
  if (via.kind === 'digits') {
    const d = state?.listen?.digits;
    for (let i = 0; i < (d?.max ?? 1); i++) h.press('1');
    return;
  }
  if (via.kind === 'task') {
    h.finishPlayback();
    h.answer(via.outcome);
    return;
  }
  throw new Error(`cannot drive ${via.kind} edges of ${edge.from}`);
}
