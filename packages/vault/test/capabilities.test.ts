import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig, type LoadedConfig } from '@devstack/core';
import { assertVaultUsable } from '../src';

/** A config whose Vault endpoint is 127.0.0.1:<port>. */
function configAt(port: number): LoadedConfig {
  const base = loadConfig();
  return { ...base, ports: { ...base.ports, vault: port } } as LoadedConfig;
}

describe('assertVaultUsable fails loudly', () => {
  let server: Server;
  let body = '';
  beforeAll(async () => {
    // Answers only sys/seal-status, with whatever the test sets: enough to exercise our handling.
    server = createServer((_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('unreachable Vault is SERVICE_DOWN (exit 3), not a pass', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    await expect(assertVaultUsable(configAt(closedPort))).rejects.toMatchObject({ code: 'SERVICE_DOWN', message: expect.stringMatching(/unreachable/) });
  });

  test('sealed Vault is SERVICE_DOWN', async () => {
    body = JSON.stringify({ sealed: true, t: 1, n: 1, progress: 0 });
    await expect(assertVaultUsable(configAt((server.address() as AddressInfo).port))).rejects.toMatchObject({ code: 'SERVICE_DOWN', message: expect.stringMatching(/is sealed/) });
  });

  test('an unsealed answer is accepted', async () => {
    body = JSON.stringify({ sealed: false, t: 1, n: 1, progress: 0 });
    await expect(assertVaultUsable(configAt((server.address() as AddressInfo).port))).resolves.toMatchObject({ status: 200 });
  });
});
