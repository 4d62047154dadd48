/**
 * Terminal output for the CLI: colours through `node:util` `styleText` only when the
 * stream is a colour TTY and `NO_COLOR` is unset (or `FORCE_COLOR` asks for them), a
 * spinner line on stderr for work that may take a while, and simple aligned tables.
 */
import { stripVTControlCharacters, styleText } from 'node:util';

type Style = Parameters<typeof styleText>[0];

export interface OutputStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  hasColors?(): boolean;
}

export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Aborted on Ctrl-C: long-running commands (`inspect`, `events --follow`) stop. */
  readonly signal: AbortSignal;
}

export interface Terminal {
  /** Colours `text` for stdout, or returns it as is when colours are off. */
  paint(style: Style, text: string): string;
  out(line: string): void;
  /** Runs `work` with a spinner on stderr (TTY only), cleared when it settles. */
  spin<T>(label: string, work: () => Promise<T>): Promise<T>;
}

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function colourEnabled(stream: OutputStream, env: CliIo['env']): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return stream.isTTY === true && (stream.hasColors?.() ?? true);
}

/**
 * @example
 * const terminal = createTerminal(io, { quiet: json });
 * terminal.out(terminal.paint('green', '✓ done'));
 */
export function createTerminal(io: CliIo, options: { readonly quiet?: boolean } = {}): Terminal {
  const colours = colourEnabled(io.stdout, io.env);
  const spinning = !options.quiet && io.stderr.isTTY === true;
  const errColours = colourEnabled(io.stderr, io.env);
  return {
    paint: (style, text) => (colours ? styleText(style, text) : text),
    out: (line) => void io.stdout.write(`${line}\n`),
    async spin(label, work) {
      if (!spinning) return work();
      let frame = 0;
      const draw = () => {
        const mark = frames[frame++ % frames.length] ?? '';
        io.stderr.write(`\r${errColours ? styleText('cyan', mark) : mark} ${label}`);
      };
      draw();
      const timer = setInterval(draw, 80);
      try {
        return await work();
      } finally {
        clearInterval(timer);
        io.stderr.write('\r\x1b[K');
      }
    },
  };
}

/** A table with columns padded to their widest cell; `widths` ignores colour codes. */
export function formatTable(rows: readonly (readonly string[])[]): string[] {
  const visible = (cell: string) => stripVTControlCharacters(cell).length;
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, visible(cell));
    });
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visible(cell))))
      .join('  ')
      .trimEnd(),
  );
}

/** `950ms`, `12s`, `3m 4s`, `2h 5m`, `3d 1h`. */
export function formatAge(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/**
 * `2026-11-26 07:00:05.123 UTC`: the one time format of the CLI and the page (its twin is
 * `time` in ui/dom.js; the browser test checks they agree). Always UTC, always with the zone.
 */
export function formatTime(value: string | number): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return `${date.toISOString().replace('T', ' ').replace('Z', '')} UTC`;
}
