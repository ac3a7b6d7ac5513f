export { buildMatrix, hostCells, judge, matrixGrid, matrixTable, DENIED_OUTCOMES, type MatrixCell, type CellVerdict } from './matrix';
export { matrix, DEFAULT_CONNECT_TIMEOUT_MS, PROBE_SCRIPT, type MatrixOptions } from './reachability';
export { policy, readCompose, COMPOSE_FILE } from './policy-check';
export { composeMembershipProblems, composeProbeProblems, policyServiceOf, type ComposeDoc } from './compose-membership';
export { composeMatrix, composeProbeCommand, composeProbeService, COMPOSE_WORKDIR } from './compose-probe';
export type { ProbeOutcome, ProbeRequest, ProbeTarget } from './probe-types';
