import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inNamespace, serviceOfPidName, stateFile } from '@devstack/runtime';

const opts = { name: 'postgres', command: '/usr/lib/postgresql/15/bin/postgres', args: ['-D', '/x'], uid: 999, gid: 998 };

describe('launcher: servers start inside their namespace once the topology is ready', () => {
  const stateRoot = mkdtempSync(path.join(os.tmpdir(), 'dsnet-'));
  const write = (ready: boolean) => {
    mkdirSync(path.dirname(stateFile({ stateRoot })), { recursive: true });
    writeFileSync(stateFile({ stateRoot }), JSON.stringify({ ready, services: { postgres: 'dsp600-postgres', redis: 'dsp600-redis' }, bridges: [], veths: [], namespaces: [] }));
  };

  test('no state file: unchanged', () => {
    expect(inNamespace({ stateRoot }, 'postgres', opts)).toBe(opts);
  });
  test('half-built topology (ready false): unchanged', () => {
    write(false);
    expect(inNamespace({ stateRoot }, 'postgres', opts)).toBe(opts);
  });
  test('ready: ip netns exec, then setpriv drops to the service account', () => {
    write(true);
    const o = inNamespace({ stateRoot }, 'postgres', opts);
    expect([o.command, ...o.args]).toEqual(['ip', 'netns', 'exec', 'dsp600-postgres', 'setpriv', '--reuid=999', '--regid=998', '--clear-groups', opts.command, '-D', '/x']);
    expect(o.uid).toBeUndefined();
  });
  test('redis nodes share the redis namespace; root servers get no setpriv', () => {
    write(true);
    expect(serviceOfPidName('redis-4')).toBe('redis');
    expect(serviceOfPidName('mongodb-pg')).toBe('mongodb');
    const o = inNamespace({ stateRoot }, 'redis-4', { name: 'redis', command: 'redis-server', args: ['n.conf'] });
    expect(o.args).toEqual(['netns', 'exec', 'dsp600-redis', 'redis-server', 'n.conf']);
    expect(inNamespace({ stateRoot }, 'vault', opts)).toBe(opts);
  });
});
