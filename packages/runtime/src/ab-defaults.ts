/**
 * A/B trial counts. 5 + 5 is the first point where the 95% Mann-Whitney interval is not just the
 * extremes (k = 3 of 25 pairwise differences); calibration measures the verdict at exactly this count.
 */
export const AB_DEFAULTS = { startTrials: 5, maxTrials: 12, maxSeconds: 900 } as const;
