#!/usr/bin/env node
import { runCli } from '@devstack/core';
import { certs } from './certs';
import { check } from './check';
import { disable, enable } from './enable';
import { renew } from './renew';

void runCli('tls', {
  certs: { description: 'devstack root CA in Vault PKI, a PKI role per service, leaf certificates under .devstack/certs/<service>/', run: certs },
  check: {
    description: 'days to expiry of every served certificate, read from live handshakes (warns under 30 days)',
    flags: [{ name: 'warn-days', type: 'number', description: 'warn when fewer days are left (default 30)' }],
    run: check,
  },
  renew: { description: 'reissue every certificate from Vault PKI and restart the TLS services through the provider', run: renew },
  enable: {
    description: 'serve TLS on every service (dual: plaintext beside TLS; required: plaintext refused); backup, restart, read-back, rollback',
    flags: [{ name: 'mode', type: 'string', description: 'dual (default) or required', choices: ['dual', 'required'] }],
    run: enable,
  },
  disable: { description: 'back to plaintext only (same restart/read-back/rollback contract)', run: disable },
});
