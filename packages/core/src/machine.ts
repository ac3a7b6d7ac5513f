import * as os from 'node:os';

export interface MachineFingerprint {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
}

export function machineFingerprint(): MachineFingerprint {
  const cpus = os.cpus();
  return {
    cpuModel: (cpus[0]?.model ?? 'unknown').replace(/\s+/g, ' ').trim(),
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

/** Two fingerprints describe comparable hardware when CPU model, cores and memory agree. */
export function sameMachine(a: MachineFingerprint, b: MachineFingerprint): boolean {
  return a.cpuModel === b.cpuModel && a.cores === b.cores && Math.abs(a.memoryGiB - b.memoryGiB) < 1;
}
