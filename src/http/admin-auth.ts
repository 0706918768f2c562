import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * Admin API guard. With ADMIN_API_TOKEN set: `Authorization: Bearer <token>` required (401).
 * Without it: only loopback clients are served (a fresh local install works; nothing leaks to
 * the network), everyone else gets 401 with a hint.
 */
export function adminAuth(token: string | undefined) {
  const expected = token ? Buffer.from(token) : undefined;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!expected) {
      if (LOOPBACK.has(req.socket.remoteAddress ?? '')) return next();
      res.status(401).json({
        code: 'UNAUTHORIZED',
        message: 'set ADMIN_API_TOKEN to use the admin API remotely',
      });
      return;
    }
    const m = /^Bearer (.+)$/.exec(req.get('authorization') ?? '');
    const given = m ? Buffer.from(m[1]!) : undefined;
    if (given && given.length === expected.length && timingSafeEqual(given, expected))
      return next();
    res.status(401).json({ code: 'UNAUTHORIZED', message: 'missing or invalid bearer token' });
  };
}
