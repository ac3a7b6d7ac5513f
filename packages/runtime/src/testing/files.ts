import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Write `text` to a file named `name` in a fresh temporary folder, run `use` with its path, remove the folder whatever happens. */
export async function withTempFile<T>(name: string, text: string, use: (file: string) => T | Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'devstack-suite-'));
  try {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return await use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
