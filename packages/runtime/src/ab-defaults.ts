/**
 * A/B trial counts. 6 pairs is the first count with a 95% Wilcoxon signed-rank interval for the paired
 * statistic (with 5 the smallest two-sided p is 1/16); calibration follows the same rule (first look here, up to maxTrials).
 */
export const AB_DEFAULTS = { startTrials: 6, maxTrials: 12, maxSeconds: 900 } as const;
