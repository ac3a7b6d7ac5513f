import type { LoadedConfig } from '@devstack/core';
import type { Backend } from '../backend';
import type { ApiOptions } from '../options';
import { mongodbBackend } from './mongodb';
import { mysqlBackend } from './mysql';
import { postgresBackend } from './postgres';
import { redisBackend } from './redis';
import { vaultBackend } from './vault';

export function createBackends(config: LoadedConfig, options: ApiOptions, warn: (m: string) => void): Backend[] {
  return [postgresBackend, mysqlBackend, mongodbBackend, redisBackend, vaultBackend].map((make) => make(config, options, warn));
}
