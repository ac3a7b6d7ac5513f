export { buildApp, READ_ROUTES, type BuildAppInput } from './app';
export { BACKEND_NAMES, BackendUnavailable, Lazy, withTimeout, type Backend, type BackendName } from './backend';
export { createBackends } from './backends';
export { apiOptions, tlsFiles, type ApiOptions, type TlsFiles } from './options';
