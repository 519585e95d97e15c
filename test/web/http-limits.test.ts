import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** A raw TCP client: what it received, and a promise that settles when the server closes it. */
interface RawClient {
  socket: Socket;
  received: () => string;
  closed: Promise<void>;
}

async function rawClient(port: number): Promise<RawClient> {
  const socket = connect({ port, host: '127.0.0.1' });
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    received += chunk;
  });
  // A reset (the connection cap) is a close too; the test reads what arrived, not the error.
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => received, closed };
}

/** Resolves once `client` has received a whole response head (the test never sleeps on a guess). */
function responseOn(client: RawClient): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!client.received().includes('\r\n\r\n')) return;
      client.socket.off('data', check);
      resolve(client.received());
    };
    client.socket.on('data', check);
    client.closed.then(() => reject(new Error(`closed before a response: ${client.received()}`)));
    check();
  });
}

const healthCheck = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';

describe('the HTTP server bounds slow and surplus connections', () => {
  let testApp: TestApp | undefined;
  const clients: RawClient[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.destroy();
    await testApp?.close();
    testApp = undefined;
  });

  async function client(): Promise<RawClient> {
    const { port } = new URL(testApp!.baseUrl);
    const opened = await rawClient(Number(port));
    clients.push(opened);
    return opened;
  }

  it('answers 408 and closes a POST whose body stops half-way (HTTP_REQUEST_TIMEOUT_MS)', async () => {
    // The idle timeout is long, so only the request deadline can end this.
    testApp = await startTestApp({
      env: { HTTP_REQUEST_TIMEOUT_MS: '400', HTTP_HEADERS_TIMEOUT_MS: '200', HTTP_IDLE_TIMEOUT_MS: '600000' },
    });
    const slow = await client();
    slow.socket.write(
      'POST /secure-otp/request/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
        'Content-Length: 100\r\n\r\nemail=ada%40exa',
    );
    await slow.closed;
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a client that never finishes its headers (HTTP_HEADERS_TIMEOUT_MS)', async () => {
    testApp = await startTestApp({
      env: { HTTP_REQUEST_TIMEOUT_MS: '60000', HTTP_HEADERS_TIMEOUT_MS: '300', HTTP_IDLE_TIMEOUT_MS: '600000' },
    });
    const slow = await client();
    slow.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    await slow.closed;
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes connections beyond HTTP_MAX_CONNECTIONS at once, and serves the ones within it', async () => {
    testApp = await startTestApp({ env: { HTTP_MAX_CONNECTIONS: '2', HTTP_KEEP_ALIVE_TIMEOUT_MS: '600000' } });
    // Two kept-alive connections, each proven accepted by a full answer.
    const first = await client();
    first.socket.write(healthCheck);
    expect(await responseOn(first)).toMatch(/^HTTP\/1\.1 200 /);
    const second = await client();
    second.socket.write(healthCheck);
    expect(await responseOn(second)).toMatch(/^HTTP\/1\.1 200 /);

    const surplus = await client();
    surplus.socket.write(healthCheck);
    await surplus.closed;
    expect(surplus.received()).toBe('');

    // A place frees up when a connection ends.
    first.socket.destroy();
    await first.closed;
    await vi.waitFor(async () => {
      const open = await new Promise<number>((resolve, reject) =>
        testApp!.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      );
      if (open > 1) throw new Error(`${open} connections still open on the server`);
    });
    const next = await client();
    next.socket.write(healthCheck);
    expect(await responseOn(next)).toMatch(/^HTTP\/1\.1 200 /);
  });
});
