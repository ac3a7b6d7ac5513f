import { errorCode, errorWindowOf, timelineOf, type PollSample } from '../src/failover/timing';

const sample = (t: number, nodes: PollSample['nodes']): PollSample => ({ t, nodes });
const node = (port: number, state: string, victimHealth: 'ok' | 'pfail' | 'fail', role: 'master' | 'replica' = 'master') => ({ port, state, victimHealth, role });

describe('timelineOf', () => {
  // Two survivors polled every 50 ms; :2 is the replica that gets promoted.
  const samples = [
    sample(50, [node(1, 'ok', 'ok'), node(2, 'ok', 'ok', 'replica')]),
    sample(2000, [node(1, 'ok', 'pfail'), node(2, 'ok', 'pfail', 'replica')]),
    sample(2050, [node(1, 'fail', 'fail'), node(2, 'fail', 'fail', 'replica')]),
    sample(2100, [node(1, 'fail', 'fail'), node(2, 'fail', 'fail', 'replica')]),
    sample(2700, [node(1, 'fail', 'fail'), node(2, 'ok', 'fail', 'master')]),
    sample(2750, [node(1, 'ok', 'fail'), node(2, 'ok', 'fail', 'master')]),
  ];

  it('detection is the first fail flag (pfail is only a suspicion)', () => {
    expect(timelineOf(samples, { replicaPort: 2 }).detectionMs).toBe(2050);
  });
  it('promotion is when the watched replica reports itself master', () => {
    expect(timelineOf(samples, { replicaPort: 2 }).promotionMs).toBe(2700);
  });
  it('cluster ok needs every survivor ok after promotion (the ok samples before the fault do not count)', () => {
    const t = timelineOf(samples, { replicaPort: 2 });
    expect(t.clusterOkMs).toBe(2750);
    expect(t.stateNotOkMs).toBe(700); // 2050..2750 some node not ok
    expect(t.maxPollGapMs).toBe(1950);
    expect(t.samples).toBe(6);
  });
  it('never promoted: promotion and cluster ok stay undefined (a failure, not a zero)', () => {
    const t = timelineOf(samples.slice(0, 4), { replicaPort: 2 });
    expect(t.detectionMs).toBe(2050);
    expect(t.promotionMs).toBeUndefined();
    expect(t.clusterOkMs).toBeUndefined();
  });
  it('a node that does not answer is not ok', () => {
    const t = timelineOf([sample(10, [node(1, 'fail', 'fail')]), sample(60, [{ port: 1 }, node(2, 'ok', 'fail')])], {});
    expect(t.clusterOkMs).toBeUndefined();
  });
});

describe('errorWindowOf', () => {
  const ops = [
    { start: -20, end: -18, ok: true },
    { start: -5, end: -3, ok: true },
    { start: 10, end: 1010, ok: false, error: 'Command timed out' },
    { start: 1015, end: 1200, ok: false, error: 'CLUSTERDOWN The cluster is down' },
    { start: 1205, end: 1400, ok: false, error: 'CLUSTERDOWN The cluster is down' },
    { start: 1405, end: 1410, ok: true },
    { start: 1415, end: 1417, ok: true },
  ];
  it('counts failures by Redis error code', () => {
    const w = errorWindowOf(ops);
    expect(w.failed).toBe(3);
    expect(w.ops).toBe(7);
    expect(w.errors).toEqual({ TIMEOUT: 1, CLUSTERDOWN: 2 });
  });
  it('error window spans first failed start to last failed end', () => {
    expect(errorWindowOf(ops).errorWindowMs).toBe(1390);
  });
  it('stall is the longest time without a success, counted from the fault', () => {
    expect(errorWindowOf(ops).maxStallMs).toBe(1410);
    expect(errorWindowOf(ops).slowestOpMs).toBe(1000);
  });
  it('a hang without errors still shows as a stall', () => {
    const w = errorWindowOf([{ start: 0, end: 3000, ok: true }, { start: 3001, end: 3002, ok: true }]);
    expect(w.failed).toBe(0);
    expect(w.errorWindowMs).toBe(0);
    expect(w.maxStallMs).toBe(3000);
  });
  it('no op after the fault at all: the stall runs to the end of the log', () => {
    expect(errorWindowOf([{ start: -1, end: 1, ok: true }, { start: 1, end: 900, ok: false, error: 'x' }]).maxStallMs).toBe(899);
  });
});

describe('errorCode', () => {
  it.each([
    ['CLUSTERDOWN Hash slot not served', 'CLUSTERDOWN'],
    ["CROSSSLOT Keys in request don't hash to the same slot", 'CROSSSLOT'],
    ['MOVED 3999 127.0.0.1:6381', 'MOVED'],
    ['Too many Cluster redirections. Last error: Error: Connection is closed.', 'REDIRECTIONS'],
    ['Command timed out', 'TIMEOUT'],
    ['connect ECONNREFUSED 127.0.0.1:17000', 'CONNECTION'],
    [undefined, 'UNKNOWN'],
  ])('%j -> %s', (msg, code) => expect(errorCode(msg)).toBe(code));
});
