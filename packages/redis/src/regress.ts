import { baselineTask, regressTask, type RegressOptions } from '@devstack/core';
import { bench, type RedisBenchOptions } from './bench';

/** The shared engine from core: the bench is the only Redis-specific part. */
export const baseline = baselineTask<RedisBenchOptions>('redis', bench);
export const regress = regressTask<RedisBenchOptions & RegressOptions>('redis', bench);
