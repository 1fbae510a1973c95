/**
 * The progress line of long jobs (`fdl reprocess`): how far, how long so far, and an estimate of what is
 * left, so a year of archives shows when it will end. The estimate is the average pace so far applied to
 * what remains; it is left out until 5% of the work and 2 seconds have passed, when the pace still
 * mostly reflects start-up (worker threads, cold code) rather than the steady rate.
 */

/** "0.4 s", "12 s", "4 min 05 s", "1 h 02 min": coarser as durations grow. */
export function duration(ms: number): string {
  const s = ms / 1000;
  // Each unit is chosen after rounding, so 9.97 s is "10 s" and 59.6 s is "1 min 00 s".
  if (s < 9.95) return `${s.toFixed(1)} s`;
  const total = Math.round(s);
  if (total < 60) return `${total} s`;
  if (total < 3600) return `${Math.floor(total / 60)} min ${String(total % 60).padStart(2, '0')} s`;
  const minutes = Math.round(total / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** `read 1200/30000 files (4%), 12 s elapsed, about 4 min 48 s left`; the last line ends with the total time. */
export function progressLine(done: number, total: number, elapsedMs: number): string {
  const head = `read ${done}/${total} files (${Math.floor((done / total) * 100)}%)`;
  if (done >= total) return `${head} in ${duration(elapsedMs)}`;
  const estimate =
    done >= total * 0.05 && elapsedMs >= 2000
      ? `, about ${duration((elapsedMs / done) * (total - done))} left`
      : '';
  return `${head}, ${duration(elapsedMs)} elapsed${estimate}`;
}

/** `listed 120000 raw files in 800 folders, 14 s elapsed`: the line shown while an archive is listed. */
export function listingLine(files: number, folders: number, elapsedMs: number): string {
  return `listed ${files} raw files in ${folders} folders, ${duration(elapsedMs)} elapsed`;
}
