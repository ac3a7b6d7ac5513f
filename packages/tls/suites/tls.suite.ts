import { loadConfig, readTlsState, type TlsMode, type TlsState } from '@devstack/core';
import { providerFor } from '@devstack/runtime';
import { haveCerts, issueAll } from '../src/certs';
import { servedCert } from '../src/check';
import { applyTlsState } from '../src/enable';
import { handshake, type HandshakeOptions, type TlsTarget } from '../src/handshake';
import { opensslProbe } from '../src/openssl-probe';
import { DNS_NAMES, issue, pkiClient } from '../src/pki';
import { tlsTarget, TLS_SERVICES } from '../src/targets';
import { driverLogin, plaintextProbe, PLAINTEXT_HELLO, type DbService } from './support/drivers';
import { material, Matrix, serve, type Material } from './support/fixtures';

/**
 * The TLS verification suite: every case is a real handshake or a real driver session against the
 * live stack. It switches the stack to dual mode, then to required mode, and restores whatever TLS
 * state it found (plaintext when TLS was off).
 */
const matrix = new Matrix();
let m: Material;
let before: TlsState | undefined;
const progress = () => undefined;
const SERVICES: DbService[] = ['postgres', 'mysql', 'redis', 'mongodb', 'vault'];
const target = (s: DbService, mode: TlsMode) => tlsTarget(m.config, s, mode) as TlsTarget;
// Redis and FerretDB verify client certificates on every TLS connection: probes present ours there.
const base = (s: DbService): HandshakeOptions => ({ ca: m.ca, ...(s === 'redis' || s === 'mongodb' ? m.client : {}) });

beforeAll(async () => {
  const config = loadConfig();
  if (!haveCerts(config)) await issueAll(config, progress);
  m = await material();
  before = readTlsState(m.config);
  // The suite restarts services; it must not quietly start a stack that was down.
  const down = (await providerFor(m.config).status()).filter((st) => !st.healthy).map((st) => `${st.service}: ${st.detail ?? 'down'}`);
  expect(down).toEqual([]);
});

afterAll(async () => {
  if (m && switched) {
    const outcome = await applyTlsState(m.config, before, progress);
    matrix.write(m.config);
    expect(outcome.state).toBe('applied');
  }
});

let switched = false;
async function switchTo(mode: TlsMode): Promise<void> {
  switched = true;
  const outcome = await applyTlsState(m.config, { mode, services: [...TLS_SERVICES], certUser: 'devstack_tls' }, progress);
  expect(outcome).toMatchObject({ state: 'applied' });
}

/**
 * Servers built on OpenSSL (PostgreSQL, MariaDB, Redis) complete the chain from their CA file and send
 * leaf + devstack root: a client trusting another CA then sees the root as SELF_SIGNED_CERT_IN_CHAIN.
 * FerretDB (Go) and RustyVault send the leaf alone: UNABLE_TO_VERIFY_LEAF_SIGNATURE.
 */
const WRONG_CA_CODE: Record<DbService, string> = {
  postgres: 'SELF_SIGNED_CERT_IN_CHAIN',
  mysql: 'SELF_SIGNED_CERT_IN_CHAIN',
  redis: 'SELF_SIGNED_CERT_IN_CHAIN',
  mongodb: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  vault: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
};

/** Scenarios that hold in either mode, for the services serving TLS in that mode. */
function commonCases(mode: TlsMode, services: DbService[]) {
  describe.each(services)(`%s (${mode})`, (s) => {
    test('1 handshake verifies the chain with the devstack CA; the driver works over TLS', async () => {
      await matrix.cell('1 chain verifies + driver over TLS', s, async () => {
        const h = await handshake(target(s, mode), base(s));
        expect(h).toMatchObject({ ok: true, authorized: true });
        const login = await driverLogin(m, s, mode, { tls: true, clientCert: true });
        expect(login).toMatchObject({ ok: true });
        if (s === 'postgres') expect(login.ok && login.observed).toMatch(/ssl=true TLSv1\.[23]/);
        if (s === 'mysql') expect(login.ok && login.observed).toMatch(/ssl_version=TLSv1\.[23]/);
        if (s === 'redis') expect(login.ok && login.observed).toBe('PONG cluster_state:ok');
        return login.ok ? login.observed : undefined;
      });
    });

    test('2 hostname verification passes for the SANs and fails for a wrong name', async () => {
      await matrix.cell('2 hostname: SANs pass, wrong name fails', s, async () => {
        for (const name of ['localhost', DNS_NAMES[s]]) expect(await handshake(target(s, mode), { ...base(s), servername: name })).toMatchObject({ ok: true });
        expect(await handshake(target(s, mode), { ...base(s), servername: false })).toMatchObject({ ok: true }); // IP SAN 127.0.0.1
        expect(await handshake(target(s, mode), { ...base(s), servername: 'wrong.devstack.test' })).toMatchObject({ ok: false, code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
      });
    });

    test('4 TLS 1.0 and 1.1 refused by the server; 1.2 and 1.3 accepted', async () => {
      await matrix.cell('4 TLS 1.0/1.1 refused, 1.2/1.3 accepted', s, async () => {
        for (const v of ['-tls1', '-tls1_1']) {
          // SECLEVEL=0 so our client offers the old protocol: the refusal seen is the server's alert.
          const r = await opensslProbe(target(s, mode), [v, '-cipher', 'DEFAULT@SECLEVEL=0']);
          expect({ v, connected: r.connected, error: r.error }).toEqual({ v, connected: false, error: 'tlsv1 alert protocol version' });
        }
        for (const v of ['TLSv1.2', 'TLSv1.3'] as const) {
          const h = await handshake(target(s, mode), { ...base(s), minVersion: v, maxVersion: v });
          expect(h).toMatchObject({ ok: true, protocol: v });
        }
      });
    });

    test('5 NULL and anonymous cipher suites refused with a handshake_failure alert', async () => {
      await matrix.cell('5 weak ciphers refused (NULL, anon)', s, async () => {
        for (const c of ['eNULL', 'aNULL']) {
          const r = await opensslProbe(target(s, mode), ['-tls1_2', '-cipher', `${c}@SECLEVEL=0`]);
          expect({ c, connected: r.connected, error: r.error }).toEqual({ c, connected: false, error: 'sslv3 alert handshake failure' });
        }
        return s === 'mongodb'
          ? 'RC4, 3DES, EXPORT: not offerable by OpenSSL 3 clients; FerretDB uses Go crypto/tls defaults'
          : 'RC4, 3DES, EXPORT: not offerable by OpenSSL 3 clients; the server cipher list excludes them (test/ciphers.test.ts)';
      });
    });

    test('8 a certificate chain from another CA fails verification', async () => {
      await matrix.cell('8 certificate from another CA fails', s, async () => {
        const h = await handshake(target(s, mode), { ...base(s), ca: m.other });
        expect(h).toMatchObject({ ok: false, code: WRONG_CA_CODE[s] });
        return WRONG_CA_CODE[s];
      });
    });
  });
}

describe('dual mode: TLS beside plaintext', () => {
  beforeAll(() => switchTo('dual'), 120000);
  commonCases('dual', ['postgres', 'mysql', 'redis', 'mongodb']);

  test.each(SERVICES)('7 %s: plaintext still accepted in dual mode', async (s) => {
    await matrix.cell('7 plaintext: dual accepts, required refuses', s, async () => {
      const login = await driverLogin(m, s, 'dual', { tls: false });
      expect(login).toMatchObject({ ok: true });
      if (s === 'postgres') expect(login.ok && login.observed).toMatch(/ssl=false/);
      if (s === 'mysql') expect(login.ok && login.observed).toMatch(/ssl_version=\(none\)/);
      return `dual: ${login.ok ? login.observed : ''}`;
    });
  });

  test('vault: dual mode keeps the single listener plaintext (no TLS target)', () => {
    expect(tlsTarget(m.config, 'vault', 'dual')).toBeUndefined();
  });
});

describe('required mode: plaintext refused', () => {
  beforeAll(() => switchTo('required'), 120000);
  commonCases('required', SERVICES);

  test.each(['postgres', 'mysql'] as const)('7 %s: plaintext login with valid credentials refused', async (s) => {
    await matrix.cell('7 plaintext: dual accepts, required refuses', s, async () => {
      const plain = await driverLogin(m, s, 'required', { tls: false });
      if (s === 'postgres') {
        expect(plain).toMatchObject({ ok: false, code: '28000' });
        expect(!plain.ok && plain.message).toMatch(/no pg_hba\.conf entry .* no encryption/);
      } else {
        // MariaDB 10.11 answers an insecure login under require_secure_transport with 1045, not MySQL's 3159.
        expect(plain).toMatchObject({ ok: false, code: '1045' });
      }
      expect(await driverLogin(m, s, 'required', { tls: true })).toMatchObject({ ok: true }); // same credentials over TLS
      return `required: ${!plain.ok ? `${plain.code} ${plain.message}` : ''}`;
    });
  });

  test.each(['redis', 'mongodb', 'vault'] as const)('7 %s: plaintext bytes to the TLS-only port get no protocol reply', async (s) => {
    await matrix.cell('7 plaintext: dual accepts, required refuses', s, async () => {
      const t = target(s, 'required');
      const r = await plaintextProbe(t.host, t.port, PLAINTEXT_HELLO[s]);
      expect(r.reply).toBe('');
      expect(['ECONNRESET', 'CLOSED']).toContain(r.code);
      expect(await handshake(t, base(s))).toMatchObject({ ok: true }); // the same port speaks TLS
      return `required: plaintext -> ${r.code}, no reply`;
    });
  });

  describe.each(['postgres', 'mysql'] as const)('3 %s: certificate-only account devstack_tls', (s) => {
    test('refused without a client certificate, accepted with one', async () => {
      await matrix.cell('3 client certificate required/accepted', s, async () => {
        const without = await driverLogin(m, s, 'required', { tls: true, user: 'cert' });
        if (s === 'postgres') expect(without).toMatchObject({ ok: false, code: '28000', message: 'connection requires a valid client certificate' });
        else expect(without).toMatchObject({ ok: false, code: '1045', message: expect.stringMatching(/Access denied for user 'devstack_tls'/) });
        const withCert = await driverLogin(m, s, 'required', { tls: true, user: 'cert', clientCert: true });
        expect(withCert).toMatchObject({ ok: true, observed: expect.stringMatching(/^user=devstack_tls/) });
      });
    });
  });

  test.each(['redis', 'mongodb'] as const)('3 %s: TLS without a client certificate gets the certificate_required alert', async (s) => {
    await matrix.cell('3 client certificate required/accepted', s, async () => {
      const without = await handshake(target(s, 'required'), { ca: m.ca, send: s === 'redis' ? 'PING\r\n' : 'x' });
      expect(without).toMatchObject({ ok: false, code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' });
      expect(await driverLogin(m, s, 'required', { tls: true, clientCert: true })).toMatchObject({ ok: true });
    });
  });

  test('3 vault: client certificates are not enabled on the listener (a handshake without one is served)', async () => {
    const h = await handshake(target('vault', 'required'), { ca: m.ca, send: 'GET /v1/sys/seal-status HTTP/1.1\r\nHost: localhost\r\n\r\n' });
    expect(h).toMatchObject({ ok: true, reply: expect.stringMatching(/^HTTP\/1\.1 200/) });
    matrix.mark('3 client certificate required/accepted', 'vault', 'n/a', 'listener runs with tls_disable_client_certs (node-vault clients carry no certificate)');
  });

  test.each(SERVICES)('6 %s: live certificate not flagged; short-lived flagged; expired rejected', async (s) => {
    await matrix.cell('6 expiry: short-lived flagged, expired rejected', s, async () => {
      const live = await servedCert(target(s, 'required'), m.ca);
      expect(live).toMatchObject({ ok: true, warn: false });
      const vault = pkiClient(m.config);
      // Both come from the service's own Vault PKI role: the product's CA, not a fixture.
      const [short, expired] = await Promise.all([issue(vault, s, '24h'), issue(vault, s, '1s')]);
      const a = await serve(short.certificate, short.privateKey);
      const b = await serve(expired.certificate, expired.privateKey);
      try {
        const flagged = await servedCert({ service: s, host: '127.0.0.1', port: a.port, starttls: 'none' }, m.ca);
        expect(flagged).toMatchObject({ ok: true, warn: true });
        expect(flagged.days!).toBeLessThan(1.01);
        await new Promise((r) => setTimeout(r, Math.max(0, expired.expiration * 1000 - Date.now() + 1500)));
        expect(await handshake({ service: s, host: '127.0.0.1', port: b.port, starttls: 'none' }, { ca: m.ca })).toMatchObject({ ok: false, code: 'CERT_HAS_EXPIRED' });
        return `live ${live.days!.toFixed(0)} days; 24h cert flagged (${flagged.days!.toFixed(2)} d)`;
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  });
});
