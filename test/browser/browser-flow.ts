import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { checkPageState } from '../support/browser.js';
import { codeInText, linkPathIn } from '../support/mail-links.js';

/** Asks for a code the way a person does: the request form, then the verify page it leads to. */
export async function requestCodeInBrowser(page: Page, baseUrl: string, address: string): Promise<void> {
  await page.goto(`${baseUrl}/secure-otp/request/`);
  await page.getByLabel('Email address').fill(address);
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await page.waitForURL('**/secure-otp/verify/');
}

export interface DevMailboxMail {
  text: string;
  code: string;
  linkPath: string;
}

/**
 * Reads the newest email from the dev mailbox page, in a second tab as a person would, waiting (by
 * reloading) until `count` messages are there. `state` names the page for axe and screenshots.
 */
export async function readDevMailbox(
  context: BrowserContext,
  baseUrl: string,
  options: { count?: number; state?: string; axe?: boolean } = {},
): Promise<DevMailboxMail> {
  const count = options.count ?? 1;
  const tab = await context.newPage();
  try {
    const deadline = Date.now() + 20_000;
    await tab.goto(`${baseUrl}/dev/mailbox`);
    while ((await tab.locator('.mailbox article').count()) < count) {
      if (Date.now() > deadline) throw new Error(`the dev mailbox did not receive ${count} message(s)`);
      await tab.waitForTimeout(200);
      await tab.reload();
    }
    if (options.state !== undefined) await checkPageState(tab, options.state, { axe: options.axe ?? true });
    const text = (await tab.locator('.mailbox article pre').first().textContent()) ?? '';
    return { text, code: codeInText(text), linkPath: linkPathIn(text) };
  } finally {
    await tab.close();
  }
}

/** Types a code into the verify page (as typed, spaces or dashes included) and submits it. */
export async function submitCode(page: Page, code: string): Promise<void> {
  await page.getByLabel(/digit code/).fill(code);
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Verify', exact: true }).click()]);
}

/** The message tied to the code field through aria-describedby: what a screen reader reads with it. */
export async function codeFieldMessage(page: Page): Promise<string> {
  const field = page.getByLabel(/digit code/);
  expect(await field.getAttribute('aria-invalid')).toBe('true');
  const describedBy = await field.getAttribute('aria-describedby');
  expect(describedBy).toBeTruthy();
  const message = page.locator(`[id="${describedBy}"]`);
  expect(await message.getAttribute('role')).toBe('alert');
  return (await message.textContent())?.trim() ?? '';
}

/** "123456" as people paste it: "123 456". */
export function withSpace(code: string): string {
  return `${code.slice(0, 3)} ${code.slice(3)}`;
}

export function withDash(code: string): string {
  return `${code.slice(0, 3)}-${code.slice(3)}`;
}

export function wrongCodeFor(code: string): string {
  return code === '000000' ? '111111' : '000000';
}
