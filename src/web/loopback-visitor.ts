import type { FastifyRequest } from 'fastify';

const loopbackAddresses = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * Headers a proxy or tunnel (nginx, Caddy, ngrok, cloudflared…) adds on the way in. Behind one of them
 * every visitor arrives from loopback, so a loopback socket alone proves nothing.
 */
const forwardingHeaders = [
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-forwarded-server',
  'x-real-ip',
  'x-client-ip',
  'x-original-forwarded-for',
  'true-client-ip',
  'cf-connecting-ip',
  'fastly-client-ip',
  'via',
] as const;

/** Why a request is not from a person at this machine, or undefined when it is. */
export type NotLoopbackReason = 'remote-socket' | 'remote-client' | 'forwarded' | 'foreign-host';

/**
 * Whether a request comes straight from this machine: a loopback socket, a loopback client address
 * (after TRUST_PROXY), no forwarding header, and a loopback Host (a DNS-rebinding page in the
 * developer's browser would send its own host name).
 */
export function notLoopbackReason(request: FastifyRequest): NotLoopbackReason | undefined {
  if (!loopbackAddresses.has(request.socket.remoteAddress ?? '')) return 'remote-socket';
  if (!loopbackAddresses.has(request.ip)) return 'remote-client';
  if (forwardingHeaders.some((name) => request.headers[name] !== undefined)) return 'forwarded';
  if (!isLoopbackHost(request.hostname)) return 'foreign-host';
  return undefined;
}

function isLoopbackHost(hostname: string): boolean {
  const name = hostname.toLowerCase();
  return name === 'localhost' || name.endsWith('.localhost') || name === '127.0.0.1' || name === '[::1]' || name === '::1';
}
