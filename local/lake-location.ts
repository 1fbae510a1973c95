/**
 * Moved to cli/kit/lake-flags.ts (it turns `--lake`/`--s3-endpoint` into a lake). This re-export keeps
 * the old path compiling while branches merge. Delete once no import is left.
 * @deprecated import from cli/kit/lake-flags instead.
 */
export * from '../cli/kit/lake-flags';
