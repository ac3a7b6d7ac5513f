import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';

/** The first byte of every TLS connection: a handshake record (content type 22). */
const TLS_HANDSHAKE = 0x16;

/**
 * One port, both protocols (TLS dual mode): the first byte a client sends decides whether the
 * connection goes to the HTTPS or the plain HTTP server, so `http://` and `https://` clients of the
 * same address both keep working. Both servers run the same request handler.
 */
export function dualProtocolServer(handler: http.RequestListener, tls: { cert: Buffer; key: Buffer }): net.Server {
  const plain = http.createServer(handler);
  const secure = https.createServer({ ...tls, minVersion: 'TLSv1.2' }, handler);
  const server = net.createServer((socket) => {
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      (first[0] === TLS_HANDSHAKE ? secure : plain).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
    socket.on('error', () => socket.destroy());
  });
  // fastify sets these on the server it listens with; the two protocol servers are the ones that use them.
  for (const key of ['keepAliveTimeout', 'requestTimeout', 'headersTimeout'] as const) {
    Object.defineProperty(server, key, {
      set: (v: number) => {
        plain[key] = v;
        secure[key] = v;
      },
      get: () => plain[key],
    });
  }
  return server;
}
