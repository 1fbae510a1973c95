/**
 * Where commands print, and how: one Io (stdout for results, stderr for progress and errors), one table
 * printer for terminals and Markdown, and number formats. Tests pass an Io that collects lines.
 */

export interface Io {
  /** A line of the command's result (stdout). */
  out(text: string): void;
  /** A line of progress, warning or error (stderr). */
  err(text: string): void;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
};

export interface TableOptions {
  /** Per column; default left. Numbers read best right-aligned. */
  readonly align?: readonly ('left' | 'right')[];
  /** `terminal` (space-separated, default) or `markdown` (pipes, a separator row). */
  readonly style?: 'terminal' | 'markdown';
}

/** Rows (the first is the header) as an aligned table. */
export function table(rows: readonly (readonly string[])[], opts: TableOptions = {}): string {
  if (rows.length === 0) return '';
  if (opts.style === 'markdown') {
    const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    const line = (r: readonly string[]) => `| ${r.map(cell).join(' | ')} |`;
    return [line(rows[0]!), `|${rows[0]!.map(() => '---').join('|')}|`, ...rows.slice(1).map(line)].join(
      '\n',
    );
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (opts.align?.[i] === 'right' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Objects as a table: the keys of `columns` are the header, in that order. */
export function tableOf<T>(
  items: readonly T[],
  columns: Readonly<Record<string, (item: T) => string>>,
  opts?: TableOptions,
): string {
  const cols = Object.entries(columns);
  return table([cols.map(([h]) => h), ...items.map((it) => cols.map(([, f]) => f(it)))], opts);
}

/** Pretty JSON for `--json` (stable, two-space indent, one document per command). */
export const toJson = (value: unknown) => JSON.stringify(value, null, 2);

export const fmtInt = (n: number) => n.toLocaleString('en-US');
export const fmtBytes = (n: number) =>
  n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`;
