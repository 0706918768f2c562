import { CallContexts } from '../../../src/call/call-contexts.js';

const ctx = { tenantId: 't', tenantName: 'T', timeZone: 'UTC' };

describe('CallContexts', () => {
  it('hands a context over once', () => {
    const c = new CallContexts();
    c.put('CA1', ctx);
    expect(c.take('CA1')).toEqual(ctx);
    expect(c.take('CA1')).toBeUndefined();
  });

  it('expires contexts whose stream never came, and bounds how many are held', () => {
    let now = 0;
    const c = new CallContexts(1000, 2, () => now);
    c.put('CA1', ctx);
    now = 1500;
    expect(c.take('CA1')).toBeUndefined();
    c.put('CA2', ctx);
    c.put('CA3', ctx);
    c.put('CA4', ctx);
    expect(c.size).toBe(2);
    expect(c.take('CA2')).toBeUndefined();
    expect(c.take('CA4')).toEqual(ctx);
  });
});
