import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseRedisClusterNodeLine, parseRedisClusterNodes, parseRedisSlotRanges, servesRedisSlot } from '../src/redis-cluster-nodes';

const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures', 'cluster-nodes', `${name}.txt`), 'utf8');
const byPort = (text: string, port: number) => parseRedisClusterNodes(text).find((n) => n.port === port)!;

const M0 = '4f2e3db7783617beb34bc3db304b60142f05d52b';
const M2 = '5a79898c65691dcdba7f0b258b4c2640e1fa071f';

describe('CLUSTER NODES parser', () => {
  it('reads a healthy 3+3 cluster: ids, addresses, roles, myself, masters of replicas, slots', () => {
    const nodes = parseRedisClusterNodes(fixture('healthy'));
    expect(nodes).toHaveLength(6);
    expect(nodes.filter((n) => n.role === 'master').map((n) => n.slots)).toEqual(
      expect.arrayContaining([[{ start: 0, end: 5460 }], [{ start: 5461, end: 10922 }], [{ start: 10923, end: 16383 }]]),
    );
    const me = nodes.filter((n) => n.myself);
    expect(me).toHaveLength(1);
    expect(me[0]).toMatchObject({ id: M0, host: '127.0.0.1', port: 17600, busPort: 27600, role: 'master', health: 'ok', failed: false, connected: true, configEpoch: 1 });
    expect(me[0].masterId).toBeUndefined();
    const replicas = nodes.filter((n) => n.role === 'replica');
    expect(replicas).toHaveLength(3);
    for (const r of replicas) {
      expect(r.slots).toEqual([]);
      expect(nodes.some((m) => m.role === 'master' && m.id === r.masterId)).toBe(true);
    }
    expect(byPort(fixture('healthy'), 17604)).toMatchObject({ role: 'replica', masterId: M0, flags: ['slave'] });
  });

  it('flags a suspected node pfail (fail?) and an agreed failure fail; both count as failed', () => {
    expect(byPort(fixture('pfail'), 17603)).toMatchObject({ flags: ['slave', 'fail?'], health: 'pfail', failed: true, role: 'replica', masterId: M2 });
    expect(byPort(fixture('fail'), 17603)).toMatchObject({ flags: ['slave', 'fail'], health: 'fail', failed: true });
    expect(byPort(fixture('fail'), 17605)).toMatchObject({ health: 'ok', failed: false });
  });

  it('reads a handshake node: no role flag, no master, link disconnected', () => {
    const n = byPort(fixture('handshake'), 17690);
    expect(n).toMatchObject({ flags: ['handshake'], handshake: true, connected: false, health: 'ok', slots: [], configEpoch: 0 });
    expect(n.masterId).toBeUndefined();
    expect(parseRedisClusterNodes(fixture('handshake'))).toHaveLength(7);
  });

  it('keeps migrating and importing entries out of the served ranges', () => {
    const source = byPort(fixture('migrating-source'), 17600);
    expect(source.slots).toEqual([{ start: 0, end: 5460 }]);
    expect(source.migrating).toEqual([{ slot: 100, nodeId: M2 }]);
    expect(source.importing).toEqual([]);
    const target = byPort(fixture('importing-target'), 17602);
    expect(target).toMatchObject({ myself: true, slots: [{ start: 10923, end: 16383 }], importing: [{ slot: 100, nodeId: M0 }], migrating: [] });
    expect(servesRedisSlot(source, 100)).toBe(true);
    expect(servesRedisSlot(target, 100)).toBe(false);
  });

  it('reads single slots, several ranges, noaddr and an announced hostname (forms from the Redis docs)', () => {
    const line = '07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004,host-4 slave,nofailover e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected';
    expect(parseRedisClusterNodeLine(line)).toMatchObject({ host: '127.0.0.1', port: 30004, busPort: 31004, hostname: 'host-4', role: 'replica', flags: ['slave', 'nofailover'] });
    const noaddr = parseRedisClusterNodeLine('67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 :0@0 master,noaddr - 1426238316232 1426238315232 2 disconnected 5461 5463-5465');
    expect(noaddr).toMatchObject({ host: '', port: 0, noaddr: true, failed: true, health: 'ok', connected: false, slots: [{ start: 5461, end: 5461 }, { start: 5463, end: 5465 }] });
    expect(parseRedisSlotRanges(['0-5460', '5462', '[5461->-abc]'])).toEqual([{ start: 0, end: 5460 }, { start: 5462, end: 5462 }]);
  });

  it('ignores blank lines and refuses text that is not CLUSTER NODES output', () => {
    expect(parseRedisClusterNodes(`\n${fixture('healthy')}\n\n`)).toHaveLength(6);
    expect(parseRedisClusterNodes('')).toEqual([]);
    expect(() => parseRedisClusterNodes('ERR This instance has cluster support disabled')).toThrow(new TypeError('Not a CLUSTER NODES line (expected at least 8 fields): "ERR This instance has cluster support disabled"'));
  });
});
