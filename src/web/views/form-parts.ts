import { html, type SafeHtml } from '../html.js';
import type { FieldMessage, FormField } from '../outcome-messages.js';

export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

/** A message about the whole form, announced to screen readers when the page loads. */
export function formMessage(message: FieldMessage | undefined): SafeHtml {
  if (message?.field !== 'form') return html``;
  return html`<p class="message error" role="alert" id="form-error">${message.text}</p>`;
}

export function noticeMessage(notice: string | undefined): SafeHtml {
  if (notice === undefined) return html``;
  return html`<p class="message notice" role="status">${notice}</p>`;
}

/** Attributes and error text that tie a field to its message (`aria-describedby`, `aria-invalid`). */
export function fieldError(field: FormField, message: FieldMessage | undefined): { attributes: SafeHtml; text: SafeHtml } {
  if (message?.field !== field) return { attributes: html``, text: html`` };
  const id = `${field}-error`;
  return {
    attributes: html` aria-invalid="true" aria-describedby="${id}"`,
    text: html`<p class="field-error" id="${id}" role="alert">${message.text}</p>`,
  };
}
