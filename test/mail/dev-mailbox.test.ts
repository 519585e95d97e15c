import { describe, expect, it } from 'vitest';
import { DevMailbox } from '../../src/mail/dev-mailbox.js';
import type { OutgoingMessage } from '../../src/mail/outgoing-message.js';

function message(subject: string): OutgoingMessage {
  return { to: 'ada@example.com', from: 'otp-app <no-reply@example.com>', subject, text: 'text', html: '<p>html</p>' };
}

describe('DevMailbox', () => {
  it('lists messages newest first', async () => {
    const mailbox = new DevMailbox();
    await mailbox.send(message('first'));
    await mailbox.send(message('second'));
    await mailbox.send(message('third'));
    expect(mailbox.list().map((m) => m.subject)).toEqual(['third', 'second', 'first']);
  });

  it('keeps only the newest messages once it reaches its capacity', async () => {
    const mailbox = new DevMailbox({ capacity: 3 });
    for (const subject of ['1', '2', '3', '4', '5']) await mailbox.send(message(subject));
    expect(mailbox.list().map((m) => m.subject)).toEqual(['5', '4', '3']);
  });

  it('keeps 200 messages by default', async () => {
    const mailbox = new DevMailbox();
    for (let i = 0; i < 205; i += 1) await mailbox.send(message(String(i)));
    expect(mailbox.capacity).toBe(200);
    expect(mailbox.list()).toHaveLength(200);
    expect(mailbox.list().at(-1)?.subject).toBe('5');
  });

  it('stamps each message with a unique id and the time it arrived', async () => {
    const arrival = new Date('2025-01-02T03:04:05Z');
    const mailbox = new DevMailbox({ now: () => arrival });
    await mailbox.send(message('a'));
    await mailbox.send(message('b'));
    const [b, a] = mailbox.list();
    expect(a?.receivedAt).toEqual(arrival);
    expect(a?.id).not.toBe(b?.id);
    expect(a).toMatchObject(message('a'));
  });

  it('finds a message by id, and answers undefined for an unknown or dropped one', async () => {
    const mailbox = new DevMailbox({ capacity: 1 });
    await mailbox.send(message('old'));
    const oldId = mailbox.list()[0]?.id ?? '';
    await mailbox.send(message('new'));
    const newId = mailbox.list()[0]?.id ?? '';
    expect(mailbox.get(newId)?.subject).toBe('new');
    expect(mailbox.get(oldId)).toBeUndefined();
    expect(mailbox.get('no-such-id')).toBeUndefined();
  });

  it('empties on clear', async () => {
    const mailbox = new DevMailbox();
    await mailbox.send(message('a'));
    mailbox.clear();
    expect(mailbox.list()).toEqual([]);
  });

  it('does not let callers reorder the mailbox through the list they get', async () => {
    const mailbox = new DevMailbox();
    await mailbox.send(message('a'));
    await mailbox.send(message('b'));
    mailbox.list().reverse();
    expect(mailbox.list().map((m) => m.subject)).toEqual(['b', 'a']);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new DevMailbox({ capacity: 0 })).toThrow(RangeError);
    expect(() => new DevMailbox({ capacity: 2.5 })).toThrow(RangeError);
  });
});
