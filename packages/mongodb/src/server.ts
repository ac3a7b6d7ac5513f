import { MongoClient } from 'mongodb';
import { DevstackError, type LoadedConfig } from '@devstack/core';
import { mongoUrl } from '@devstack/runtime';

export interface MongoServerInfo {
  name: 'MongoDB' | 'FerretDB';
  /** For FerretDB: its own version plus the MongoDB protocol version it reports. */
  version: string;
  protocolVersion: string;
  ferretdbVersion?: string;
}

/** Connect with the official driver; an unreachable server is SERVICE_DOWN (exit 3). */
export async function connect(config: LoadedConfig): Promise<MongoClient> {
  // FerretDB 1.x on SQLite does not enforce authentication and the local mongod runs without --auth,
  // so the bench connects like core's health check does (no credentials on the URL).
  const client = new MongoClient(mongoUrl(config), { serverSelectionTimeoutMS: 3000, connectTimeoutMS: 3000, maxPoolSize: 64 });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    return client;
  } catch (err) {
    await client.close().catch(() => undefined);
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
