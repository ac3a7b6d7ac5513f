import { baselineTask, regressTask, type RegressOptions } from '@devstack/core';
import { bench, type MongoBenchOptions } from './bench';

/** The shared engine from core: the bench is the only MongoDB-specific part. */
export const baseline = baselineTask<MongoBenchOptions>('mongodb', bench);
export const regress = regressTask<MongoBenchOptions & RegressOptions>('mongodb', bench);
