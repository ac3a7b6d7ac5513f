import * as net from 'node:net';
import * as tls from 'node:tls';
import type { PeerCertificate } from 'node:tls';

/** How a client reaches TLS on a port: directly, or after the protocol's own "switch to TLS" request. */
export type StartTls = 'none' | 'postgres' | 'mysql';

export interface TlsTarget {
  service: string;
  host: string;
  port: number;
  starttls: StartTls;
}

export interface HandshakeOptions {
  ca?: string | string[];
  /** SNI and the name verified (default localhost); false: verify the IP address the client dialled. */
  servername?: string | false;
  /** Verify chain and hostname (default true). */
  verify?: boolean;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  ciphers?: string;
  cert?: string;
  key?: string;
  timeoutMs?: number;
  /** Bytes to send once connected; the outcome then waits for the first reply (TLS 1.3 servers refuse a missing client cert only here). */
  send?: string;
}

export type HandshakeOutcome =
  | { ok: true; protocol: string; cipher: string; authorized: boolean; peer: PeerCertificate; validTo: Date; reply?: string }
  | { ok: false; code: string; message: string };

/** PostgreSQL SSLRequest: length 8, code 80877103; the server answers 'S' (go ahead) or 'N'. */
async function postgresPrelude(socket: net.Socket): Promise<void> {
  const req = Buffer.alloc(8);
  req.writeInt32BE(8, 0);
  req.writeInt32BE(80877103, 4);
  socket.write(req);
  const answer = await readBytes(socket, 1);
  if (answer.toString() !== 'S') throw Object.assign(new Error(`PostgreSQL answered "${answer.toString()}" to SSLRequest (TLS off)`), { code: 'SERVER_NO_TLS' });
}

/** MySQL: read the server greeting, send an SSLRequest packet (capabilities with CLIENT_SSL), then TLS. */
async function mysqlPrelude(socket: net.Socket): Promise<void> {
  const head = await readBytes(socket, 4);
  const body = await readBytes(socket, head.readUIntLE(0, 3));
  if (body[0] === 0xff) throw Object.assign(new Error(`MySQL greeting error: ${body.subarray(3).toString()}`), { code: 'SERVER_ERROR' });
  const nul = body.indexOf(0, 1);
  const capLow = body.readUInt16LE(nul + 1 + 4 + 8 + 1);
  if (!(capLow & 0x0800)) throw Object.assign(new Error('MySQL server does not offer CLIENT_SSL (TLS off)'), { code: 'SERVER_NO_TLS' });
  const CLIENT_LONG_PASSWORD = 0x1, CLIENT_PROTOCOL_41 = 0x200, CLIENT_SSL = 0x800, CLIENT_SECURE_CONNECTION = 0x8000;
  const p = Buffer.alloc(4 + 32);
  p.writeUIntLE(32, 0, 3);
  p[3] = 1;
  p.writeUInt32LE(CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_SSL | CLIENT_SECURE_CONNECTION, 4);
  p.writeUInt32LE(16 * 1024 * 1024, 8);
  p[12] = 45; // utf8mb4_general_ci
  socket.write(p);
}

function readBytes(socket: net.Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= n) {
        cleanup();
        if (buf.length > n) socket.unshift(buf.subarray(n));
        resolve(buf.subarray(0, n));
      }
    };
    const onErr = (e: Error) => (cleanup(), reject(e));
    const onEnd = () => (cleanup(), reject(Object.assign(new Error('connection closed before the TLS switch'), { code: 'ECONNRESET' })));
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('error', onErr);
      socket.off('end', onEnd);
      // Paused between reads, or bytes pushed back by unshift() are emitted to no listener and lost.
      socket.pause();
    };
    socket.on('data', onData);
    socket.once('error', onErr);
    socket.once('end', onEnd);
    socket.resume();
  });
}

/** One real TLS handshake against the target; the outcome carries Node's/OpenSSL's error code on failure. */
export async function handshake(target: TlsTarget, opts: HandshakeOptions = {}): Promise<HandshakeOutcome> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  let raw: net.Socket | undefined;
  try {
    let socket: net.Socket | undefined;
    if (target.starttls !== 'none') {
      raw = net.connect({ host: target.host, port: target.port });
      raw.setTimeout(timeoutMs, () => raw!.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      await new Promise<void>((res, rej) => (raw!.once('connect', res), raw!.once('error', rej)));
      await (target.starttls === 'postgres' ? postgresPrelude(raw) : mysqlPrelude(raw));
      socket = raw;
    }
    const conn = tls.connect({
      host: target.host,
      port: target.port,
      socket,
      ca: opts.ca,
      ...(opts.servername === false ? {} : { servername: opts.servername ?? 'localhost' }),
      rejectUnauthorized: opts.verify ?? true,
      minVersion: opts.minVersion,
      maxVersion: opts.maxVersion,
      ciphers: opts.ciphers,
      cert: opts.cert,
      key: opts.key,
    });
    raw = conn;
    conn.setTimeout(timeoutMs, () => conn.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    await new Promise<void>((res, rej) => (conn.once('secureConnect', res), conn.once('error', rej)));
    const peer = conn.getPeerCertificate();
    let reply: string | undefined;
    if (opts.send !== undefined) {
      conn.write(opts.send);
      reply = await new Promise<string>((res, rej) => {
        conn.once('data', (d: Buffer) => res(d.toString()));
        conn.once('error', rej);
        conn.once('end', () => rej(Object.assign(new Error('closed by the server without a reply'), { code: 'ECONNRESET' })));
      });
    }
    return { ok: true, protocol: conn.getProtocol() ?? '', cipher: conn.getCipher().name, authorized: conn.authorized, peer, validTo: new Date(peer.valid_to), reply };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { reason?: string };
    return { ok: false, code: e.code ?? 'UNKNOWN', message: e.message };
  } finally {
    raw?.destroy();
  }
}

export const daysLeft = (validTo: Date, now = Date.now()) => (validTo.getTime() - now) / 86400000;
