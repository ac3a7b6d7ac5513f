export { measureScenario, scenarioTask, loadBench, metricsOf, type LoadOptions, type ScenarioRun } from './run';
export { runHttpScenario } from './http-engine';
export { runDriverScenario } from './driver-engine';
export { runK6, parseK6Summary, k6Binary, K6_TREND_STATS, type K6Summary } from './k6-runner';
export { ResourceSampler, stackPids, type ResourceUsage } from './resources';
export { evaluateThresholds, parseThreshold, type ThresholdInputs } from './thresholds';
export { readScenarioFile, scenarioOf, scaleScenario, stepsOf, parseDuration, SCENARIO_NAMES, type ScenarioDefinition, type ScenarioFile, type K6Scenario } from './scenarios';
export { metricNames, type LoadMeasurement } from './measurement';
