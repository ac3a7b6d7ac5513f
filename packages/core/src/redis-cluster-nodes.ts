/**
 * The one parser of Redis `CLUSTER NODES` output in the repo (runtime's cluster start-up, redis bench,
 * tune and failover all read it). Pure: text in, records out. Format, one node per line:
 * `<id> <ip:port@cport[,hostname]> <flags> <master|-> <ping-sent> <pong-recv> <config-epoch> <link-state> <slot>...`
 */

/** An inclusive slot range as CLUSTER NODES / CLUSTER SHARDS print it ("0-5460", or "5461" for one slot). */
export interface RedisSlotRange {
  start: number;
  end: number;
}

/** A slot being moved: "[slot->-target]" on the source (migrating), "[slot-<-source]" on the target (importing). */
export interface RedisSlotMove {
  slot: number;
  /** The other node of the move (its id). */
  nodeId: string;
}

export interface RedisClusterNode {
  id: string;
  /** Empty for a node with no known address yet (`noaddr`, some `handshake` lines print ":0@0"). */
  host: string;
  port: number;
  busPort?: number;
  /** Redis 7 `cluster-announce-hostname`, when set. */
  hostname?: string;
  /** The raw flags (myself, master, slave, fail?, fail, handshake, noaddr, nofailover, noflags). */
  flags: string[];
  role: 'master' | 'replica';
  myself: boolean;
  /** `fail` (a majority agreed), `pfail` (flag `fail?`: the reporting node suspects it), or `ok`. */
  health: 'ok' | 'pfail' | 'fail';
  handshake: boolean;
  noaddr: boolean;
  /** Not usable: failed, suspected, or without an address. */
  failed: boolean;
  /** For a replica: the id of its master. */
  masterId?: string;
  /** Link state of the cluster bus to this node, as the reporting node sees it. */
  connected: boolean;
  configEpoch: number;
  /** Slot ranges served (masters only), in the order printed. */
  slots: RedisSlotRange[];
  migrating: RedisSlotMove[];
  importing: RedisSlotMove[];
}

const SLOT = /^(\d+)(?:-(\d+))?$/;
const MIGRATING = /^\[(\d+)->-([0-9a-f]+)\]$/;
const IMPORTING = /^\[(\d+)-<-([0-9a-f]+)\]$/;

/** The slot fields of one line ("0-5460", "5461"); migrating and importing "[..]" entries are not ranges. */
export function parseRedisSlotRanges(fields: readonly string[]): RedisSlotRange[] {
  const out: RedisSlotRange[] = [];
  for (const f of fields) {
    const m = SLOT.exec(f);
    if (m) out.push({ start: Number(m[1]), end: Number(m[2] ?? m[1]) });
  }
  return out;
}

/** One CLUSTER NODES line; a line with fewer than the 8 fixed fields is a TypeError (not CLUSTER NODES output). */
export function parseRedisClusterNodeLine(line: string): RedisClusterNode {
  const f = line.trim().split(/\s+/);
  if (f.length < 8) throw new TypeError(`Not a CLUSTER NODES line (expected at least 8 fields): "${line.trim()}"`);
  const [address, hostname] = f[1].split(',');
  const [hostPort, bus] = address.split('@');
  const colon = hostPort.lastIndexOf(':');
  const flags = f[2].split(',');
  const health = flags.includes('fail') ? 'fail' : flags.includes('fail?') ? 'pfail' : 'ok';
  const noaddr = flags.includes('noaddr');
  const slotFields = f.slice(8);
  const moves = (re: RegExp) =>
    slotFields.flatMap((s) => {
      const m = re.exec(s);
      return m ? [{ slot: Number(m[1]), nodeId: m[2] }] : [];
    });
  return {
    id: f[0],
    host: colon >= 0 ? hostPort.slice(0, colon) : '',
    port: Number(hostPort.slice(colon + 1)),
    ...(bus !== undefined ? { busPort: Number(bus) } : {}),
    ...(hostname ? { hostname } : {}),
    flags,
    role: flags.includes('master') ? 'master' : 'replica',
    myself: flags.includes('myself'),
    health,
    handshake: flags.includes('handshake'),
    noaddr,
    failed: health !== 'ok' || noaddr,
    ...(f[3] !== '-' ? { masterId: f[3] } : {}),
    connected: f[7] === 'connected',
    configEpoch: Number(f[6]),
    slots: parseRedisSlotRanges(slotFields),
    migrating: moves(MIGRATING),
    importing: moves(IMPORTING),
  };
}

/** Every node of a CLUSTER NODES reply (blank lines ignored). */
export function parseRedisClusterNodes(text: string): RedisClusterNode[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map(parseRedisClusterNodeLine);
}

/** Does the node serve this slot? */
export function servesRedisSlot(node: Pick<RedisClusterNode, 'slots'>, slot: number): boolean {
  return node.slots.some((r) => slot >= r.start && slot <= r.end);
}
