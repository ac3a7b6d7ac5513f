import { baselineTask, regressTask } from '@devstack/core';
import { bench } from './bench';

/** `nx run postgres:baseline`: bench N trials and record baselines/postgres.json. */
export const baseline = baselineTask('postgres', bench);

/** `nx run postgres:regress`: bench N trials and apply the shared regress rule against the baseline. */
export const regress = regressTask('postgres', bench);
