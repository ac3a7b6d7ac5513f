import { DevstackError } from './errors';

/** A server that does not answer: exit 3, with the command that starts the stack. */
export function serviceDown(serverName: string, host: string, port: number, cause: unknown): DevstackError {
  return new DevstackError('SERVICE_DOWN', `${serverName} at ${host}:${port} is not reachable: ${(cause as Error).message}.`, {
    cause,
    fix: 'Start the stack: node packages/stack/dist/cli.js up (or npx nx run stack:up).',
  });
}

/** Open a connection, use it, and close it whatever happens (a failed close is not the caller's error). */
export async function withOpen<C, T>(open: () => Promise<C>, close: (c: C) => Promise<unknown>, fn: (c: C) => Promise<T>): Promise<T> {
  const conn = await open();
  try {
    return await fn(conn);
  } finally {
    await close(conn).catch(() => undefined);
  }
}
