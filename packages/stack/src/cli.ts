#!/usr/bin/env node
import { runCli, STACK_SERVICES } from '@devstack/core';
import { down, restart, status, up } from './stack';

void runCli('devstack', {
  up: {
    description: 'start the stack (Vault first, then PostgreSQL, MariaDB, the MongoDB server, the Redis cluster); idempotent',
    flags: [
      { name: 'services', type: 'list', description: 'only these services (comma-separated); Vault always starts' },
      { name: 'segmented', type: 'boolean', description: 'each service in its own network namespace, flows per configs/network/segmentation.json (local provider, root)' },
      { name: 'restart', type: 'boolean', description: 'with --segmented: a stack running without segmentation is stopped (data kept) and started segmented' },
    ],
    run: up,
  },
  down: {
    description: 'stop the stack processes this project started; data stays unless --purge',
    flags: [{ name: 'purge', type: 'boolean', description: 'also remove .devstack/ data, configs, Vault keys, AppRoles and certs (results and logs stay)' }],
    run: down,
  },
  status: { description: 'table of every service: server and version, port, pid, healthy', run: status },
  restart: {
    description: 'restart one service through the provider',
    flags: [{ name: 'service', type: 'string', description: 'the service to restart', choices: [...STACK_SERVICES] }],
    run: restart,
  },
});
