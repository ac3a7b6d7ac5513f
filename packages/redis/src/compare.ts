import { compareInterleaved, type CompareOutcome, type LoadedConfig, type Progress, type StackProvider } from '@devstack/core';
import { activeProfile, bench } from './bench';
import { rollingRestart, type RollingContext } from './rolling-restart';

/** The figures a profile change can move; the full bench stays `redis:bench`. */
export const COMPARED = ['m0_set_rps', 'm0_get_rps', 'cluster_set_rps', 'cluster_get_rps', 'cluster_set_p16_rps', 'client_cluster_ops', 'client_cluster_p95_ms', 'client_single_p95_ms'];

export interface CompareProfilesInput {
  config: LoadedConfig;
  provider: StackProvider;
  rolling: RollingContext;
  /** The config that was active before tune (its backup) and the one tune applied. */
  beforeFile: string;
  afterFile: string;
  trials: number;
  progress: Progress;
  signal?: AbortSignal;
}

/**
 * `redis:tune --compare`: the previous profile against the new one, interleaved (A B A B ...), each
 * arm made active by a rolling restart, each trial a quick bench. Ends with the new profile active.
 */
export async function compareProfiles(input: CompareProfilesInput): Promise<CompareOutcome> {
  const arm = (file: string) => ({
    label: activeProfile(file) ?? file,
    activate: async () => {
      await input.provider.applyConfig('redis', file);
      await rollingRestart(input.rolling);
    },
  });
  const before = arm(input.beforeFile);
  const after = arm(input.afterFile);
  if (before.label === after.label) after.label = `${after.label} (new)`;
  return compareInterleaved({
    trials: input.trials,
    before,
    after,
    measure: async () => {
      const r = await bench({ config: input.config, quick: true, trials: 1, keep: false }, input.signal);
      return r.metrics.filter((m) => COMPARED.includes(m.name));
    },
    progress: input.progress,
    signal: input.signal,
  });
}
