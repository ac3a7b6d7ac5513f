import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { configDiff, DevstackError, runCommand, type LoadedConfig } from '@devstack/core';

/** The two arms of an A/B regress: the backend's active profile at the base ref and in the working tree. */
export interface AbArms {
  /** The ref as given and the commit it names. */
  ref: string;
  sha: string;
  profile: string;
  beforeFile: string;
  afterFile: string;
  /** The active profile's config is the same at the ref and in the working tree (comments ignored). */
  identical: boolean;
  /** Lines that differ ("- old", "+ new"). */
  diff: string[];
  /** Other files under configs/<backend>/ that differ between the ref and the working tree (not measured). */
  otherConfigChanges: string[];
  /** Files under packages/<backend>/src that differ: the measurement code is not the same as at the ref. */
  codeChanges: string[];
}

async function git(root: string, args: string[]): Promise<string> {
  const r = await runCommand('git', args, { cwd: root });
  if (r.code !== 0) throw new DevstackError('BAD_INPUT', `git ${args.join(' ')} failed: ${r.stderr.trim().split('\n')[0]}`);
  return r.stdout;
}

/** The commit a ref names; an unknown ref is bad input (exit 2) with the fix. */
export async function resolveRef(root: string, ref: string): Promise<string> {
  const r = await runCommand('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: root });
  if (r.code !== 0) {
    throw new DevstackError('BAD_INPUT', `--base ${ref} is not a commit in ${root}.`, {
      fix: 'Give a branch, tag or sha that exists locally (CI: check out with fetch-depth: 0 and fetch the target branch).',
    });
  }
  return r.stdout.trim();
}

/** Which profile a config text is: the name whose working-tree or base version matches it (comments ignored). */
export function matchProfile(active: string | undefined, working: Map<string, string>, base: Map<string, string>): string | undefined {
  if (active === undefined) return 'default';
  for (const versions of [working, base]) {
    for (const [name, text] of versions) if (configDiff(active, text).length === 0) return name;
  }
  return undefined;
}

/**
 * Write configs/<backend>/** as it is at `sha` into .devstack/ab/<backend>/<sha>/ and pick the arms.
 * The profile is the one active on the server now, recognised in either version (a server still on
 * the base's dev.conf is "dev" although the working tree's dev.conf has changed).
 */
export async function abArms(config: LoadedConfig, backend: string, ext: string, activeConfig: string | undefined, ref: string): Promise<AbArms> {
  const root = config.root;
  const sha = await resolveRef(root, ref);
  const configDir = `configs/${backend}`;
  const outDir = path.join(config.stateRoot, 'ab', backend, sha.slice(0, 12));
  const listed = (await git(root, ['ls-tree', '-r', '--name-only', sha, '--', `${configDir}/`])).split('\n').filter(Boolean);
  const base = new Map<string, string>();
  for (const file of listed) {
    const text = await git(root, ['show', `${sha}:${file}`]);
    const out = path.join(outDir, path.relative(configDir, file));
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, text);
    if (path.dirname(file) === configDir && file.endsWith(`.${ext}`)) base.set(path.basename(file, `.${ext}`), text);
  }
  const wdir = path.join(root, configDir);
  const working = new Map<string, string>();
  for (const f of existsSync(wdir) ? readdirSync(wdir) : []) if (f.endsWith(`.${ext}`)) working.set(path.basename(f, `.${ext}`), readFileSync(path.join(wdir, f), 'utf8'));

  const activeText = activeConfig && existsSync(activeConfig) ? readFileSync(activeConfig, 'utf8') : undefined;
  const profile = matchProfile(activeText, working, base);
  if (!profile) {
    throw new DevstackError('BAD_INPUT', `The active ${backend} config matches no profile in ${configDir}/, neither at ${ref} nor in the working tree.`, {
      fix: `Make a named profile active first: npx nx run ${backend}:tune --profile <name>`,
    });
  }
  const beforeText = base.get(profile);
  const afterText = working.get(profile);
  if (beforeText === undefined) throw new DevstackError('BAD_INPUT', `Profile "${profile}" (active) does not exist at ${ref}: there is no before arm.`, { fix: `Apply a profile that exists at ${ref}, or compare with a later --base.` });
  if (afterText === undefined) throw new DevstackError('BAD_INPUT', `Profile "${profile}" (active) no longer exists in the working tree.`, { fix: `npx nx run ${backend}:tune --profile default, then regress again.` });
  const diff = configDiff(beforeText, afterText);
  const changed = (await git(root, ['diff', '--name-only', sha, '--', `${configDir}/`, `packages/${backend}/src/`])).split('\n').filter(Boolean);
  const untracked = (await git(root, ['ls-files', '--others', '--exclude-standard', '--', `${configDir}/`, `packages/${backend}/src/`])).split('\n').filter(Boolean);
  const all = [...new Set([...changed, ...untracked])];
  return {
    ref,
    sha,
    profile,
    beforeFile: path.join(outDir, `${profile}.${ext}`),
    afterFile: path.join(wdir, `${profile}.${ext}`),
    identical: diff.length === 0,
    diff,
    otherConfigChanges: all.filter((f) => f.startsWith(`${configDir}/`) && f !== `${configDir}/${profile}.${ext}`),
    codeChanges: all.filter((f) => f.startsWith(`packages/${backend}/src/`)),
  };
}
