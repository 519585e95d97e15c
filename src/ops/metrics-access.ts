import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Who may read /metrics. With a token, only `Authorization: Bearer <token>`; without one, everyone
 * outside production and nobody in production (the route answers 404 there), since metrics reveal
 * traffic and failure patterns.
 */
export type MetricsAccess = { kind: 'open' } | { kind: 'closed' } | { kind: 'bearer'; token: string };

export function metricsAccessFor(input: { metricsToken?: string | undefined; isProduction: boolean }): MetricsAccess {
  if (input.metricsToken !== undefined) return { kind: 'bearer', token: input.metricsToken };
  return input.isProduction ? { kind: 'closed' } : { kind: 'open' };
}

/** Constant-time, over digests so that not even the token's length shows in the timing. */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const presented = /^Bearer +(\S+)$/i.exec(authorization ?? '')?.[1] ?? '';
  return timingSafeEqual(sha256(presented), sha256(token)) && presented !== '';
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
