// The yardstick: the least a Node HTTP server can do per request. Plain JavaScript run by plain `node`,
// like the compiled app, so neither pays for a TypeScript loader.
import { createServer } from 'node:http';

const body = JSON.stringify({ ok: true, message: 'hello' });
const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
