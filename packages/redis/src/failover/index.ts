export { failover, resolveFailoverOptions, FAILOVER_DEFAULTS, type FailoverOptions } from './failover';
export { renderPlaybook, writePlaybook } from './playbook';
