/** One backend the api reads from. Pools are created lazily and re-created after a failed start. */
export interface Backend {
  readonly name: BackendName;
  /** One real single-row read; resolves with the row (never secrets). */
  read(id: number): Promise<unknown>;
  /** The cheapest round trip the server answers (SELECT 1, PING, sys/health). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const BACKEND_NAMES = ['postgres', 'mysql', 'mongodb', 'redis', 'vault'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Why a backend call failed, as the 503 body says it. */
export class BackendUnavailable extends Error {
  constructor(readonly backend: BackendName, readonly reason: string, options?: { cause?: unknown }) {
    super(`${backend} unavailable: ${reason}`, options);
    this.name = 'BackendUnavailable';
  }
}

/** Reject after `ms` so a hung driver (a cluster re-sharding, a dead socket) still answers 503 in time. */
export function withTimeout<T>(backend: BackendName, ms: number, op: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new BackendUnavailable(backend, `no answer within ${ms} ms`)), ms);
    op().then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err) => {
        clearTimeout(timer);
        reject(err instanceof BackendUnavailable ? err : new BackendUnavailable(backend, describe(err), { cause: err }));
      },
    );
  });
}

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const msg = (e?.message ?? String(err)).split('\n')[0].slice(0, 200);
  return e?.code && !msg.includes(e.code) ? `${e.code}: ${msg}` : msg || 'unknown error';
}

/**
 * A value built once on first use; a failed build is forgotten, so the next request tries again
 * (the api starts before a backend is up, or outlives its restart).
 */
export class Lazy<T> {
  private pending?: Promise<T>;
  constructor(private readonly build: () => Promise<T>) {}
  get(): Promise<T> {
    if (!this.pending) {
      this.pending = this.build().catch((err) => {
        this.pending = undefined;
        throw err;
      });
    }
    return this.pending;
  }
  /** The built value, if any, without building it. */
  async peek(): Promise<T | undefined> {
    return this.pending?.catch(() => undefined);
  }
  reset(): void {
    this.pending = undefined;
  }
}

/** What a SQL driver's pool offers the api: a query and an end. */
interface SqlPool {
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}

/**
 * A SQL server behind a pool built on first use: seeded once (a pool whose seeding fails is closed and
 * forgotten, so the next request tries again), pinged with `SELECT 1`, closed with `end()`.
 */
export function sqlPoolBackend<P extends SqlPool>(name: BackendName, spec: { open(): Promise<P>; seed(pool: P): Promise<void>; read(pool: P, id: number): Promise<unknown> }): Backend {
  const pool = new Lazy(async () => {
    const p = await spec.open();
    try {
      await spec.seed(p);
    } catch (err) {
      await p.end().catch(() => undefined);
      throw err;
    }
    return p;
  });
  return {
    name,
    read: async (id) => spec.read(await pool.get(), id),
    async ping() {
      await (await pool.get()).query('SELECT 1');
    },
    async close() {
      const p = await pool.peek();
      pool.reset();
      await p?.end();
    },
  };
}
