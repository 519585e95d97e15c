import { html, type SafeHtml } from '../html.js';

export function homePage(appName: string): SafeHtml {
  return html`<h1>Prove you control an email address</h1>
<p>${appName} sends a short one-time code to your email address. Type it back and we know the address is yours.
No password, nothing to install.</p>
<p><a class="button" href="/secure-otp/">Get started</a></p>`;
}

export function landingPage(): SafeHtml {
  return html`<h1>Secure one-time code</h1>
<p>Ask for a code by email, then type it in to confirm the address is yours.</p>
<ul class="actions">
<li><a class="button" href="/secure-otp/request/">Request a code</a></li>
<li><a class="button secondary" href="/secure-otp/verify/">Verify a code</a></li>
</ul>`;
}
