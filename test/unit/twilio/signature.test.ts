import type { IncomingMessage } from 'node:http';
import {
  checkMediaUpgrade,
  checkTwilioSignature,
  mediaStreamUrl,
  mediaUpgradeUrl,
  requestScheme,
  toWebSocketUrl,
  webhookUrl,
} from '../../../src/http/twilio-signature.js';
import { streamTwiml } from '../../../src/http/twilio.routes.js';
import { parseTwiml, signTwilio } from '../../../scripts/lib/twilio-client.js';

/** Twilio's documented example (also in vendor-protocols.md §1.3). */
const VECTOR = {
  token: '12345',
  url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
  params: {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+12349013030',
    Digits: '1234',
    From: '+12349013030',
    To: '+18005551212',
  },
  signature: '0/KCTR6DLpKmkAf8muzZqo1nDgQ=',
};

function req(opts: {
  headers?: Record<string, string>;
  url?: string;
  encrypted?: boolean;
}): IncomingMessage {
  return {
    headers: opts.headers ?? {},
    url: opts.url ?? '/media',
    socket: opts.encrypted ? { encrypted: true } : {},
  } as unknown as IncomingMessage;
}

describe('X-Twilio-Signature', () => {
  it("accepts Twilio's documented test vector and rejects any change to it", () => {
    const { token, url, params, signature } = VECTOR;
    expect(checkTwilioSignature(token, signature, url, params)).toEqual({
      ok: true,
      checked: true,
    });
    expect(signTwilio(token, url, params)).toBe(signature);
    const bad = { ok: false, code: 'TWILIO_SIGNATURE_INVALID', reason: 'invalid' };
    expect(checkTwilioSignature(token, signature, url, { ...params, Digits: '1235' })).toEqual(bad);
    expect(checkTwilioSignature(token, signature, url.replace('foo=1', 'foo=2'), params)).toEqual(
      bad,
    );
    expect(checkTwilioSignature('54321', signature, url, params)).toEqual(bad);
  });

  it('signs the media upgrade over the wss:// URL with no params', () => {
    expect(signTwilio('12345', 'wss://example.com/media')).toBe('7PR3qMkpDyEJtMrVOY/LDyNq8J8=');
    const r = req({
      headers: { host: 'internal:8080', 'x-twilio-signature': '7PR3qMkpDyEJtMrVOY/LDyNq8J8=' },
    });
    const config = { publicBaseUrl: 'https://example.com', twilio: { authToken: '12345' } };
    expect(checkMediaUpgrade(config, r)).toEqual({ ok: true, checked: true });
    // The same signature over the https:// form is not what Twilio signs.
    expect(signTwilio('12345', 'https://example.com/media')).not.toBe(
      '7PR3qMkpDyEJtMrVOY/LDyNq8J8=',
    );
  });

  it('reports a missing header, and skips validation when no token is configured', () => {
    expect(checkTwilioSignature('t', undefined, 'https://x/y', {})).toEqual({
      ok: false,
      code: 'TWILIO_SIGNATURE_INVALID',
      reason: 'missing',
    });
    expect(checkTwilioSignature('t', '', 'https://x/y', {})).toMatchObject({ reason: 'missing' });
    expect(checkTwilioSignature(undefined, undefined, 'https://x/y', {})).toEqual({
      ok: true,
      checked: false,
    });
  });
});

describe('public URL reconstruction', () => {
  const none = {};
  const pub = { publicBaseUrl: 'https://ivr.example.com' };

  it('uses PUBLIC_BASE_URL when set, whatever the Host header says', () => {
    const r = req({ headers: { host: '127.0.0.1:9999' }, url: '/media' });
    expect(webhookUrl(pub, r, '/twilio/voice?flow=x')).toBe(
      'https://ivr.example.com/twilio/voice?flow=x',
    );
    expect(mediaStreamUrl(pub, r)).toBe('wss://ivr.example.com/media');
    expect(mediaUpgradeUrl(pub, r)).toBe('wss://ivr.example.com/media');
    expect(mediaStreamUrl({ publicBaseUrl: 'https://x.ngrok.app/ivr/' }, r)).toBe(
      'wss://x.ngrok.app/ivr/media',
    );
  });

  it('otherwise derives it from Host and X-Forwarded-Proto', () => {
    const proxied = req({ headers: { host: 'abc.ngrok.app', 'x-forwarded-proto': 'https, http' } });
    expect(requestScheme(proxied)).toBe('https');
    expect(webhookUrl(none, proxied, '/twilio/voice')).toBe('https://abc.ngrok.app/twilio/voice');
    expect(mediaStreamUrl(none, proxied)).toBe('wss://abc.ngrok.app/media');
    const local = req({ headers: { host: '127.0.0.1:8080' } });
    expect(requestScheme(local)).toBe('http');
    expect(mediaStreamUrl(none, local)).toBe('ws://127.0.0.1:8080/media');
    expect(requestScheme(req({ headers: { host: 'h' }, encrypted: true }))).toBe('https');
    expect(requestScheme(req({ headers: { 'x-forwarded-proto': 'wss' } }))).toBe('https');
  });

  it('maps http(s) to ws(s)', () => {
    expect(toWebSocketUrl('https://a.b/c')).toBe('wss://a.b/c');
    expect(toWebSocketUrl('http://a.b:80/c')).toBe('ws://a.b:80/c');
  });
});

describe('TwiML', () => {
  it('connects a stream with parameters, then hangs up; the fake Twilio reads it back', () => {
    const params = {
      flowId: 'main-menu',
      from: '+15550001111',
      to: '+15550002222',
      callSid: 'CA1',
      direction: 'inbound',
    };
    const xml = streamTwiml('wss://ivr.example.com/media', { ...params, quote: 'a "b" & <c>' });
    expect(xml).toMatch(
      /^<\?xml[^>]*\?><Response><Connect><Stream url="wss:\/\/ivr\.example\.com\/media">/,
    );
    expect(xml).toMatch(/<\/Stream><\/Connect><Hangup\/><\/Response>$/);
    expect(parseTwiml(xml)).toEqual({
      streamUrl: 'wss://ivr.example.com/media',
      parameters: { ...params, quote: 'a "b" & <c>' },
      afterConnect: ['Hangup'],
    });
  });
});
