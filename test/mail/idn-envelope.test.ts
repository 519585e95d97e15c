import { describe, expect, it } from 'vitest';
import { pagePaths } from '../../src/web/page-paths.js';
import { freshAppPerTest } from '../support/app-per-test.js';
import { FormClient } from '../support/form-client.js';

const paths = pagePaths();

describe('a code for an internationalised domain, asked for on the pages', () => {
  const fixture = freshAppPerTest();

  it('is delivered to the A-label: RCPT TO and To carry no Unicode a server without SMTPUTF8 would refuse', async () => {
    const browser = new FormClient(fixture.testApp.baseUrl);
    await browser.get(paths.request);
    expect((await browser.post(paths.request, { email: 'Anna@Bücher.Example' })).path).toBe(paths.verify);
    const [mail] = await fixture.smtp.waitForMessages(1);

    // smtp-server's parsed envelope turns punycode back into Unicode; the wire is what a real server sees.
    expect(fixture.smtp.envelopeCommands).toContain('RCPT TO:<anna@xn--bcher-kva.example>');
    expect(fixture.smtp.envelopeCommands.join(' ')).not.toMatch(/[^ -~]/);
    expect(mail?.headerLines.find((header) => header.key === 'to')?.line).toBe('To: anna@xn--bcher-kva.example');
  });
});
