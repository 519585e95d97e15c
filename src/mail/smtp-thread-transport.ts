import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SendMailOptions } from 'nodemailer';
import { MailDeliveryError, toMailDeliveryError } from './mail-delivery-error.js';
import type { MailTransport, OutgoingMessage } from './outgoing-message.js';
import { mailOptionsFor, type SmtpTransportOptions, smtpOptionsFor } from './smtp-transport.js';

// The thread's whole program: nodemailer's pooled transport, driven by messages. Plain CommonJS evaluated
// as a string (like the SQLite checkpointer's), so it runs the same under tsx, Vitest and from dist/.
// Only the body-free fields of an error cross back (toMailDeliveryError reads nothing else).
const smtpThreadSource = `
const { parentPort, workerData } = require('node:worker_threads');
const nodemailer = require(workerData.nodemailerPath);
const transporter = nodemailer.createTransport(workerData.options);
const fieldsOf = (error) => {
  const fields = {};
  if (typeof error !== 'object' || error === null) return fields;
  for (const name of ['responseCode', 'response', 'code', 'originalCode', 'timeoutType']) {
    const value = error[name];
    if (typeof value === 'string' || typeof value === 'number') fields[name] = value;
  }
  return fields;
};
parentPort.on('message', ({ id, op, mail }) => {
  const work =
    op === 'send' ? transporter.sendMail(mail) : op === 'verify' ? transporter.verify() : Promise.resolve(transporter.close());
  work.then(
    () => parentPort.postMessage({ id, ok: true }),
    (error) => parentPort.postMessage({ id, ok: false, error: fieldsOf(error) }),
  );
});
`;

type Operation = 'send' | 'verify' | 'close';
type Waiting = { resolve: () => void; reject: (error: Error) => void };
type Reply = { id: number; ok: true } | { id: number; ok: false; error: Record<string, string | number> };

/**
 * The pooled SMTP transport, run in a worker thread of its own. Building a MIME message and writing it
 * down the SMTP conversation cost ≈0.45 ms of CPU per email here, on the same event loop as the HTTP
 * routes: in a closed-loop flow benchmark it was a sixth of the server's main thread. In a thread it
 * uses the machine's other core, and a burst of mail no longer delays page responses.
 *
 * Same contract as createSmtpTransport: rejections are body-free MailDeliveryErrors (here built from
 * the SMTP reply fields the thread passes back). If the thread dies, the sends it held fail with a
 * temporary error (the outbox retries them) and the next send starts a new thread.
 */
export function createSmtpThreadTransport(options: SmtpTransportOptions): MailTransport {
  const workerData = {
    nodemailerPath: createRequire(import.meta.url).resolve('nodemailer'),
    options: smtpOptionsFor(options),
  };
  const inFlight = new Set<Promise<void>>();
  let nextId = 0;
  let current: { worker: Worker; pending: Map<number, Waiting> } | undefined;

  const start = () => {
    const worker = new Worker(smtpThreadSource, {
      eval: true,
      workerData,
      // A few messages in flight at a time; a small heap keeps the thread's share of RSS small.
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32 },
    });
    const thread = { worker, pending: new Map<number, Waiting>() };
    worker.on('message', (reply: Reply) => {
      const waiting = thread.pending.get(reply.id);
      if (waiting === undefined) return;
      thread.pending.delete(reply.id);
      if (reply.ok) waiting.resolve();
      else waiting.reject(toMailDeliveryError(reply.error));
      // Idle, the thread must not keep the process alive (a CLI that sent one email exits).
      if (thread.pending.size === 0) worker.unref();
    });
    // Whatever ended the thread, what it still held gets an answer: a temporary failure, retried later.
    const died = () => {
      if (current === thread) current = undefined;
      for (const { reject } of thread.pending.values()) {
        reject(new MailDeliveryError('The mail thread stopped before the SMTP server answered', { errorCode: 'ETHREAD' }));
      }
      thread.pending.clear();
    };
    worker.on('error', died);
    worker.on('exit', died);
    return thread;
  };
  const call = (op: Operation, mail?: SendMailOptions): Promise<void> => {
    current ??= start();
    const { worker, pending } = current;
    const id = nextId++;
    const result = new Promise<void>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, op, mail });
    });
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    inFlight.add(settled);
    void settled.then(() => inFlight.delete(settled));
    return result;
  };

  return {
    send: (message: OutgoingMessage) => call('send', mailOptionsFor(message)),
    verify: () => call('verify'),
    async close(): Promise<void> {
      const thread = current;
      if (thread === undefined) return;
      // The pool closes idle connections at once and the others after their current message; the
      // thread ends once every send handed to it has its answer.
      await call('close');
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      current = undefined;
      await thread.worker.terminate();
    },
  };
}
