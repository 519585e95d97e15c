import { z } from 'zod';

/** An empty value (`PORT=` in a .env file) means "unset", not 0 or "". */
export const blankAsUnset = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

/** A whole number within bounds, with a default for unset or blank. */
export const integer = (fallback: number, min: number, max: number) =>
  z.preprocess(blankAsUnset, z.coerce.number().int().min(min).max(max).default(fallback));

/** Trimmed text; unset or blank becomes undefined. */
export const optionalText = z.preprocess(blankAsUnset, z.string().trim().optional());
