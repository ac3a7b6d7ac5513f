/**
 * The service registry: one typed entry per service of the stack. Every list of services in the
 * workspace (ports, config keys, credentials, AppRoles, TLS, compose names, network tiers, coverage
 * cells, code owners) derives from this table, so adding a service is one entry here plus its package
 * folder (`npx nx g ./tools/nx-plugin:backend <name>` writes both).
 */

export interface ServiceEntry {
  /** Display name in tables and documents. */
  title: string;
  /**
   * `server`: started and supervised by a stack provider (needs a local service in packages/runtime);
   * `app`: a client of the servers that is served too (the api); `external`: a backend whose server the
   * stack does not start (endpoints and credentials only), which is where a scaffolded backend begins.
   */
  role: 'server' | 'app' | 'external';
  /** Default port, away from the standard one so a machine's own servers are never touched (the base port when `portCount` > 1). */
  port: number;
  /** Consecutive ports the service takes (Redis: six cluster nodes). */
  portCount: number;
  /** Highest allowed base port, when a derived port must stay valid (Redis: the cluster bus is port + 10000). */
  maxPort?: { port: number; why: string };
  /**
   * Where its TLS listener sits in dual mode: 0 = the same port (TLS negotiated in-protocol or a
   * required-mode switch), n = port + n beside the plain one, null = the service serves no TLS of its own.
   */
  tlsPortShift: number | null;
  /** Credentials in Vault (`secret/devstack/<name>`): the default user; `passwordOnly` when the user is fixed by the server. */
  credentials?: { defaultUser: string; passwordOnly?: boolean };
  /** Its own AppRole, and whose secrets it may read besides its own ('credentials' = every service with credentials). */
  approle?: { reads: 'own' | 'credentials' };
  /** Service names in docker-compose.yml. */
  compose: readonly string[];
  /** Network tier in configs/network/segmentation.json. */
  tier: 'secrets' | 'data' | 'app';
  /** Coverage-matrix categories required for this service (`nx run report:tests`). */
  coverage: readonly string[];
  /** Tune profiles exist as configs/<name>/<profile>.<ext>. */
  tune?: { ext: string };
  /** The api route that reads this service (`/db/postgres` ...), for load scenarios. */
  apiRoute?: string;
  /** CODEOWNERS team of the service's package. */
  owner: string;
  /** For an `app`: the workspace package and the script in it that serves it (node <package dir>/<script>). */
  serve?: { package: string; script: string };
}

const SERVER_COVERAGE = ['connectivity', 'auth', 'tls', 'network', 'performance', 'regression'] as const;

export const SERVICE_REGISTRY = {
  vault: {
    title: 'Vault',
    role: 'server',
    port: 18200,
    portCount: 1,
    tlsPortShift: 0,
    compose: ['vault'],
    tier: 'secrets',
    coverage: SERVER_COVERAGE,
    apiRoute: '/vault/secret',
    owner: '@devstack-org/security',
  },
  postgres: {
    title: 'PostgreSQL',
    role: 'server',
    port: 15432,
    portCount: 1,
    tlsPortShift: 0,
    credentials: { defaultUser: 'devstack' },
    approle: { reads: 'own' },
    compose: ['postgres'],
    tier: 'data',
    coverage: SERVER_COVERAGE,
    tune: { ext: 'conf' },
    apiRoute: '/db/postgres',
    owner: '@devstack-org/relational-db',
  },
  mysql: {
    title: 'MySQL (MariaDB)',
    role: 'server',
    port: 13306,
    portCount: 1,
    tlsPortShift: 0,
    credentials: { defaultUser: 'devstack' },
    approle: { reads: 'own' },
    compose: ['mysql'],
    tier: 'data',
    coverage: SERVER_COVERAGE,
    tune: { ext: 'cnf' },
    apiRoute: '/db/mysql',
    owner: '@devstack-org/relational-db',
  },
  mongodb: {
    title: 'MongoDB (FerretDB)',
    role: 'server',
    port: 17017,
    portCount: 1,
    tlsPortShift: 2,
    credentials: { defaultUser: 'devstack' },
    approle: { reads: 'own' },
    compose: ['mongodb'],
    tier: 'data',
    coverage: SERVER_COVERAGE,
    tune: { ext: 'conf' },
    apiRoute: '/db/mongodb',
    owner: '@devstack-org/document-db',
  },
  redis: {
    title: 'Redis Cluster',
    role: 'server',
    port: 17000,
    portCount: 6,
    maxPort: { port: 55530, why: 'the cluster bus is port + 10000' },
    tlsPortShift: 10,
    credentials: { defaultUser: 'default', passwordOnly: true },
    approle: { reads: 'own' },
    compose: ['redis-1', 'redis-2', 'redis-3', 'redis-4', 'redis-5', 'redis-6'],
    tier: 'data',
    coverage: ['connectivity', 'auth', 'tls', 'failover', 'network', 'performance', 'regression'],
    tune: { ext: 'conf' },
    apiRoute: '/cache/redis',
    owner: '@devstack-org/cache',
  },
  api: {
    title: 'api',
    role: 'app',
    port: 18080,
    portCount: 1,
    tlsPortShift: null,
    approle: { reads: 'credentials' },
    compose: ['api'],
    tier: 'app',
    coverage: ['connectivity', 'auth', 'network', 'performance', 'load'],
    owner: '@devstack-org/api',
    serve: { package: '@devstack/api', script: 'dist/server.js' },
  },
  // @devstack-generator: new entries above
} as const satisfies Record<string, ServiceEntry>;

export type ServiceName = keyof typeof SERVICE_REGISTRY;
type Registry = typeof SERVICE_REGISTRY;
/** Services a stack provider starts (role `server`), in start order: Vault first, since the others read their secrets from it. */
export type StackService = { [K in ServiceName]: Registry[K]['role'] extends 'server' ? K : never }[ServiceName];
/** Services whose credentials live in Vault. */
export type CredentialService = { [K in ServiceName]: Registry[K] extends { credentials: object } ? K : never }[ServiceName];
/** Services with an AppRole of their own. */
export type AppRoleService = { [K in ServiceName]: Registry[K] extends { approle: object } ? K : never }[ServiceName];
/** Services with tune profiles. */
export type TunableService = { [K in ServiceName]: Registry[K] extends { tune: object } ? K : never }[ServiceName];

const entries = Object.entries(SERVICE_REGISTRY) as [ServiceName, ServiceEntry][];
const namesWhere = <T extends ServiceName>(pick: (e: ServiceEntry) => boolean) => entries.filter(([, e]) => pick(e)).map(([n]) => n) as T[];

/** Every service, in registry order. */
export const SERVICES: readonly ServiceName[] = entries.map(([n]) => n);
/** The servers of the stack (the api is a client of them, not a server of the stack). */
export const STACK_SERVICES: readonly StackService[] = namesWhere<StackService>((e) => e.role === 'server');
export const CREDENTIAL_SERVICES: readonly CredentialService[] = namesWhere<CredentialService>((e) => e.credentials !== undefined);
export const APPROLE_SERVICES: readonly AppRoleService[] = namesWhere<AppRoleService>((e) => e.approle !== undefined);
export const TUNABLE_SERVICES: readonly TunableService[] = namesWhere<TunableService>((e) => e.tune !== undefined);

export function serviceEntry(name: ServiceName): ServiceEntry {
  return SERVICE_REGISTRY[name];
}

export function isServiceName(name: string): name is ServiceName {
  return Object.prototype.hasOwnProperty.call(SERVICE_REGISTRY, name);
}

/** Default ports, keyed by service. */
export const DEFAULT_PORTS = Object.fromEntries(entries.map(([n, e]) => [n, e.port])) as { readonly [K in ServiceName]: Registry[K]['port'] };

/** Default user names, used when a secret or the config names none. */
export const DEFAULT_USERS = Object.fromEntries(entries.filter(([, e]) => e.credentials).map(([n, e]) => [n, e.credentials!.defaultUser])) as Record<CredentialService, string>;

/** Which secrets each AppRole may read: its own, plus what it genuinely needs (the api reads the databases'). */
export const READABLE_SECRETS = Object.fromEntries(
  entries
    .filter(([, e]) => e.approle)
    .map(([n, e]) => [n, e.approle!.reads === 'credentials' ? [n, ...CREDENTIAL_SERVICES.filter((c) => c !== n)] : [n]]),
) as Record<AppRoleService, string[]>;

/** docker-compose.yml service names of the given services. */
export function composeNames(services: readonly ServiceName[]): string[] {
  return services.flatMap((s) => [...SERVICE_REGISTRY[s].compose]);
}

/** The profile file extension of a tunable service (configs/<service>/<profile>.<ext>). */
export function profileExt(service: string): string {
  return isServiceName(service) ? ((SERVICE_REGISTRY[service] as ServiceEntry).tune?.ext ?? 'conf') : 'conf';
}
