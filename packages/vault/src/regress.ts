import { baselineTask, regressTask, type RegressOptions } from '@devstack/core';
import { bench, type VaultBenchOptions } from './bench';

/** `vault baseline` and `vault regress`: the shared engine in core, fed by the Vault bench. */
export const baseline = baselineTask<VaultBenchOptions>('vault', bench);
export const regress = regressTask<VaultBenchOptions & RegressOptions>('vault', bench);
