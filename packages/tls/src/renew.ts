import { contextOf, DevstackError, readTlsState, startResult, type CommonOptions, type TaskResult } from '@devstack/core';
import { issueAll } from './certs';
import { applyTlsState } from './enable';

export type RenewOptions = CommonOptions;

/** Reissue every leaf from Vault PKI and restart the TLS services through the provider (same contract as enable). */
export async function renew(options: RenewOptions): Promise<TaskResult> {
  const { config, progress } = contextOf(options);
  const state = readTlsState(config);
  const result = startResult('tls', 'renew');
  const out = await issueAll(config, progress);
  result.tables.push({ title: 'Reissued certificates', head: ['name', 'serial', 'not after'], rows: out.leaves.map((l) => [l.name, l.serial, l.notAfter]) });
  if (!state) {
    result.notes.push('TLS is not enabled: certificates reissued, nothing restarted.');
    return result.finish();
  }
  const outcome = await applyTlsState(config, state, progress);
  if (outcome.state !== 'applied') throw new DevstackError('ROLLED_BACK', `renew: restart with the new certificates failed and was rolled back: ${outcome.reason}`);
  result.tables.push({ title: 'Restart and read-back', head: ['service', 'mode', 'read back', 'healthy'], rows: outcome.rows });
  result.checks.push({ name: 'services restarted with the new certificates', passed: true });
  return result.finish();
}
