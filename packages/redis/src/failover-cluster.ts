import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { DevstackError, endpointsOf, isAlive, readPid, sleep, type LoadedConfig } from '@devstack/core';
import { redisPidName, StackLayout, startRedisNode } from '@devstack/runtime';
import { infoField, parseClusterNodes, replicasOfInfo, shardsOf, type ClusterNode, type Shard } from './failover-topology';
import type { NodeView, PollSample } from './failover-timing';

/**
 * Live control of the local 3+3 cluster for the failover suite: direct connections per node, the pids
 * of our own .devstack/run/redis-<i>.pid files (never a process name), restarts through core.
 */
export class ClusterControl {
  readonly ports: number[];
  readonly host: string;
  private conns = new Map<number, Redis>();

  constructor(
    readonly config: LoadedConfig,
    readonly layout: StackLayout,
    readonly password: string,
  ) {
    const nodes = endpointsOf(config).redis.nodes;
    this.ports = nodes.map((n) => n.port);
    this.host = nodes[0].host;
  }

  /** A direct (non-cluster) connection; failed connections are dropped and re-made on next use. */
  conn(port: number, timeoutMs = 1000): Redis {
    let c = this.conns.get(port);
    if (!c || c.status === 'end' || c.status === 'close') {
      c?.disconnect();
      c = new Redis({
        host: this.host,
        port,
        password: this.password,
        lazyConnect: false,
        connectTimeout: timeoutMs,
        commandTimeout: timeoutMs,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        enableOfflineQueue: true,
      });
      c.on('error', () => undefined);
      this.conns.set(port, c);
    }
    return c;
  }

  async call(port: number, ...args: (string | number)[]): Promise<unknown> {
    try {
      return await this.conn(port).call(String(args[0]), ...args.slice(1).map(String));
    } catch (err) {
      const c = this.conns.get(port);
      if (c && c.status !== 'ready') {
        c.disconnect();
        this.conns.delete(port);
      }
      throw err;
    }
  }

  async nodesOf(port: number): Promise<ClusterNode[]> {
    return parseClusterNodes(String(await this.call(port, 'CLUSTER', 'NODES')));
  }

  async info(port: number, section = 'replication'): Promise<string> {
    return String(await this.call(port, 'INFO', section));
  }

  /** Shards as seen from the first node in `from` that answers. */
  async shards(from: number[] = this.ports): Promise<{ shards: Shard[]; nodes: ClusterNode[] }> {
    let last: unknown;
    for (const p of from) {
      try {
        const nodes = await this.nodesOf(p);
        return { shards: shardsOf(nodes), nodes };
      } catch (err) {
        last = err;
      }
    }
    throw new DevstackError('SERVICE_DOWN', `No Redis node answered CLUSTER NODES: ${(last as Error)?.message}`);
  }

  indexOf(port: number): number {
    const i = this.ports.indexOf(port);
    if (i < 0) throw new TypeError(`port ${port} is not a node of this stack`);
    return i;
  }

  pid(port: number): number | undefined {
    const pid = readPid(this.layout.pid(redisPidName(this.indexOf(port))));
    return pid && isAlive(pid) ? pid : undefined;
  }

  /** Send a signal to a node's own process (pid file of this stack). Returns the send time. */
  signal(port: number, sig: NodeJS.Signals): number {
    const pid = this.pid(port);
    if (!pid) throw new DevstackError('SERVICE_DOWN', `Redis node :${port} has no live process in ${this.layout.pid(redisPidName(this.indexOf(port)))}.`);
    const t = performance.now();
    process.kill(pid, sig);
    if (sig === 'SIGKILL' || sig === 'SIGSTOP') this.dropConn(port);
    return t;
  }

  dropConn(port: number): void {
    this.conns.get(port)?.disconnect();
    this.conns.delete(port);
  }

  async waitGone(port: number, timeoutMs = 15000): Promise<void> {
    const pid = readPid(this.layout.pid(redisPidName(this.indexOf(port))));
    const deadline = Date.now() + timeoutMs;
    while (pid && isAlive(pid)) {
      if (Date.now() > deadline) throw new DevstackError('ENVIRONMENT', `Redis node :${port} (pid ${pid}) did not exit within ${timeoutMs} ms.`);
      await sleep(20);
    }
    this.dropConn(port);
  }

  /** Start a node again from its conf (nodes.conf keeps its identity), with the suite's node timeout. */
  async restart(port: number, nodeTimeoutMs: number): Promise<void> {
    this.dropConn(port);
    const config = { ...this.config, redis: { ...this.config.redis, nodeTimeoutMs } };
    await startRedisNode(config, this.layout, this.indexOf(port), this.password);
  }

  /** One poll of every given node: cluster_state, how it sees the victim, its own role. */
  async pollOnce(ports: number[], victimId: string | undefined, t0: number): Promise<PollSample> {
    const nodes = await Promise.all(
      ports.map(async (port): Promise<NodeView> => {
        try {
          const c = this.conn(port);
          const res = await c.pipeline().call('CLUSTER', 'INFO').call('CLUSTER', 'NODES').exec();
          if (!res || res.some(([e]) => e)) return { port };
          const nodes = parseClusterNodes(String(res[1][1]));
          const me = nodes.find((n) => n.myself);
          const victim = victimId ? nodes.find((n) => n.id === victimId) : undefined;
          return {
            port,
            state: infoField(String(res[0][1]), 'cluster_state'),
            victimHealth: victimId ? (victim?.health ?? 'absent') : undefined,
            role: me?.role,
          };
        } catch {
          this.dropConn(port);
          return { port };
        }
      }),
    );
    return { t: performance.now() - t0, nodes };
  }

  /** Is this replica linked to its master with the same replication offset (after a WAIT)? */
  async replicaInSync(replicaPort: number): Promise<{ ok: boolean; detail: string }> {
    const rinfo = await this.info(replicaPort);
    const link = infoField(rinfo, 'master_link_status');
    const masterPort = Number(infoField(rinfo, 'master_port'));
    if (link !== 'up') return { ok: false, detail: `:${replicaPort} master_link_status:${link ?? '?'}` };
    // Caught up = the replica acknowledged everything the master had before we asked. WAIT itself
    // sends REPLCONF GETACK down the stream, so the master's offset moves on a little after it.
    const before = Number(infoField(await this.info(masterPort), 'master_repl_offset'));
    const acked = Number(await this.call(masterPort, 'WAIT', 1, 2000));
    const mine = replicasOfInfo(await this.info(masterPort)).find((r) => r.port === replicaPort);
    const ok = acked >= 1 && mine?.state === 'online' && mine.offset >= before;
    return { ok, detail: `:${replicaPort} of :${masterPort} link up, acked offset ${mine?.offset ?? '?'} >= master offset ${before} before WAIT (WAIT acked ${acked})` };
  }

  /** Wait until `check` returns a value, polling every intervalMs; undefined on timeout. */
  async until<T>(check: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 50, signal?: AbortSignal): Promise<T | undefined> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      try {
        const v = await check();
        if (v !== undefined) return v;
      } catch {
        /* a node still coming up: keep polling */
      }
      if (performance.now() > deadline) return undefined;
      await sleep(intervalMs, signal);
    }
  }

  close(): void {
    for (const c of this.conns.values()) c.disconnect();
    this.conns.clear();
  }
}
