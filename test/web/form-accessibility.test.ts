import { describe, expect, it } from 'vitest';
import { pagePaths } from '../../src/web/page-paths.js';
import { freshAppPerTest } from '../support/app-per-test.js';
import { FormClient } from '../support/form-client.js';
import { inputNamed, inputsIn, textOfElementWithId } from './page-markup.js';

const paths = pagePaths();
const ada = 'ada@example.com';

describe('form markup for assistive technology and phones', () => {
  const fixture = freshAppPerTest();

  it('gives the email input type="email" and labels it', async () => {
    const page = await new FormClient(fixture.testApp.baseUrl).get(paths.request);
    const email = inputNamed(page.body, 'email');
    expect(email?.get('type')).toBe('email');
    expect(email?.get('autocomplete')).toBe('email');
    expect(page.body).toContain(`<label for="${email?.get('id')}">`);
  });

  it('gives the code input what phones need to offer the code from the email', async () => {
    const page = await new FormClient(fixture.testApp.baseUrl).get(paths.verify);
    const code = inputNamed(page.body, 'code');
    expect(code?.get('autocomplete')).toBe('one-time-code');
    expect(code?.get('inputmode')).toBe('numeric');
    expect(inputNamed(page.body, 'email')?.get('type')).toBe('email');
  });

  it('labels every visible input of both forms with a <label for> that matches its id', async () => {
    const client = new FormClient(fixture.testApp.baseUrl);
    // After a request, the verify page also carries the resend form.
    const bodies = [(await client.get(paths.request)).body, (await client.post(paths.request, { email: ada })).body];
    expect(bodies[1]).toContain('Send a new code');

    for (const body of bodies) {
      const visibleInputs = inputsIn(body).filter((input) => input.get('type') !== 'hidden');
      expect(visibleInputs.length).toBeGreaterThan(0);
      for (const input of visibleInputs) {
        const id = input.get('id');
        expect(id, `input ${input.get('name')} has an id`).toBeTruthy();
        expect(body).toContain(`<label for="${id}">`);
      }
    }
  });

  it('ties an email error to the email field with aria-describedby', async () => {
    const client = new FormClient(fixture.testApp.baseUrl);
    await client.get(paths.request);
    const page = await client.post(paths.request, { email: 'not-an-email' });
    const email = inputNamed(page.body, 'email');
    const describedBy = email?.get('aria-describedby');

    expect(page.status).toBe(400);
    expect(email?.get('aria-invalid')).toBe('true');
    expect(describedBy).toBeTruthy();
    expect(textOfElementWithId(page.body, describedBy!)).toContain('Enter a valid email address');
  });

  it('ties a code error to the code field, and leaves the email field unmarked', async () => {
    const client = new FormClient(fixture.testApp.baseUrl);
    await client.get(paths.verify);
    const page = await client.post(paths.verify, { email: ada, code: '12ab56' });
    const code = inputNamed(page.body, 'code');
    const describedBy = code?.get('aria-describedby');

    expect(page.status).toBe(400);
    expect(code?.get('aria-invalid')).toBe('true');
    expect(describedBy).toBeTruthy();
    expect(textOfElementWithId(page.body, describedBy!)).toContain('Enter the 6-digit code from the email');
    // The address is shown as text (an <output>), with nothing pointing at it.
    expect(page.body).toMatch(/<output id="email" class="address">/);
  });
});
