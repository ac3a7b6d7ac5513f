import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CONFIG_FILE, loadConfig, runCommand, type LoadedConfig } from '@devstack/core';

/**
 * A throwaway git repository holding one profile file in two commits (before, then after), whose
 * config shares this stack's state directory and ports. Suites run `regress --base HEAD~1` in it, so a
 * real A/B runs against the live servers while nothing is committed to the project.
 */
export async function abScratchRepo(from: LoadedConfig, backend: string, file: string, before: string, after: string): Promise<LoadedConfig> {
  const root = mkdtempSync(path.join(os.tmpdir(), `devstack-ab-${backend}-`));
  writeFileSync(path.join(root, 'nx.json'), '{}\n');
  const git = async (...args: string[]) => {
    const r = await runCommand('git', ['-c', 'user.email=suite@devstack.invalid', '-c', 'user.name=devstack suite', ...args], { cwd: root });
    if (r.code !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  };
  const target = path.join(root, 'configs', backend, file);
  mkdirSync(path.dirname(target), { recursive: true });
  await git('init', '-q');
  writeFileSync(target, before);
  await git('add', '-A');
  await git('commit', '-qm', 'before');
  writeFileSync(target, after);
  await git('commit', '-qam', 'after');
  const configFile = path.join(from.root, CONFIG_FILE);
  return loadConfig({
    root,
    env: { ...process.env, DEVSTACK_STATE_DIR: from.stateRoot, DEVSTACK_ROOT: root, DEVSTACK_PORT_OFFSET: String(from.portOffset), ...(existsSync(configFile) ? { DEVSTACK_CONFIG: configFile } : {}) },
  });
}
