import { type Challenge, solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import { expect } from 'vitest';
import type { Page } from './form-client.js';

/** The challenge the page carries in its <altcha-widget challenge="…">, as the widget reads it. */
export function challengeIn(body: string): Challenge {
  const attribute = /<altcha-widget[^>]*\schallenge="([^"]+)"/.exec(body)?.[1];
  if (attribute === undefined) throw new Error('the page carries no proof-of-work challenge');
  return JSON.parse(
    attribute
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&'),
  ) as Challenge;
}

/** Solves the challenge as the widget's worker does (altcha-lib's own solver) and returns the form field's value. */
export async function solvedPayload(challenge: Challenge): Promise<string> {
  const solution = await solveChallenge({ challenge, deriveKey });
  if (solution === null) throw new Error('the challenge was not solved');
  return payloadOf(challenge, solution);
}

/** The widget's payload: base64 of the challenge it solved and the solution. */
export function payloadOf(challenge: Challenge, solution: unknown): string {
  return Buffer.from(
    JSON.stringify({ challenge: { parameters: challenge.parameters, signature: challenge.signature }, solution }),
  ).toString('base64');
}

export function decodePayload(payload: string): {
  challenge: Challenge;
  solution: { counter: number; derivedKey: string; time?: number };
} {
  return JSON.parse(Buffer.from(payload, 'base64').toString('utf8'));
}

/** A page that asks for a proof of work before any code is sent. */
export function expectChallengePage(page: Page, status = 429): void {
  expect(page.status).toBe(status);
  expect(page.body).toContain('<altcha-widget data-pow-challenge');
}
