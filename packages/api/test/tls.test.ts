import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { waitForPort, type LoadedConfig } from '@devstack/core';
import { apiOptions, tlsFiles } from '../src/options';
import { freePort } from './free-port';

/** The TLS hook: cert.pem + key.pem under .devstack/certs/api/ switch the api to HTTPS (a real handshake here). */
const stateRoot = mkdtempSync(path.join(os.tmpdir(), 'api-tls-'));
const config = { stateRoot } as LoadedConfig;
const certDir = path.join(stateRoot, 'certs', 'api');

describe('api TLS hook', () => {
  it('serves plain HTTP when no certificate exists (auto) and refuses TLS=on without one', () => {
    expect(tlsFiles(apiOptions(config, {}))).toBeUndefined();
    expect(() => tlsFiles(apiOptions(config, { DEVSTACK_API_TLS: 'on' }))).toThrow(expect.objectContaining({ code: 'ENVIRONMENT', message: expect.stringContaining('DEVSTACK_API_TLS=on') }));
  });

  it('refuses bad option values with the variable name', () => {
    expect(() => apiOptions(config, { DEVSTACK_API_POOL: '0' })).toThrow(expect.objectContaining({ code: 'BAD_CONFIG', message: 'DEVSTACK_API_POOL="0" must be an integer between 1 and 1000.' }));
    expect(() => apiOptions(config, { DEVSTACK_API_TLS: 'yes' })).toThrow(expect.objectContaining({ code: 'BAD_CONFIG' }));
  });

  it('the api process serves HTTPS with the certificate from .devstack/certs/api/ (real handshake)', async () => {
    mkdirSync(certDir, { recursive: true });
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', path.join(certDir, 'key.pem'), '-out', path.join(certDir, 'cert.pem')], { stdio: 'ignore', timeout: 30000 });
    // Certificates alone do not switch the api: only the stack's TLS being enabled does.
    expect(tlsFiles(apiOptions(config, {}))).toBeUndefined();
    mkdirSync(path.join(stateRoot, 'conf'), { recursive: true });
    writeFileSync(path.join(stateRoot, 'conf', 'tls.json'), JSON.stringify({ mode: 'dual', services: ['postgres'] }));
    const files = tlsFiles(apiOptions(config, {}))!;
    expect(files).toEqual({ cert: path.join(certDir, 'cert.pem'), key: path.join(certDir, 'key.pem') });
    const port = await freePort();
    // The built server (npx nx run api:build) in a throw-away state dir: no stack needed for /health.
    const child = spawn(process.execPath, [path.join(__dirname, '../dist/server.js')], {
      env: { ...process.env, DEVSTACK_STATE_DIR: stateRoot, DEVSTACK_PORT_OFFSET: '0', DEVSTACK_API_PORT: String(port), DEVSTACK_API_TLS: 'on' },
      stdio: 'ignore',
    });
    try {
      await waitForPort('127.0.0.1', port, { timeoutMs: 20000, pid: child.pid });
      // Agent-less request: no keep-alive socket left behind for jest.
      const { status, protocol, body } = await new Promise<{ status: number; protocol: string; body: string }>((resolve, reject) => {
        const req = https.get({ host: '127.0.0.1', port, path: '/health', ca: readFileSync(files.cert), agent: false }, (res) => {
          // The socket is detached from the response once it ends: read the protocol now.
          const protocol = (res.socket as TLSSocket).getProtocol() ?? '';
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, protocol, body: text }));
        });
        req.on('error', reject);
      });
      expect(status).toBe(200);
      expect(protocol).toMatch(/^TLSv1\.[23]$/);
      expect(JSON.parse(body).status).toBe('ok');
      // DEVSTACK_API_TLS=on is HTTPS only: a plain HTTP request gets no HTTP answer.
      await expect(plainGet(port)).rejects.toMatchObject({ code: expect.stringMatching(/^(ECONNRESET|HPE_INVALID_CONSTANT)$/) });
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('TLS dual mode: the same port answers plain HTTP and HTTPS (protocol detected per connection)', async () => {
    // Runs after the test above: the certificate pair and tls.json (mode dual) exist in the scratch state dir.
    const files = tlsFiles(apiOptions(config, {}))!;
    expect(apiOptions(config, {}).tlsMode).toBe('dual');
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(__dirname, '../dist/server.js')], {
      env: { ...process.env, DEVSTACK_STATE_DIR: stateRoot, DEVSTACK_PORT_OFFSET: '0', DEVSTACK_API_PORT: String(port), DEVSTACK_API_TLS: 'auto' },
      stdio: 'ignore',
    });
    try {
      await waitForPort('127.0.0.1', port, { timeoutMs: 20000, pid: child.pid });
      const plain = await plainGet(port);
      expect(plain).toMatchObject({ status: 200 });
      expect(JSON.parse(plain.body).status).toBe('ok');
      const secure = await new Promise<{ status: number; protocol: string }>((resolve, reject) => {
        const req = https.get({ host: '127.0.0.1', port, path: '/health', ca: readFileSync(files.cert), agent: false }, (res) => {
          const protocol = (res.socket as TLSSocket).getProtocol() ?? '';
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, protocol }));
        });
        req.on('error', reject);
      });
      expect(secure).toEqual({ status: 200, protocol: expect.stringMatching(/^TLSv1\.[23]$/) });
    } finally {
      child.kill('SIGTERM');
    }
  });
});

function plainGet(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/health', agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', reject);
  });
}
