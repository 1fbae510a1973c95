/**
 * Flag parsing for every `fdl` command and script: `node:util` parseArgs underneath (so `--name value`,
 * `--name=value`, `--flag` and `--` behave as in any Node CLI), with a typed spec and one-line usage errors.
 */
import { parseArgs } from 'node:util';

/**
 * A message as one terminal line: control characters (a newline in a flag name, an escape sequence in a
 * value) are shown escaped, so a hostile command line cannot split or repaint the error it causes.
 */
export function oneLine(message: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped.
  return message.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

/** A wrong command line: the dispatcher prints the message and a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(message: string, options?: ErrorOptions) {
    super(oneLine(message), options);
  }
}

export type FlagSpec = Readonly<Record<string, { readonly type: 'string' | 'number' | 'boolean' }>>;
export type FlagValues<S extends FlagSpec> = {
  -readonly [K in keyof S]?: S[K]['type'] extends 'number'
    ? number
    : S[K]['type'] extends 'boolean'
      ? boolean
      : string;
};

/** The option name parseArgs quotes in its messages ("Unknown option '--x'", "Option '--x <value>' …"). */
const optionIn = (message: string) => /'(-[^' ]+)/.exec(message)?.[1]?.replace(/^-+/, '');

/** parseArgs' errors are several sentences aimed at programmers; one line aimed at the user instead. */
function usageErrorFrom(err: Error & { code?: string }, spec: FlagSpec): UsageError {
  const name = optionIn(err.message);
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`unknown flag --${name}`);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`unexpected argument "${/'([^']*)'/.exec(err.message)?.[1] ?? ''}"`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new UsageError(
        name && spec[name]?.type === 'boolean' ? `--${name} takes no value` : `--${name} needs a value`,
      );
    default:
      return new UsageError(err.message.split('. ')[0] ?? String(err));
  }
}

/**
 * Parse `argv` against `spec`. Unknown flags, missing values, values given to booleans and positional
 * arguments throw UsageError; `number` flags must be positive integers. `--help` is handled by the
 * dispatcher before a command runs.
 */
export function parseFlags<S extends FlagSpec>(argv: readonly string[], spec: S): FlagValues<S> {
  return parseCommandLine(argv, spec).flags;
}

/** parseFlags, plus up to `maxPositionals` positional arguments (scripts that take a path). */
export function parseCommandLine<S extends FlagSpec>(
  argv: readonly string[],
  spec: S,
  maxPositionals = 0,
): { flags: FlagValues<S>; positionals: string[] } {
  const options = Object.fromEntries(
    Object.entries(spec).map(([name, def]) => [
      name,
      { type: def.type === 'boolean' ? ('boolean' as const) : ('string' as const) },
    ]),
  );
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options,
      strict: true,
      allowPositionals: maxPositionals > 0,
    }) as typeof parsed;
  } catch (err) {
    throw usageErrorFrom(err as Error & { code?: string }, spec);
  }
  if (parsed.positionals.length > maxPositionals)
    throw new UsageError(`unexpected argument "${parsed.positionals[maxPositionals]}"`);
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parsed.values)) {
    if (value === undefined) continue;
    if (spec[name]?.type === 'number') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1)
        throw new UsageError(`--${name} must be a positive integer, got "${value}"`);
      out[name] = n;
    } else out[name] = value;
  }
  return { flags: out as FlagValues<S>, positionals: parsed.positionals };
}

/** `--json`: print the command's result as JSON instead of a table (one spec entry every command shares). */
export const JSON_FLAG = { json: { type: 'boolean' } } as const;
