import { EventEmitter } from 'node:events';
import { clusterReady } from '../src/client-bench';

/** An emitter with ioredis' `status` field: the part of a Cluster that clusterReady reads. */
class FakeStatus extends EventEmitter {
  constructor(public status: string) {
    super();
  }
}

describe('clusterReady', () => {
  it('resolves at once for a cluster that became ready before anyone listened (the race that hung a bench)', async () => {
    const c = new FakeStatus('connecting');
    c.status = 'ready';
    c.emit('ready');
    await expect(clusterReady(c, 50)).resolves.toBeUndefined();
  });

  it('resolves on a later ready event and leaves no listener behind', async () => {
    const c = new FakeStatus('connecting');
    const p = clusterReady(c, 1000);
    c.status = 'ready';
    c.emit('ready');
    await expect(p).resolves.toBeUndefined();
    expect(c.listenerCount('ready') + c.listenerCount('error') + c.listenerCount('end')).toBe(0);
  });

  it('rejects with the error, on end, and after the timeout naming the status', async () => {
    const e = new FakeStatus('connecting');
    const pe = clusterReady(e, 1000);
    e.emit('error', new Error('NOAUTH Authentication required.'));
    await expect(pe).rejects.toThrow('NOAUTH Authentication required.');

    const end = new FakeStatus('connecting');
    const pEnd = clusterReady(end, 1000);
    end.emit('end');
    await expect(pEnd).rejects.toThrow('Redis cluster connection ended before it was ready');

    await expect(clusterReady(new FakeStatus('connect'), 20)).rejects.toThrow('Redis cluster client not ready after 20 ms (status connect)');
  });
});
