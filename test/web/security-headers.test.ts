import { describe, expect, it } from 'vitest';
import { pagePaths } from '../../src/web/page-paths.js';
import { freshAppPerTest, productionEnv } from '../support/app-per-test.js';
import { csrfTokenIn, FormClient } from '../support/form-client.js';

const paths = pagePaths();
const ada = 'ada@example.com';

/** `script-src 'self'` → Map { 'script-src' => ["'self'"] } */
function cspDirectives(header: string | null): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const directive of (header ?? '').split(';')) {
    const [name, ...sources] = directive.trim().split(/\s+/);
    if (name !== undefined && name !== '') directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

describe('security headers of the pages', () => {
  describe('in the test environment', () => {
    const fixture = freshAppPerTest();

    const pages = [paths.home, paths.start, paths.request, paths.verify, '/no/such/page'];

    it.each(pages)('%s has a CSP that allows only our own scripts and no framing', async (path) => {
      const page = await new FormClient(fixture.testApp.baseUrl).get(path);
      const csp = cspDirectives(page.headers.get('content-security-policy'));

      expect(csp.get('script-src')).toEqual(["'self'"]);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp.get('default-src')).toEqual(["'none'"]);
      expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
      expect(page.headers.get('content-security-policy')).not.toContain('unsafe-eval');
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    });

    it.each(pages)('%s needs no inline script or style, so the CSP does not break it', async (path) => {
      const page = await new FormClient(fixture.testApp.baseUrl).get(path);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.body).not.toMatch(/<script\b/i);
      expect(page.body).not.toMatch(/<style\b|\sstyle=/i);
      expect(page.body).not.toMatch(/\son[a-z]+=/i);
      expect(page.body).toContain(`<link rel="stylesheet" href="${paths.stylesheet}">`);
    });

    it.each([paths.request, paths.verify])('%s, a form page with a CSRF token, may not be cached', async (path) => {
      const page = await new FormClient(fixture.testApp.baseUrl).get(path);
      expect(csrfTokenIn(page.body)).toBeDefined();
      expect(page.headers.get('cache-control')).toBe('no-store');
    });

    it('a refused form (403) carries the same headers as any page', async () => {
      const client = new FormClient(fixture.testApp.baseUrl);
      await client.get(paths.request);
      const refused = await client.post(paths.request, { email: ada }, { withCsrf: false });
      expect(refused.status).toBe(403);
      expect(cspDirectives(refused.headers.get('content-security-policy')).get('script-src')).toEqual(["'self'"]);
      expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
      expect(refused.headers.get('cache-control')).toBe('no-store');
    });

    it('sends no HSTS over the plain HTTP of development and tests', async () => {
      const page = await new FormClient(fixture.testApp.baseUrl).get(paths.request);
      expect(page.headers.get('strict-transport-security')).toBeNull();
    });
  });

  describe('in production', () => {
    const fixture = freshAppPerTest(productionEnv);

    it('sends HSTS', async () => {
      const page = await new FormClient(fixture.testApp.baseUrl).get(paths.request);
      expect(fixture.testApp.config.isProduction).toBe(true);
      expect(page.headers.get('strict-transport-security')).toMatch(/max-age=\d{6,}/);
    });

    it('keeps the same CSP and asks browsers to upgrade insecure requests', async () => {
      const page = await new FormClient(fixture.testApp.baseUrl).get(paths.request);
      const csp = cspDirectives(page.headers.get('content-security-policy'));
      expect(csp.get('script-src')).toEqual(["'self'"]);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp.has('upgrade-insecure-requests')).toBe(true);
    });
  });
});
