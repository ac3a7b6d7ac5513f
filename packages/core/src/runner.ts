import { loadConfig, type DeepPartial, type DevstackConfig, type LoadedConfig } from './config';
import { DevstackError, EXIT_CHECK_FAILED, EXIT_OK, exitCodeOf } from './errors';
import { withLock } from './lock';
import { renderResult } from './output';
import { stderrProgress } from './progress';
import { redact, redactValue } from './redact';
import { allChecksPassed, writeResult, type TaskResult } from './results';
import type { CommonOptions } from './task';

export type FlagType = 'string' | 'number' | 'boolean' | 'list';

export interface FlagSpec {
  /** kebab-case on the command line, camelCase in the options object. */
  name: string;
  type: FlagType;
  description: string;
  default?: string | number | boolean | string[];
  choices?: readonly string[];
}

export interface CliTaskSpec {
  description: string;
  flags?: FlagSpec[];
  /** Live tasks take the stack's live lock: they never run side by side. */
  live?: boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  run: (options: any, signal?: AbortSignal) => Promise<TaskResult>;
}

/** Flags every task accepts; the config-layer ones override devstack.config.json and DEVSTACK_*. */
export const COMMON_FLAGS: FlagSpec[] = [
  { name: 'json', type: 'boolean', description: 'print the result as JSON on stdout (progress stays on stderr)' },
  { name: 'quiet', type: 'boolean', description: 'no progress lines' },
  { name: 'verbose', type: 'boolean', description: 'full expected/observed texts in the checks table (default: shortened; the result file has them whole)' },
  { name: 'trials', type: 'number', description: 'repeated trials per measurement (config: trials, default 3)' },
  { name: 'threshold', type: 'number', description: 'regression threshold as a fraction (config: threshold, default 0.2)' },
  { name: 'port-offset', type: 'number', description: 'shift every stack port by this much (config: portOffset)' },
  { name: 'provider', type: 'string', description: 'stack provider (config: provider)', choices: ['local', 'compose', 'external'] },
  { name: 'help', type: 'boolean', description: 'show this help' },
];
const CONFIG_FLAGS: Record<string, keyof DevstackConfig> = { trials: 'trials', threshold: 'threshold', portOffset: 'portOffset', provider: 'provider' };

export const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export interface ParsedArgs {
  values: Record<string, unknown>;
  positionals: string[];
}

/** Parse `--name value`, `--name=value`, `--flag`, `--no-flag` against the specs; unknown flags are exit 2. */
export function parseFlags(argv: string[], specs: FlagSpec[], context: string): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values: Record<string, unknown> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    let [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    let spec = byName.get(name);
    if (!spec && name.startsWith('no-') && byName.get(name.slice(3))?.type === 'boolean') {
      spec = byName.get(name.slice(3));
      name = name.slice(3);
      inline = 'false';
    }
    if (!spec) {
      throw new DevstackError('BAD_INPUT', `Unknown flag --${name} for ${context}.`, {
        fix: `Known flags: ${specs.map((s) => `--${s.name}`).join(', ')}. Run with --help for details.`,
      });
    }
    let raw: string | undefined = inline;
    if (spec.type !== 'boolean' && raw === undefined) {
      raw = argv[++i];
      if (raw === undefined) throw new DevstackError('BAD_INPUT', `Flag --${name} needs a value.`, { fix: `Example: --${name} ${spec.default ?? '<value>'}` });
    }
    values[camel(name)] = convert(spec, raw);
  }
  for (const s of specs) if (values[camel(s.name)] === undefined && s.default !== undefined) values[camel(s.name)] = s.default;
  return { values, positionals };
}

function convert(spec: FlagSpec, raw: string | undefined): unknown {
  switch (spec.type) {
    case 'boolean':
      if (raw === undefined || raw === 'true') return true;
      if (raw === 'false') return false;
      throw new DevstackError('BAD_INPUT', `Flag --${spec.name} is a switch; got "${raw}".`, { fix: `Use --${spec.name} or --no-${spec.name}.` });
    case 'number': {
      const n = Number(raw);
      if (raw === undefined || raw.trim() === '' || !Number.isFinite(n)) {
        throw new DevstackError('BAD_INPUT', `Flag --${spec.name} expects a number; got "${raw}".`, { fix: `Example: --${spec.name} ${spec.default ?? 3}` });
      }
      return n;
    }
    case 'list':
      return raw!.split(',').map((s) => s.trim()).filter(Boolean);
    default:
      if (spec.choices && !spec.choices.includes(raw!)) {
        throw new DevstackError('BAD_INPUT', `Flag --${spec.name} must be one of ${spec.choices.join(', ')}; got "${raw}".`, {
          fix: `Use one of: ${spec.choices.map((c) => `--${spec.name} ${c}`).join(', ')}.`,
        });
      }
      return raw;
  }
}

export function helpText(program: string, tasks: Record<string, CliTaskSpec>, only?: string): string {
  const lines: string[] = [];
  for (const [name, spec] of Object.entries(tasks)) {
    if (only && name !== only) continue;
    lines.push(`${program} ${name}: ${spec.description}`);
    for (const f of [...(spec.flags ?? []), ...COMMON_FLAGS]) {
      const choice = f.choices ? ` (${f.choices.join('|')})` : '';
      const def = f.default !== undefined ? ` [default: ${f.default}]` : '';
      lines.push(`    --${f.name}${f.type === 'boolean' ? '' : ` <${f.type}>`}  ${f.description}${choice}${def}`);
    }
    lines.push('');
  }
  lines.push('Exit codes: 0 ok, 1 a check failed, 2 bad input or config, 3 environment (service down, tool missing).');
  return lines.join('\n');
}

export interface RunCliOptions {
  argv?: string[];
  /** Do not call process.exit (tests). */
  noExit?: boolean;
}

/**
 * The one place that turns tasks into a CLI: `<program> <task> [flags]`. Parses flags, loads config
 * (flags on top), shows progress on stderr, prints a table or --json, writes the result file and
 * returns / exits with 0, 1, 2 or 3.
 */
export async function runCli(program: string, tasks: Record<string, CliTaskSpec>, options: RunCliOptions = {}): Promise<number> {
  const argv = options.argv ?? process.argv.slice(2);
  const taskName = argv[0] && !argv[0].startsWith('--') ? argv[0] : undefined;
  let code: number;
  let json = argv.includes('--json');
  try {
    if (!taskName || argv.includes('--help')) {
      process.stdout.write(`${helpText(program, tasks, taskName)}\n`);
      code = taskName || argv.includes('--help') ? EXIT_OK : 2;
    } else {
      const spec = tasks[taskName];
      if (!spec) {
        throw new DevstackError('BAD_INPUT', `Unknown task "${taskName}" for ${program}.`, { fix: `Known tasks: ${Object.keys(tasks).join(', ')}.` });
      }
      const parsed = parseFlags(argv.slice(1), [...(spec.flags ?? []), ...COMMON_FLAGS], `${program} ${taskName}`);
      json = parsed.values.json === true;
      code = await runOne(program, taskName, spec, parsed.values, json);
    }
  } catch (err) {
    code = reportError(err, json);
  }
  if (!options.noExit) {
    process.exitCode = code;
    // Drivers keep sockets open, so the process exits explicitly, but only once output is flushed.
    exitAfterFlush(code);
  }
  return code;
}

/**
 * process.exit once stdout and stderr hold nothing unwritten. A pipe takes 64 KiB at once; the rest of a
 * large --json result waits in the stream until the reader drains the pipe, and an exit before that cut
 * the JSON at byte 65,536 (`load capacity --json | node ...` read "Unexpected end of JSON input").
 * A write's callback runs after every earlier write has reached the descriptor.
 */
export function exitAfterFlush(code: number, exit: (code: number) => void = (c) => process.exit(c)): void {
  let pending = 2;
  const done = () => {
    pending -= 1;
    if (pending === 0) exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

async function runOne(program: string, taskName: string, spec: CliTaskSpec, values: Record<string, unknown>, json: boolean): Promise<number> {
  const flagsLayer: DeepPartial<DevstackConfig> = {};
  for (const [flag, key] of Object.entries(CONFIG_FLAGS)) {
    if (values[flag] !== undefined) (flagsLayer as Record<string, unknown>)[key] = values[flag];
  }
  const config: LoadedConfig = loadConfig({ flags: flagsLayer });
  const progress = values.quiet ? Object.assign(() => undefined, { stop() {} }) : stderrProgress();
  const controller = new AbortController();
  const onSigint = () => {
    progress('interrupted: stopping and cleaning up (Ctrl-C again to force)');
    controller.abort(new DevstackError('ENVIRONMENT', 'Interrupted by the user.'));
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSigint);
  const taskOptions: CommonOptions & Record<string, unknown> = { ...values, trials: values.trials ?? config.trials, config, progress };
  try {
    const run = () => spec.run(taskOptions, controller.signal);
    const result = spec.live ? await withLock(config.stateRoot, 'live', `${program} ${taskName}`, run) : await run();
    const file = writeResult(config.stateRoot, result);
    if (json) process.stdout.write(`${JSON.stringify(redactValue({ ...result, resultFile: file }), null, 2)}\n`);
    else process.stdout.write(`${renderResult(result, file, { verbose: values.verbose === true })}\n`);
    return allChecksPassed(result) && result.state === 'completed' ? EXIT_OK : EXIT_CHECK_FAILED;
  } finally {
    process.removeListener('SIGINT', onSigint);
    progress.stop();
  }
}

export function reportError(err: unknown, json: boolean): number {
  const code = exitCodeOf(err);
  const e = err instanceof DevstackError ? err : undefined;
  const message = redact(err instanceof Error ? err.message : String(err));
  if (json) {
    process.stdout.write(`${JSON.stringify({ state: 'errored', error: { code: e?.code ?? 'ENVIRONMENT', message, fix: e?.fix && redact(e.fix), exitCode: code } }, null, 2)}\n`);
  } else {
    process.stderr.write(`error${e ? ` [${e.code}]` : ''}: ${message}\n`);
    if (e?.fix) process.stderr.write(`  fix: ${redact(e.fix)}\n`);
    if (!e && err instanceof Error && process.env.DEVSTACK_DEBUG) process.stderr.write(`${redact(err.stack ?? '')}\n`);
  }
  return code;
}
