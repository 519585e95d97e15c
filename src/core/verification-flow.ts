import { createHash } from 'node:crypto';
import { pooledRandomBytes } from './pooled-random.js';

/**
 * A flow is whoever asked for a code: one browser on the hosted pages (a random secret in its signed
 * cookie), one API key, or whatever an embedding app passes. A code is bound to the flow that asked for
 * it: a verify from another flow never compares against it, so a stranger can only guess at codes they
 * made us send (each one an email in the owner's inbox, under the send caps), and their wrong guesses
 * never spend the owner's attempts.
 */

/** The flow of callers that name none (the library used without `flow`): they all share it. */
export const sharedFlow = '';

/** 256 random bits: a browser's flow secret, kept only in its signed cookie; the store holds its hash. */
export function createFlowSecret(): string {
  return pooledRandomBytes(32).toString('base64url');
}

/**
 * What the store keys a flow's challenge on: SHA-256 of the flow, so a copy of the database holds no
 * browser's secret. A secret of 256 random bits needs no key; an API key's label is no secret at all.
 */
export function flowKeyOf(flow: string): string {
  return flow === sharedFlow ? '' : createHash('sha256').update(`otp flow v1\0${flow}`, 'utf8').digest('hex');
}
