import { baselineTask, regressTask } from '@devstack/core';
import { bench } from './bench';

/** `nx run mysql:baseline`: bench N trials and record baselines/mysql.json. */
export const baseline = baselineTask('mysql', bench);

/** `nx run mysql:regress`: bench N trials and apply the shared regress rule against the baseline. */
export const regress = regressTask('mysql', bench);
