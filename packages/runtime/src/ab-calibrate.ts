import { DevstackError, type RegressOptions, type TaskResult } from '@devstack/core';
import type { AbRegressSpec } from './ab-regress';

export async function calibrateAb<O extends RegressOptions>(spec: AbRegressSpec<O>, _options: O, _signal?: AbortSignal): Promise<TaskResult> {
  throw new DevstackError('UNSUPPORTED', `${spec.backend}: calibration not yet`);
}
