import { MongoClient } from 'mongodb';
import { DevstackError, getCredentials, type LoadedConfig, type ServiceCredentials } from '@devstack/core';
import { mongoUrl } from '@devstack/runtime';

export interface MongoServerInfo {
  name: 'MongoDB' | 'FerretDB';
  /** For FerretDB: its own version plus the MongoDB protocol version it reports. */
  version: string;
  protocolVersion: string;
  ferretdbVersion?: string;
}

/** The stack's MongoDB login: the mongodb secret from Vault (AppRole), the configured fallback otherwise. */
export async function mongoCredentials(config: LoadedConfig): Promise<ServiceCredentials> {
  return getCredentials(config, 'mongodb');
}

/**
 * Connect with the official driver as the stack's user (SCRAM, password from Vault). FerretDB here
 * enforces authentication; a local mongod started without --auth has no users, so on mongod only an
 * authentication refusal falls back to no login. An unreachable server is SERVICE_DOWN (exit 3).
 */
export async function connect(config: LoadedConfig, creds?: { user: string; password: string }): Promise<MongoClient> {
  const login = creds ?? (await mongoCredentials(config));
  const open = async (withLogin: boolean) => {
    const client = new MongoClient(mongoUrl(config, withLogin ? login : undefined), { serverSelectionTimeoutMS: 3000, connectTimeoutMS: 3000, maxPoolSize: 64 });
    try {
      await client.connect();
      await client.db('admin').command(withLogin ? { connectionStatus: 1 } : { ping: 1 });
      return client;
    } catch (err) {
      await client.close().catch(() => undefined);
      throw err;
    }
  };
  try {
    return await open(true);
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (code === 18) {
      const anon = await open(false).catch(() => undefined);
      if (anon && !(await serverInfo(anon)).ferretdbVersion) return anon;
      await anon?.close();
      throw new DevstackError('ENVIRONMENT', `The MongoDB server refused the stack's credentials (user "${login.user}"): ${(err as Error).message}`, {
        fix: 'The user is created with Vault\'s password on the first start; if Vault was reset since, run npx nx run stack:down --purge and stack:up.',
        cause: err,
      });
    }
    throw new DevstackError('SERVICE_DOWN', `MongoDB server unreachable at ${mongoUrl(config)}: ${(err as Error).message}`, { fix: 'Start the stack: npx nx run stack:up', cause: err });
  }
}

/** Which server answers: buildInfo.ferretdbVersion is present only on FerretDB. */
export async function serverInfo(client: MongoClient): Promise<MongoServerInfo> {
  const build = await client.db('admin').command({ buildInfo: 1 });
  const protocolVersion = String(build.version);
  if (build.ferretdbVersion) {
    const ferretdbVersion = String(build.ferretdbVersion).replace(/^v/, '');
    return { name: 'FerretDB', version: `${ferretdbVersion} (MongoDB ${protocolVersion} protocol)`, protocolVersion, ferretdbVersion };
  }
  return { name: 'MongoDB', version: protocolVersion, protocolVersion };
}
