/** Progress lines go to stderr so `--json` output on stdout stays machine-readable. */
export type Progress = (message: string) => void;

export const silentProgress: Progress = () => undefined;

export function stderrProgress(prefix = ''): Progress & { stop(): void } {
  const t0 = Date.now();
  let last = '';
  let lastAt = Date.now();
  const stamp = () => `[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s]`;
  const fn = ((message: string) => {
    last = message;
    lastAt = Date.now();
    process.stderr.write(`${stamp()} ${prefix}${message}\n`);
  }) as Progress & { stop(): void };
  // A heartbeat so a long step never looks hung.
  const timer = setInterval(() => {
    if (last && Date.now() - lastAt >= 10_000) {
      process.stderr.write(`${stamp()} ${prefix}still working: ${last} (${Math.round((Date.now() - lastAt) / 1000)}s)\n`);
    }
  }, 10_000);
  timer.unref();
  fn.stop = () => clearInterval(timer);
  return fn;
}
