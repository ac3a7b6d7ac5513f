import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { LoadedConfig } from './config';
import { DevstackError } from './errors';
import { thisMachine, type AutoProfile, type MachineSize } from './auto-profile';
import { renderProfileFile } from './profile-file';
import type { ResultTable } from './results';
import { configDiff, type ProfileSetting } from './tune';

/** A named profile resolved to the file that becomes active and its settings. */
export interface ResolvedProfile {
  name: string;
  file: string;
  settings: ProfileSetting[];
  /** Only for computed profiles (`auto`): how each value was derived. */
  formula?: ResultTable;
}

/** What differs between backends whose profiles are files in configs/<service>/<name>.<ext>. */
export interface ProfileCatalogSpec {
  service: string;
  ext: string;
  serverName: string;
  /** What `--file` must point at, for the error message. */
  fileHint: string;
  parse(text: string): ProfileSetting[];
}

/** The `auto` profile of a file-profile backend: its formula, and the config section it goes in. */
export interface AutoProfileSpec {
  auto(machine: MachineSize): AutoProfile;
  /** e.g. `mysqld` for my.cnf; none for postgresql.conf. */
  section?: string;
}

/** What a backend with file profiles exports, from one catalog: the same names in every package. */
export interface ProfileSet {
  /** Where the rendered `auto` profile goes: it depends on this machine, so it is not committed. */
  autoProfilePath(config: LoadedConfig): string;
  renderAutoProfile(machine: MachineSize): RenderedProfile;
  /** A named profile (default, dev, auto) or, with `file`, any config file (e.g. for a trial). */
  resolveProfile(config: LoadedConfig, name: string | undefined, file?: string, machine?: MachineSize): ResolvedProfile;
  availableProfiles(config: LoadedConfig): string[];
  /** Name of the active profile: the shipped (or rendered auto) file whose settings it matches, else "custom". */
  activeProfile(config: LoadedConfig): string;
}

export const PROFILE_NAMES = ['default', 'dev', 'auto'] as const;

export interface RenderedProfile {
  text: string;
  settings: ProfileSetting[];
  formula: ResultTable;
}

/**
 * Named profiles (configs/<service>/*.ext), a computed `auto` rendered to .devstack/ (it depends on the
 * machine, so it is not committed), any file via --file, and which profile is active now.
 */
export class ProfileCatalog {
  constructor(readonly spec: ProfileCatalogSpec) {}

  dir(config: LoadedConfig): string {
    return path.join(config.root, 'configs', this.spec.service);
  }

  autoPath(config: LoadedConfig): string {
    return path.join(config.stateRoot, 'conf', this.spec.service, 'profiles', `auto.${this.spec.ext}`);
  }

  private strip(file: string): string {
    return path.basename(file).replace(new RegExp(`\\.${this.spec.ext}$`), '');
  }

  resolve(config: LoadedConfig, name: string | undefined, file: string | undefined, renderAuto: () => RenderedProfile): ResolvedProfile {
    if (file) {
      const abs = path.resolve(file);
      if (!existsSync(abs)) throw new DevstackError('BAD_INPUT', `Profile file ${file} does not exist.`, { fix: this.spec.fileHint });
      try {
        return { name: this.strip(abs), file: abs, settings: this.spec.parse(readFileSync(abs, 'utf8')) };
      } catch (err) {
        if (err instanceof DevstackError) throw new DevstackError(err.code, `${file}: ${err.message}`, { fix: err.fix ?? this.spec.fileHint, cause: err });
        throw err;
      }
    }
    const profile = name ?? 'default';
    if (profile === 'auto') {
      const out = this.autoPath(config);
      const rendered = renderAuto();
      mkdirSync(path.dirname(out), { recursive: true });
      writeFileSync(out, rendered.text);
      return { name: 'auto', file: out, settings: rendered.settings, formula: rendered.formula };
    }
    const f = path.join(this.dir(config), `${profile}.${this.spec.ext}`);
    if (!existsSync(f)) {
      throw new DevstackError('BAD_INPUT', `Unknown ${this.spec.serverName} profile "${profile}".`, {
        fix: `Use --profile ${this.available(config).join('|')}, or --file <path>.`,
      });
    }
    return { name: profile, file: f, settings: this.spec.parse(readFileSync(f, 'utf8')) };
  }

  available(config: LoadedConfig): string[] {
    const dir = this.dir(config);
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(`.${this.spec.ext}`)).map((f) => this.strip(f)) : [];
    return [...new Set([...files, 'auto'])];
  }

  /** Name of the active profile: the shipped (or rendered auto) file whose settings it matches, else "custom". */
  active(config: LoadedConfig): string {
    const active = path.join(config.stateRoot, 'conf', this.spec.service, `active.${this.spec.ext}`);
    if (!existsSync(active)) return 'default';
    const text = readFileSync(active, 'utf8');
    const candidates: [string, string][] = this.available(config)
      .filter((p) => p !== 'auto')
      .map((p) => [p, path.join(this.dir(config), `${p}.${this.spec.ext}`)]);
    candidates.push(['auto', this.autoPath(config)]);
    for (const [name, file] of candidates) {
      if (existsSync(file) && configDiff(text, readFileSync(file, 'utf8')).length === 0) return name;
    }
    return 'custom';
  }

  /** The functions a backend exports for its profiles, with `auto` rendered from its formula. */
  profileSet(spec: AutoProfileSpec): ProfileSet {
    const renderAutoProfile = (machine: MachineSize): RenderedProfile => {
      const auto = spec.auto(machine);
      const header = [
        `${this.spec.serverName} profile "auto": generated by \`tune --profile auto\` from this machine's memory and cores.`,
        'It sizes caches and parallelism only; every durability setting keeps its safe default.',
        `Formula: ${auto.formula.title}`,
        ...auto.formula.rows.map((r) => `  ${r[0]} = ${r[1]} -> ${r[2]}`),
      ];
      return { text: renderProfileFile({ header, section: spec.section, settings: auto.settings }), settings: auto.settings, formula: auto.formula };
    };
    return {
      autoProfilePath: (config) => this.autoPath(config),
      renderAutoProfile,
      resolveProfile: (config, name, file, machine = thisMachine()) => this.resolve(config, name, file, () => renderAutoProfile(machine)),
      availableProfiles: (config) => this.available(config),
      activeProfile: (config) => this.active(config),
    };
  }
}
