export { up, down, status, restart, statusTable } from './stack';
export type { UpOptions, DownOptions, RestartOptions } from './stack';
