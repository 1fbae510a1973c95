/**
 * Ctrl-C and SIGTERM for the `fdl` process (runAsProcess in cli/fdl.ts), apart from the process so tests
 * can drive it. Most commands end at the first signal, with one line and the exit code a shell reports
 * for it (their work is a rerun away). A command that stops gracefully (Command.stopsGracefully, named
 * through `interrupt.graceful`) is asked to stop instead, by aborting `interrupt.signal` with the
 * signal's name as its reason; it finishes the work under way, says how to go on, and returns
 * `exitCodeOf(signal)`. A second signal ends the process at once, as terraform and docker compose do.
 */

/** The signals a process answers, and their exit codes: 128 + the signal's number, as shells report. */
export const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof SIGNAL_EXIT;

/** The exit code of a command stopped by `signal` (aborted by processInterrupts): 143 for SIGTERM, else 130. */
export const exitCodeOf = (signal: AbortSignal): number =>
  signal.reason === 'SIGTERM' ? SIGNAL_EXIT.SIGTERM : SIGNAL_EXIT.SIGINT;

/** How to send the second signal that quits now, in the words of the first. */
const again = (signal: StopSignal) => (signal === 'SIGINT' ? 'Ctrl-C again' : 'a second signal');

export function processInterrupts(
  argv: readonly string[],
  write: (text: string) => void,
  exit: (code: number) => void,
) {
  const controller = new AbortController();
  let graceful: string | undefined;
  return {
    interrupt: {
      signal: controller.signal,
      graceful: (name: string) => {
        graceful = name;
      },
    },
    onSignal(signal: StopSignal): void {
      const word = signal === 'SIGINT' ? 'interrupted' : 'terminated';
      if (graceful && !controller.signal.aborted) {
        write(`\nfdl ${graceful}: ${word}; finishing the work under way (${again(signal)} quits now)\n`);
        controller.abort(signal);
        return;
      }
      write(
        graceful
          ? `\nfdl ${graceful}: quit before the work under way was finished; go on as said above, or rerun the command\n`
          : `\nfdl${argv[0] ? ` ${argv[0]}` : ''}: ${word}\n`,
      );
      exit(SIGNAL_EXIT[(controller.signal.reason as StopSignal | undefined) ?? signal]);
    },
  };
}
