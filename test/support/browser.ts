import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';

/** Debian's chromium (`apt-get install chromium`); override with CHROMIUM_PATH. */
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const browserAvailable = existsSync(chromiumPath);

/** Generous: two cores are shared with other suites, and nothing here asserts on timing. */
export const browserTestTimeoutMs = 120_000;

/**
 * `describe` when Chromium is installed. Without it the suite is skipped with a notice on a developer's
 * machine, and fails under CI=true, where a missing browser means a broken pipeline, not a choice.
 */
export function describeInBrowser(name: string, body: () => void): void {
  if (!browserAvailable) {
    const notice = `Chromium not found at ${chromiumPath}: install it (apt-get install chromium) or set CHROMIUM_PATH.`;
    if (process.env.CI === 'true') {
      describe(name, () => {
        throw new Error(`${notice} CI=true, so the browser suite fails instead of skipping.`);
      });
      return;
    }
    console.warn(`[browser tests skipped] ${notice}`);
    describe.skip(name, body);
    return;
  }
  describe(name, body);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}

/** A fresh profile: its own cookies, so tests never share a session. English unless told otherwise. */
/**
 * One Chromium for the enclosing describe: launched before its tests, closed after them, and the
 * screenshot folder printed. Returns a getter, since the browser exists only once beforeAll has run.
 */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, browserTestTimeoutMs);
  afterAll(async () => {
    await browser?.close();
    printScreenshotFolder();
  });
  return () => {
    if (browser === undefined) throw new Error('useBrowser(): the browser is not launched yet (call it inside a test)');
    return browser;
  };
}

export async function newBrowserPage(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 800 }, ...options });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  return { context, page };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * Runs axe-core on the page as it is now, in light and in dark colours. Serious and critical
 * violations fail the test. axe is evaluated through the DevTools protocol (page.evaluate), which the
 * page's CSP does not govern, so the CSP stays on for everything the page itself loads.
 */
export async function expectAccessible(page: Page, state: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: unknown[] }> } })
        .axe;
      return (await axe.run(document, { resultTypes: ['violations'] })).violations;
    });
    const serious = (violations as AxeViolation[])
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map(
        (violation) =>
          `${violation.impact} ${violation.id}: ${violation.help} at ${JSON.stringify(violation.nodes.map((node) => node.target))}`,
      );
    expect(serious, `axe on "${state}" (${colorScheme})`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Where screenshots go (git-ignored; each run overwrites the last), printed at the end of each suite. */
export const screenshotDir = resolve(process.env.SCREENSHOT_DIR ?? join('test-artifacts', 'screenshots'));

const viewports = {
  phone: { width: 360, height: 740 },
  desktop: { width: 1280, height: 800 },
} as const;

/** Full-page screenshots at phone and desktop size (and the phone in dark mode); returns the files. */
export async function screenshot(page: Page, name: string): Promise<string[]> {
  mkdirSync(screenshotDir, { recursive: true });
  const original = page.viewportSize();
  const files: string[] = [];
  for (const [label, size] of Object.entries(viewports)) {
    await page.setViewportSize(size);
    const file = join(screenshotDir, `${name}-${label}.png`);
    await page.screenshot({ path: file, fullPage: true });
    files.push(file);
  }
  await page.setViewportSize(viewports.phone);
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = join(screenshotDir, `${name}-phone-dark.png`);
  await page.screenshot({ path: dark, fullPage: true });
  files.push(dark);
  await page.emulateMedia({ colorScheme: 'light' });
  if (original !== null) await page.setViewportSize(original);
  return files;
}

/** Every page state worth seeing: axe (when scripts can run) and screenshots. */
export async function checkPageState(page: Page, name: string, options: { axe?: boolean } = {}): Promise<void> {
  if (options.axe !== false) await expectAccessible(page, name);
  await screenshot(page, name);
}

export function printScreenshotFolder(): void {
  if (browserAvailable) console.log(`[browser tests] screenshots saved under ${screenshotDir}`);
}
