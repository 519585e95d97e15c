import { html, type SafeHtml } from '../html.js';

export function successPage(address: string): SafeHtml {
  return html`<h1>Verified</h1>
<p class="message success" role="status">You have proved that you control <strong>${address}</strong>.</p>
<p>The code has been used and no longer works.</p>
<p><a class="button secondary" href="/secure-otp/">Done</a></p>`;
}

/** Every refusal that is not about one form field: bad requests, limits, missing pages, our own faults. */
export function errorPage(title: string, message: string): SafeHtml {
  return html`<h1>${title}</h1>
<p class="message error" role="alert">${message}</p>
<p><a href="/secure-otp/">Back to the start</a></p>`;
}
