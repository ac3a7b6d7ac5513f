import { parseClusterNodes, servesSlot, slotMapOf, slotMapsProblem, slotMasters, tagFor } from '../src/topology';
import { keySlot } from '../src/slots';

// CLUSTER NODES as Redis 7.0 prints it (captured from the embedded cluster, one replica failed).
const NODES = [
  'c367f7f9d04ab87ec9971182827e07e5d02742aa 127.0.0.1:17202@27202 master - 0 1764397000000 3 connected 10923-16383',
  'd05cfb4c7973f82da03d7264282ef1ac4518eb39 127.0.0.1:17201@27201 master - 0 1764397000000 2 connected 5461-10922',
  'c91d865fd33d230ff91d0ade46a914e1af33608d 127.0.0.1:17200@27200 myself,master - 0 0 1 connected 0-5460',
  'e23d1313f39181c3f024855b4ca9f4fe9eafe602 127.0.0.1:17205@27205 slave c91d865fd33d230ff91d0ade46a914e1af33608d 0 1764397000000 1 connected',
  '9c201b9915ac3e60a98f435fa2729d0c47ccc4c4 127.0.0.1:17203@27203 slave,fail d05cfb4c7973f82da03d7264282ef1ac4518eb39 1764396999000 1764396998000 2 disconnected',
  'e5df2a734618aa9f9f083c2ed20a167c35954c09 127.0.0.1:17204@27204 slave c367f7f9d04ab87ec9971182827e07e5d02742aa 0 1764397000000 3 connected',
].join('\n');

describe('cluster topology', () => {
  const nodes = parseClusterNodes(NODES);

  it('parses roles, masters of replicas, failure flags and slots', () => {
    expect(nodes).toHaveLength(6);
    expect(nodes[2]).toMatchObject({ port: 17200, role: 'master', failed: false, slots: [{ start: 0, end: 5460 }] });
    expect(nodes[3]).toMatchObject({ port: 17205, role: 'replica', masterId: 'c91d865fd33d230ff91d0ade46a914e1af33608d' });
    expect(nodes[4]).toMatchObject({ port: 17203, role: 'replica', failed: true });
  });

  it('reduces a view to its slot map, so two nodes that route differently compare unequal', () => {
    expect(slotMapOf(nodes)).toBe('0-5460@17200 5461-10922@17201 10923-16383@17202');
    // The same cluster seen by a node that already knows :17205 took over slots 0-5460.
    const after = NODES.replace('127.0.0.1:17200@27200 myself,master - 0 0 1 connected 0-5460', '127.0.0.1:17200@27200 myself,slave e23d1313f39181c3f024855b4ca9f4fe9eafe602 0 0 4 connected')
      .replace('127.0.0.1:17205@27205 slave c91d865fd33d230ff91d0ade46a914e1af33608d 0 1764397000000 1 connected', '127.0.0.1:17205@27205 master - 0 1764397000000 4 connected 0-5460');
    expect(slotMapOf(parseClusterNodes(after))).toBe('0-5460@17205 5461-10922@17201 10923-16383@17202');
  });

  it('names masters by slot order, independent of ports', () => {
    expect(slotMasters(nodes).map((n) => n.port)).toEqual([17200, 17201, 17202]);
  });

  it('finds a hash tag served by a given master', () => {
    for (const m of slotMasters(nodes)) expect(servesSlot(m, keySlot(tagFor(m)))).toBe(true);
  });

  describe('slotMapsProblem (what waitSlotMapsAgree waits out)', () => {
    const map = '0-5460@17200 5461-10922@17201 10923-16383@17202';
    const moved = '0-5460@17205 5461-10922@17201 10923-16383@17202';
    const view = (port: number, m = map, state = 'ok') => ({ port, map: m, state });

    it('accepts one slot map with every answering node ok (a node that does not answer has no view)', () => {
      expect(slotMapsProblem([17200, 17201, 17202, 17203, 17204, 17205].map((p) => view(p)))).toBeUndefined();
      expect(slotMapsProblem([view(17201), view(17202)])).toBeUndefined();
    });

    it('names each node\'s map when a node still routes the old master (a failover in gossip)', () => {
      expect(slotMapsProblem([view(17201, moved), view(17202), view(17205, moved)])).toBe(
        `disagree on the slot map (2 different views: :17201 ${moved}; :17202 ${map}; :17205 ${moved})`,
      );
    });

    it('names the nodes that count the cluster down while the maps agree', () => {
      expect(slotMapsProblem([view(17200), view(17201, map, 'fail'), view(17202)])).toBe('do not all report cluster_state:ok (:17201 fail)');
    });

    it('reports a different map before a state', () => {
      expect(slotMapsProblem([view(17200, moved, 'fail'), view(17201)])).toMatch(/^disagree on the slot map \(2 different views/);
    });
  });
});
