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

/**
 * Attributes and error text that tie a field to its message (`aria-describedby`, `aria-invalid`),
 * or else to its standing hint. The error is a live region, so it is announced as well as being read
 * with the field.
 */
export function fieldError(
  field: FormField,
  message: FieldMessage | undefined,
  hintId?: string,
): { attributes: SafeHtml; text: SafeHtml } {
  const errorId = `${field}-error`;
  const hasError = message?.field === field;
  // The error, when there is one, says all the hint did and more: point at one or the other.
  const describedBy = hasError ? errorId : (hintId ?? '');
  return {
    attributes: html`${hasError ? html` aria-invalid="true"` : ''}${describedBy === '' ? '' : html` aria-describedby="${describedBy}"`}`,
    text: hasError ? html`<p class="field-error" id="${errorId}" role="alert">${message.text}</p>` : html``,
  };
}
