#!/usr/bin/env node
import { runCli } from '@devstack/core';
import { policy } from './policy-check';
import { matrix } from './reachability';

void runCli('network', {
  matrix: {
    description: 'probe every service port from a probe in every network (and the host): allowed flows must complete a protocol exchange, denied ones must be refused or time out',
    flags: [{ name: 'connect-timeout-ms', type: 'number', description: 'bound for a denied flow (default 1500)' }],
    live: true,
    run: matrix,
  },
  policy: { description: 'validate configs/network/segmentation.json, show networks and flows, check docker-compose.yml membership', run: policy },
});
