import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import { loadConfig } from '@devstack/core';
import { FERRETDB_GOGC_DEFAULT, mongoBinary, stackPids } from '@devstack/runtime';

// Live suite: the FerretDB process the stack started runs with the Go settings runtime gives it
// (ferretEnv): GOGC, and GOMAXPROCS at half the cores on the postgresql backend. Read from the running
// process's own environment, so a start path that dropped them fails here. Only the two Go variables
// are read; nothing else from that environment (it holds the setup password) is kept or printed.
const config = loadConfig();
const bin = mongoBinary();
const pid = stackPids(config.stateRoot).get('mongodb')?.[0];
const goVars = (p: number): Record<string, string> =>
  Object.fromEntries(
    readFileSync(`/proc/${p}/environ`, 'utf8')
      .split('\0')
      .filter((kv) => kv.startsWith('GOGC=') || kv.startsWith('GOMAXPROCS='))
      .map((kv) => kv.split('=', 2) as [string, string]),
  );

describe('the running FerretDB process', () => {
  (bin?.server === 'FerretDB' ? it : it.skip)('runs with GOGC 400 and, on the postgresql backend, GOMAXPROCS at half the cores (at least 1)', () => {
    expect(pid).toBeDefined();
    const expected: Record<string, string> = { GOGC: String(FERRETDB_GOGC_DEFAULT) };
    if (config.mongodb.backend === 'postgresql') expected.GOMAXPROCS = String(Math.max(1, Math.floor(os.cpus().length / 2)));
    const env = goVars(pid!);
    if (!process.env.DEVSTACK_FERRETDB_GOGC && !process.env.DEVSTACK_FERRETDB_GOMAXPROCS) expect(env).toEqual(expected);
    else expect(Object.keys(env).sort()).toEqual(Object.keys(expected).sort());
  });
});
