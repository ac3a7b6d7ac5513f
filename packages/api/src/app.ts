import type { RequestListener } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { dualProtocolServer } from './dual-server';
import { BackendUnavailable, withTimeout, type Backend, type BackendName } from './backend';
import type { ApiOptions } from './options';

/** Where each backend's single-row read is served. */
export const READ_ROUTES: Record<BackendName, string> = {
  postgres: '/db/postgres',
  mysql: '/db/mysql',
  mongodb: '/db/mongodb',
  redis: '/cache/redis',
  vault: '/vault/secret',
};

export interface BuildAppInput {
  backends: Backend[];
  options: Pick<ApiOptions, 'timeoutMs' | 'rows'>;
  /** TLS material; `dual` also serves plain HTTP on the same port (protocol detected per connection). */
  https?: { cert: Buffer; key: Buffer; mode?: 'dual' | 'required' };
}

const ms = (t0: number) => Math.round((performance.now() - t0) * 1000) / 1000;

function unavailable(reply: FastifyReply, err: unknown, backend: BackendName) {
  const e = err instanceof BackendUnavailable ? err : new BackendUnavailable(backend, (err as Error)?.message ?? String(err));
  return reply.code(503).send({ error: 'backend_unavailable', backend: e.backend, reason: e.reason });
}

/** The api as a fastify instance (no listen): server.ts listens, suites inject or listen on port 0. */
export function buildApp(input: BuildAppInput): FastifyInstance {
  const started = Date.now();
  const tls = input.https;
  const app = (
    tls?.mode === 'dual'
      ? Fastify({ logger: false, serverFactory: (handler: RequestListener) => dualProtocolServer(handler, { cert: tls.cert, key: tls.key }) } as Record<string, unknown>)
      : Fastify({ logger: false, https: tls ? { cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' } : null } as Record<string, unknown>)
  ) as unknown as FastifyInstance;
  const { timeoutMs, rows } = input.options;

  app.get('/health', async () => ({ status: 'ok', uptimeS: Math.round((Date.now() - started) / 1000), pid: process.pid }));

  app.get('/health/all', async (_req, reply) => {
    const entries = await Promise.all(
      input.backends.map(async (b) => {
        const t0 = performance.now();
        try {
          await withTimeout(b.name, timeoutMs, () => b.ping());
          return [b.name, { status: 'up', latencyMs: ms(t0) }] as const;
        } catch (err) {
          return [b.name, { status: 'down', latencyMs: ms(t0), reason: (err as BackendUnavailable).reason ?? String(err) }] as const;
        }
      }),
    );
    const allUp = entries.every(([, s]) => s.status === 'up');
    return reply.code(allUp ? 200 : 503).send({ status: allUp ? 'ok' : 'degraded', backends: Object.fromEntries(entries) });
  });

  for (const backend of input.backends) {
    app.get<{ Querystring: { id?: string } }>(READ_ROUTES[backend.name], async (req, reply) => {
      let id = 1 + Math.floor(Math.random() * rows);
      if (req.query.id !== undefined) {
        id = Number(req.query.id);
        if (!Number.isInteger(id) || id < 1 || id > rows) {
          return reply.code(400).send({ error: 'bad_request', message: `id must be an integer from 1 to ${rows}` });
        }
      }
      const t0 = performance.now();
      try {
        const row = await withTimeout(backend.name, timeoutMs, () => backend.read(id));
        if (row === null) return reply.code(404).send({ error: 'not_found', backend: backend.name, id });
        return { backend: backend.name, id, latencyMs: ms(t0), row };
      } catch (err) {
        return unavailable(reply, err, backend.name);
      }
    });
  }

  app.setErrorHandler((err, _req, reply) => {
    void reply.code((err as { statusCode?: number }).statusCode ?? 500).send({ error: 'internal', message: (err as Error).message });
  });
  app.addHook('onClose', async () => {
    await Promise.all(input.backends.map((b) => b.close().catch(() => undefined)));
  });
  return app;
}
