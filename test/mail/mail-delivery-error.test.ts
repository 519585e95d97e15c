import { describe, expect, it } from 'vitest';
import { MailDeliveryError, toMailDeliveryError } from '../../src/mail/mail-delivery-error.js';

function nodemailerLikeError(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

describe('toMailDeliveryError', () => {
  it('keeps the SMTP reply and its code, and drops the original message', () => {
    const original = nodemailerLikeError('Message failed: body was 123456', {
      code: 'EENVELOPE',
      response: '550 No such user',
      responseCode: 550,
    });
    const error = toMailDeliveryError(original);
    expect(error).toBeInstanceOf(MailDeliveryError);
    expect(error.name).toBe('MailDeliveryError');
    expect(error.message).toBe('SMTP server refused the message: 550 No such user');
    expect(error.responseCode).toBe(550);
    expect(error.errorCode).toBe('EENVELOPE');
    expect(error.cause).toBeUndefined();
  });

  it('names the socket failure when the server never answered', () => {
    const original = nodemailerLikeError('connect ECONNREFUSED 127.0.0.1:2525', {
      code: 'ESOCKET',
      originalCode: 'ECONNREFUSED',
    });
    const error = toMailDeliveryError(original);
    expect(error.message).toBe('Could not deliver through the SMTP server: ESOCKET (ECONNREFUSED)');
    expect(error.responseCode).toBeUndefined();
    expect(error.errorCode).toBe('ESOCKET');
  });

  it('names which wait timed out', () => {
    const error = toMailDeliveryError(nodemailerLikeError('Timeout', { code: 'ETIMEDOUT', timeoutType: 'GREETING_TIMEOUT' }));
    expect(error.message).toBe('Could not deliver through the SMTP server: ETIMEDOUT (GREETING_TIMEOUT)');
  });

  it('trusts nothing from an error it does not recognise', () => {
    const error = toMailDeliveryError(new Error('could not send "Your code is 123456"'));
    expect(error.message).toBe('Mail transport failed without an SMTP reply');
    expect(toMailDeliveryError('a thrown string').message).toBe('Mail transport failed without an SMTP reply');
  });

  it('blanks out secrets a server echoes in its reply', () => {
    const original = nodemailerLikeError('x', { response: '554 Rejected: spam "123456"', responseCode: 554 });
    expect(toMailDeliveryError(original, ['123456']).message).toBe(
      'SMTP server refused the message: 554 Rejected: spam "[redacted]"',
    );
  });

  it('redacts an existing MailDeliveryError too, keeping its codes', () => {
    const inner = new MailDeliveryError('SMTP server refused the message: 450 try 123456 later', { responseCode: 450 });
    const error = toMailDeliveryError(inner, ['123456']);
    expect(error.message).toBe('SMTP server refused the message: 450 try [redacted] later');
    expect(error.responseCode).toBe(450);
  });

  it('flattens a multi-line reply onto one bounded line', () => {
    const reply = `550-First line\r\n550 Second line ${'x'.repeat(500)}`;
    const error = toMailDeliveryError(nodemailerLikeError('x', { response: reply, responseCode: 550 }));
    expect(error.message).not.toMatch(/[\r\n]/);
    expect(error.message).toContain('550-First line 550 Second line');
    expect(error.message.length).toBeLessThan(260);
  });
});
