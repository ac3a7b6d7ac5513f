import * as path from 'node:path';
import { describeBackendCli } from '@devstack/runtime/testing';

// The built CLI (nx `test` depends on `build`), run as a user would: exit codes and --json.
describeBackendCli({
  backend: 'postgres',
  packageDir: path.join(__dirname, '..'),
  serverName: 'PostgreSQL',
  refused: {
    title: 'a refused profile is rolled back and exits 1, with the result on stdout',
    file: 'bad.conf',
    text: 'max_connections = -5\n',
    expect: (json) => expect(json.notes.join('\n')).toMatch(/max_connections/),
  },
});
