import type { SlotRange } from '../slots';
import type { ClusterNode } from '../topology';

export function infoField(info: string, key: string): string | undefined {
  return new RegExp(`(?:^|\\n)${key}:([^\\r\\n]*)`).exec(info)?.[1];
}

/** A shard: the master that serves a set of slots and its replicas (by port). */
export interface Shard {
  masterId: string;
  masterPort: number;
  replicaPorts: number[];
  slots: SlotRange[];
}

/** Shards as one node sees them: masters that own slots and are not flagged fail. */
export function shardsOf(nodes: ClusterNode[]): Shard[] {
  return nodes
    .filter((n) => n.role === 'master' && n.slots.length > 0 && n.health !== 'fail')
    .map((m) => ({
      masterId: m.id,
      masterPort: m.port,
      replicaPorts: nodes.filter((r) => r.role === 'replica' && r.masterId === m.id && r.health !== 'fail').map((r) => r.port),
      slots: m.slots,
    }))
    .sort((a, b) => a.slots[0].start - b.slots[0].start);
}

/** The shard that serves a slot. */
export function shardOfSlot(shards: Shard[], slot: number): Shard | undefined {
  return shards.find((s) => s.slots.some((r) => slot >= r.start && slot <= r.end));
}

/** Replication state from INFO replication of a master: per replica port, online and offset. */
export function replicasOfInfo(info: string): { port: number; state: string; offset: number; lag: number }[] {
  const out: { port: number; state: string; offset: number; lag: number }[] = [];
  for (const m of info.matchAll(/slave\d+:([^\r\n]+)/g)) {
    const kv = Object.fromEntries(m[1].split(',').map((p) => p.split('=') as [string, string]));
    out.push({ port: Number(kv.port), state: kv.state, offset: Number(kv.offset), lag: Number(kv.lag) });
  }
  return out;
}
