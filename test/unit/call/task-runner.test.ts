import { silentLogger } from '../../../src/logger.js';
import { CallTasks, type TaskCatalog, type TaskRunHooks } from '../../../src/call/task-runner.js';
import type { TaskHandler, TaskSpec } from '../../../src/dialog/task-types.js';

const logger = silentLogger();

function catalog(handlers: Record<string, TaskHandler>, specs: TaskSpec[] = []): TaskCatalog {
  return {
    handlers: new Map(Object.entries(handlers)),
    specs: new Map(specs.map((s) => [s.name, s])),
    vocabularies: new Map([
      ['menu', () => Promise.resolve({ phrases: ['pepperoni'] })],
      ['broken', () => Promise.reject(new Error('db down'))],
    ]),
  };
}

function hooks(spoken: string[] = [], cutAfter = Infinity): TaskRunHooks & { slowCalls: number } {
  const h = {
    slowCalls: 0,
    speak: (s: string) => {
      spoken.push(s);
      return Promise.resolve(spoken.length >= cutAfter);
    },
    slow: () => {
      h.slowCalls++;
    },
    stages: () => {},
  };
  return h;
}

const ctx = { callSid: 'CA1', logger };

describe('CallTasks', () => {
  it('returns the handler outcome and slots', async () => {
    const t = new CallTasks(
      catalog({
        'cart.add': (input) => Promise.resolve({ outcome: 'added', slots: { n: Number(input.n) } }),
      }),
      ctx,
      new AbortController().signal,
      logger,
    );
    await expect(t.run('cart.add', { n: 2 }, hooks())).resolves.toEqual({
      outcome: 'added',
      slots: { n: 2 },
    });
  });

  it('an unknown task is unavailable; a throwing handler is error', async () => {
    const t = new CallTasks(
      catalog({ bad: () => Promise.reject(new Error('boom')) }),
      ctx,
      new AbortController().signal,
      logger,
    );
    await expect(t.run('nope', {}, hooks())).resolves.toEqual({ outcome: 'unavailable' });
    await expect(t.run('bad', {}, hooks())).resolves.toEqual({ outcome: 'error' });
  });

  it('times out a handler that ignores its signal, and aborts the signal it was given', async () => {
    let seen: AbortSignal | undefined;
    const hang: TaskHandler = (_i, _c, signal) => {
      seen = signal;
      return new Promise(() => {});
    };
    const t = new CallTasks(
      catalog({ hang }, [{ name: 'hang', description: '', outcomes: [], timeoutMs: 50 }]),
      ctx,
      new AbortController().signal,
      logger,
    );
    await expect(t.run('hang', {}, hooks())).resolves.toEqual({ outcome: 'error' });
    expect(seen?.aborted).toBe(true);
  });

  it('asks for a filler when a task is slow', async () => {
    const slow: TaskHandler = () =>
      new Promise((r) => setTimeout(() => r({ outcome: 'ok' }), 1200));
    const t = new CallTasks(catalog({ slow }), ctx, new AbortController().signal, logger);
    const h = hooks();
    await expect(t.run('slow', {}, h)).resolves.toEqual({ outcome: 'ok' });
    expect(h.slowCalls).toBe(1);
  });

  it('the call ending aborts a running task', async () => {
    const call = new AbortController();
    const hang: TaskHandler = () => new Promise(() => {});
    const t = new CallTasks(catalog({ hang }), ctx, call.signal, logger);
    const run = t.run('hang', {}, hooks());
    call.abort();
    await expect(run).resolves.toEqual({ outcome: 'error' });
  });

  it('speaks streamed sentences in order and stops at a barge-in', async () => {
    async function* sentences() {
      yield 'First.';
      yield '  ';
      yield 'Second.';
      yield 'Third.';
    }
    const t = new CallTasks(
      catalog({ faq: () => Promise.resolve({ outcome: 'answered', speech: sentences() }) }),
      ctx,
      new AbortController().signal,
      logger,
    );
    const spoken: string[] = [];
    await expect(t.run('faq', {}, hooks(spoken, 2))).resolves.toEqual({ outcome: 'answered' });
    expect(spoken).toEqual(['First.', 'Second.']);
  });

  it('resolves vocabularies once per call; a failing one is undefined', async () => {
    const t = new CallTasks(catalog({}), ctx, new AbortController().signal, logger);
    const a = t.vocabulary('menu');
    expect(t.vocabulary('menu')).toBe(a);
    await expect(a).resolves.toEqual({ phrases: ['pepperoni'] });
    await expect(t.vocabulary('broken')).resolves.toBeUndefined();
    await expect(t.vocabulary('missing')).resolves.toBeUndefined();
  });
});
