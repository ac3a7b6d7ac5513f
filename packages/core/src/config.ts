import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { DEFAULT_THRESHOLD, DEFAULT_TRIALS, REDIS_NODE_TIMEOUT_MS, STATE_DIR } from './defaults';
import { CREDENTIAL_SERVICES, DEFAULT_PORTS, SERVICE_REGISTRY, SERVICES, type CredentialService, type ServiceEntry, type ServiceName } from './registry';
import { DevstackError } from './errors';
import { workspaceRoot } from './workspace';

const port = z.number().int().min(1).max(65535);
const loopbackHost = z
  .string()
  .min(1)
  .refine((h) => h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h), {
    message: 'must be a loopback address (127.0.0.0/8, ::1 or localhost); load and probes never leave the machine',
  });

const credential = z.object({ user: z.string().min(1).optional(), password: z.string().min(1).optional() }).strict();

/** One port key per registry service; a service whose derived ports must stay valid has its maxPort. */
const portsSchema = z
  .object(
    Object.fromEntries(
      SERVICES.map((s) => {
        const e: ServiceEntry = SERVICE_REGISTRY[s];
        return [s, e.maxPort ? port.max(e.maxPort.port, `${e.maxPort.why}, so the ${e.title} base port must be <= ${e.maxPort.port}`) : port];
      }),
    ) as Record<ServiceName, typeof port>,
  )
  .strict();

const credentialsSchema = z
  .object(Object.fromEntries(CREDENTIAL_SERVICES.map((s) => [s, credential])) as Record<CredentialService, typeof credential>)
  .partial()
  .strict();

export const ConfigSchema = z
  .object({
    provider: z.enum(['local', 'compose', 'external']),
    stateDir: z.string().min(1),
    host: loopbackHost,
    portOffset: z.number().int().min(0).max(9000),
    ports: portsSchema,
    redis: z.object({ nodeTimeoutMs: z.number().int().min(100).max(60000) }).strict(),
    /**
     * FerretDB's storage backend (local provider, when no mongod is on PATH): its own PostgreSQL
     * cluster (the default), or SQLite files, kept only to compare the two (`mongodb:bench`).
     */
    mongodb: z.object({ backend: z.enum(['postgresql', 'sqlite']) }).strict(),
    vault: z
      .object({
        kvMount: z.string().min(1),
        kvVersion: z.union([z.literal(1), z.literal(2)]),
        /** secret_id_num_uses of every service AppRole (0 = unlimited); bootstrap re-applies it on every stack up. */
        secretIdNumUses: z.number().int().min(0),
      })
      .strict(),
    /** Fallback credentials, used only when Vault cannot be reached or holds none. */
    credentials: credentialsSchema,
    trials: z.number().int().min(1).max(50),
    // A fraction of the baseline: above 1 (100%) a throughput metric could never regress.
    threshold: z.number().gt(0, 'must be a fraction above 0, e.g. 0.2 for 20%').lte(1, 'must be a fraction in (0, 1], e.g. 0.2 for 20%'),
    profile: z.string().min(1),
  })
  .strict();

export type DevstackConfig = z.infer<typeof ConfigSchema>;
export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export const DEFAULT_CONFIG: DevstackConfig = {
  provider: 'local',
  stateDir: STATE_DIR,
  host: '127.0.0.1',
  portOffset: 0,
  ports: { ...DEFAULT_PORTS },
  redis: { nodeTimeoutMs: REDIS_NODE_TIMEOUT_MS },
  mongodb: { backend: 'postgresql' },
  vault: { kvMount: 'secret', kvVersion: 2, secretIdNumUses: 0 },
  credentials: {},
  trials: DEFAULT_TRIALS,
  threshold: DEFAULT_THRESHOLD,
  profile: 'default',
};

export const CONFIG_FILE = 'devstack.config.json';

/** Environment variables and the config key each one sets. Numbers are parsed, everything else is a string. */
const ENV_KEYS: Record<string, string> = {
  DEVSTACK_PROVIDER: 'provider',
  DEVSTACK_STATE_DIR: 'stateDir',
  DEVSTACK_HOST: 'host',
  DEVSTACK_PORT_OFFSET: 'portOffset',
  // DEVSTACK_<SERVICE>_PORT for every registry service.
  ...Object.fromEntries(SERVICES.map((s) => [`DEVSTACK_${s.toUpperCase()}_PORT`, `ports.${s}`])),
  DEVSTACK_REDIS_NODE_TIMEOUT_MS: 'redis.nodeTimeoutMs',
  DEVSTACK_MONGODB_BACKEND: 'mongodb.backend',
  DEVSTACK_VAULT_KV_MOUNT: 'vault.kvMount',
  DEVSTACK_VAULT_KV_VERSION: 'vault.kvVersion',
  DEVSTACK_VAULT_SECRET_ID_NUM_USES: 'vault.secretIdNumUses',
  // DEVSTACK_<SERVICE>_USER / _PASSWORD for every service with credentials (password only where the user is fixed).
  ...Object.fromEntries(
    CREDENTIAL_SERVICES.flatMap((s) => {
      const e: ServiceEntry = SERVICE_REGISTRY[s];
      const pw: [string, string] = [`DEVSTACK_${s.toUpperCase()}_PASSWORD`, `credentials.${s}.password`];
      return e.credentials?.passwordOnly ? [pw] : [[`DEVSTACK_${s.toUpperCase()}_USER`, `credentials.${s}.user`], pw];
    }),
  ),
  DEVSTACK_TRIALS: 'trials',
  DEVSTACK_THRESHOLD: 'threshold',
  DEVSTACK_PROFILE: 'profile',
};
const NUMERIC = new Set(['portOffset', ...SERVICES.map((s) => `ports.${s}`), 'redis.nodeTimeoutMs', 'vault.kvVersion', 'vault.secretIdNumUses', 'trials', 'threshold']);

export interface LoadConfigOptions {
  root?: string;
  env?: NodeJS.ProcessEnv;
  /** Highest layer: values from CLI flags, already keyed like the config. */
  flags?: DeepPartial<DevstackConfig>;
}

export interface LoadedConfig extends DevstackConfig {
  /** Absolute workspace root. */
  root: string;
  /** Absolute state directory (.devstack). */
  stateRoot: string;
  /** Where each value came from, for `devstack config` and error messages. */
  sources: string[];
}

export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const root = options.root ?? workspaceRoot(process.cwd(), env);
  const sources = ['defaults'];
  let merged: Record<string, unknown> = structuredClone(DEFAULT_CONFIG) as unknown as Record<string, unknown>;

  const file = env.DEVSTACK_CONFIG ? path.resolve(root, env.DEVSTACK_CONFIG) : path.join(root, CONFIG_FILE);
  if (existsSync(file)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (cause) {
      throw new DevstackError('BAD_CONFIG', `${file} is not valid JSON: ${(cause as Error).message}.`, {
        cause,
        fix: `Fix the JSON syntax in ${file}, or delete the file to use the defaults.`,
      });
    }
    checkLayer(parsed, file);
    merged = deepMerge(merged, parsed as Record<string, unknown>);
    sources.push(file);
  } else if (env.DEVSTACK_CONFIG) {
    throw new DevstackError('BAD_CONFIG', `DEVSTACK_CONFIG names ${file}, which does not exist.`, {
      fix: 'Point DEVSTACK_CONFIG at an existing JSON file or unset it.',
    });
  }

  const fromEnv: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    let value: unknown = raw;
    if (NUMERIC.has(key)) {
      value = Number(raw);
      if (!Number.isFinite(value)) {
        throw new DevstackError('BAD_CONFIG', `Environment variable ${name}="${raw}" is not a number.`, {
          fix: `Set ${name} to a number, or unset it.`,
        });
      }
    }
    setPath(fromEnv, key, value);
  }
  if (Object.keys(fromEnv).length > 0) {
    checkLayer(fromEnv, 'environment (DEVSTACK_*)');
    merged = deepMerge(merged, fromEnv);
    sources.push('environment');
  }
  if (options.flags && Object.keys(options.flags).length > 0) {
    checkLayer(options.flags, 'command-line flags');
    merged = deepMerge(merged, options.flags as Record<string, unknown>);
    sources.push('flags');
  }

  const result = ConfigSchema.safeParse(merged);
  if (!result.success) throw schemaError(result.error, sources[sources.length - 1]);
  const config = applyPortOffset(result.data);
  return { ...config, root, stateRoot: path.resolve(root, config.stateDir), sources };
}

/** The port offset shifts every default port at once, so several stacks can share one machine. */
function applyPortOffset(config: DevstackConfig): DevstackConfig {
  if (config.portOffset === 0) return config;
  const ports = { ...config.ports };
  for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] += config.portOffset;
  for (const s of SERVICES) {
    const e: ServiceEntry = SERVICE_REGISTRY[s];
    if (e.maxPort && ports[s] > e.maxPort.port) {
      throw new DevstackError('BAD_CONFIG', `portOffset ${config.portOffset} puts the ${e.title} base port at ${ports[s]}, above ${e.maxPort.port} (${e.maxPort.why}; it would pass 65535).`, {
        fix: `Use a smaller portOffset or a lower ports.${s}.`,
      });
    }
  }
  return { ...config, ports };
}

/** Validate one layer against the schema's shape (unknown keys, wrong types) before merging it. */
function checkLayer(layer: unknown, origin: string): void {
  if (!layer || typeof layer !== 'object' || Array.isArray(layer)) {
    throw new DevstackError('BAD_CONFIG', `${origin}: expected a JSON object at the top level.`, {
      fix: `Make ${origin} an object such as {"portOffset": 100}.`,
    });
  }
  const result = deepPartialSchema.safeParse(layer);
  if (!result.success) throw schemaError(result.error, origin);
}

const deepPartialSchema = ConfigSchema.deepPartial();

function schemaError(error: z.ZodError, origin: string): DevstackError {
  const issue = error.issues[0];
  const key = issue.path.join('.') || '(top level)';
  let expected = issue.message;
  if (issue.code === 'unrecognized_keys') {
    expected = `unknown key(s) ${issue.keys.join(', ')}; known keys: ${Object.keys(ConfigSchema.shape).join(', ')}`;
  }
  return new DevstackError('BAD_CONFIG', `${origin}: invalid value at "${key}": ${expected}.`, {
    fix: `Correct "${key}" in ${origin}; see README.md, section Configuration, for the expected form.`,
    details: { origin, key, issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  });
}

export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const b = out[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)) {
      out[k] = deepMerge(b as Record<string, unknown>, v as Record<string, unknown>);
    } else {
      out[k] = v;
    }
  }
  return out;
}

export function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let cur = target;
  for (const p of parts.slice(0, -1)) {
    if (!cur[p] || typeof cur[p] !== 'object') cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = value;
}
