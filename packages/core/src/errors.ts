/**
 * One error class for the whole tool. Callers branch on `code`, never on message text.
 * The exit code is a property of the code, so the CLI runner maps every failure the same way.
 */
export type ErrorCode =
  | 'CHECK_FAILED' // a regression, a failed suite case, a threshold: exit 1
  | 'ROLLED_BACK' // a change was refused by the server and undone: exit 1
  | 'BAD_INPUT' // bad flag or option: exit 2
  | 'BAD_CONFIG' // a config file or value is invalid: exit 2
  | 'NO_BASELINE' // regress without a recorded baseline: exit 2
  | 'UNSUPPORTED' // the provider or server cannot do what was asked: exit 2
  | 'LOCKED' // another live task holds the lock: exit 2
  | 'SERVICE_DOWN' // a service is unreachable: exit 3
  | 'PORT_IN_USE' // a port the stack needs is taken: exit 3
  | 'TOOL_MISSING' // a binary is not installed: exit 3
  | 'ENVIRONMENT'; // anything else about the machine: exit 3

export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_ENVIRONMENT = 3;

const EXIT_CODES: Record<ErrorCode, number> = {
  CHECK_FAILED: EXIT_CHECK_FAILED,
  ROLLED_BACK: EXIT_CHECK_FAILED,
  BAD_INPUT: EXIT_BAD_INPUT,
  BAD_CONFIG: EXIT_BAD_INPUT,
  NO_BASELINE: EXIT_BAD_INPUT,
  UNSUPPORTED: EXIT_BAD_INPUT,
  LOCKED: EXIT_BAD_INPUT,
  SERVICE_DOWN: EXIT_ENVIRONMENT,
  PORT_IN_USE: EXIT_ENVIRONMENT,
  TOOL_MISSING: EXIT_ENVIRONMENT,
  ENVIRONMENT: EXIT_ENVIRONMENT,
};

export interface DevstackErrorOptions {
  cause?: unknown;
  /** What the user should do about it: printed on its own line. */
  fix?: string;
  /** Structured details (never secrets), kept for --json output. */
  details?: Record<string, unknown>;
}

export class DevstackError extends Error {
  readonly code: ErrorCode;
  readonly fix?: string;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: DevstackErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DevstackError';
    this.code = code;
    this.fix = options.fix;
    this.details = options.details;
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

export function exitCodeFor(code: ErrorCode): number {
  return EXIT_CODES[code];
}

/** Exit code for anything thrown: DevstackError by its code, anything else is an environment failure. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof DevstackError) return err.exitCode;
  return EXIT_ENVIRONMENT;
}

export function isDevstackError(err: unknown, code?: ErrorCode): err is DevstackError {
  return err instanceof DevstackError && (code === undefined || err.code === code);
}
