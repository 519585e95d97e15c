import { describe, expect, it } from 'vitest';
import { parseDeliveryStatus, type RecipientStatus, verdictOf } from '../../src/mail/delivery-status-report.js';

const status = (fields: Partial<RecipientStatus>): RecipientStatus => ({ action: 'failed', status: '5.1.1', ...fields });

describe('reading a delivery-status part (RFC 3464 §2)', () => {
  it('reads the per-message block and every recipient block, unfolding continued lines', () => {
    const report = parseDeliveryStatus(
      [
        'Reporting-MTA: dns; mx.example.net',
        'Arrival-Date: Sun, 29 Nov 2026 10:15:01 +0000',
        '',
        'Final-Recipient: rfc822; anna@example.org',
        'Action: failed',
        'Status: 5.1.1 (user unknown)',
        'Diagnostic-Code: smtp; 550 5.1.1 <anna@example.org>:',
        '    Recipient address rejected',
        '',
        'final-recipient: RFC822;bob@example.org',
        'ORIGINAL-RECIPIENT: rfc822;Bob@Example.org',
        'action: Delayed',
        'status: 4.4.1',
        '',
      ].join('\r\n'),
    );
    expect(report).toEqual({
      reportingMta: 'mx.example.net',
      recipients: [
        {
          action: 'failed',
          status: '5.1.1',
          finalRecipient: 'anna@example.org',
          diagnostic: '550 5.1.1 <anna@example.org>: Recipient address rejected',
        },
        { action: 'Delayed', status: '4.4.1', finalRecipient: 'bob@example.org', originalRecipient: 'Bob@Example.org' },
      ],
    });
  });

  it('replaces control characters in the diagnostic', () => {
    const report = parseDeliveryStatus(
      'Reporting-MTA: dns; a\n\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 no\u0000such\u001b[31m user\u0007',
    );
    expect(report?.recipients[0]?.diagnostic).toBe('550 no such [31m user');
  });

  it('keeps the first of a repeated field, drops a status that is no class.subject.detail, caps the diagnostic', () => {
    const report = parseDeliveryStatus(
      [
        'Reporting-MTA: dns; a',
        '',
        'Action: failed',
        'Action: delivered',
        'Status: five',
        `Diagnostic-Code: smtp; ${'x'.repeat(900)}`,
      ].join('\n'),
    );
    expect(report?.recipients[0]).toMatchObject({ action: 'failed', status: '' });
    expect(report?.recipients[0]?.diagnostic).toHaveLength(500);
  });

  it('finds nothing in text without a recipient block: empty, one block only, no Action', () => {
    for (const text of [
      '',
      '\r\n\r\n',
      'Reporting-MTA: dns; a',
      'Reporting-MTA: dns; a\n\nFinal-Recipient: rfc822; a@b.example\nStatus: 5.1.1',
      'garbage\n\n:::\n\n\u0000',
    ]) {
      expect(parseDeliveryStatus(text)).toBeNull();
    }
  });

  it('reads hundreds of blocks in bounded time and keeps at most 100 recipients', () => {
    const blocks = Array.from(
      { length: 5000 },
      (_, i) => `Final-Recipient: rfc822; r${i}@example.org\nAction: failed\nStatus: 5.1.1`,
    );
    const report = parseDeliveryStatus(['Reporting-MTA: dns; a', ...blocks].join('\n\n'));
    expect(report?.recipients).toHaveLength(100);
  });
});

describe('what a recipient block means', () => {
  it.each([
    [status({ action: 'failed', status: '5.1.1' }), { kind: 'bounce', permanent: true }],
    [status({ action: 'FAILED', status: '5.7.1' }), { kind: 'bounce', permanent: true }],
    [status({ action: 'delayed', status: '4.4.1' }), { kind: 'bounce', permanent: false }],
    [status({ action: 'delayed', status: '' }), { kind: 'bounce', permanent: false }],
    // Postfix's "gave up after 5 days": failed, but the address was never refused.
    [status({ action: 'failed', status: '4.4.1' }), { kind: 'bounce', permanent: false }],
    [status({ action: 'delivered', status: '2.0.0' }), { kind: 'delivered' }],
    [status({ action: 'relayed', status: '2.0.0' }), { kind: 'none' }],
    [status({ action: 'expanded', status: '2.0.0' }), { kind: 'none' }],
    [status({ action: 'failed', status: '' }), { kind: 'none' }],
    [status({ action: 'failed', status: '2.0.0' }), { kind: 'none' }],
  ])('%o → %o', (recipient, verdict) => {
    expect(verdictOf(recipient)).toEqual(verdict);
  });
});
