import { z } from 'zod';

/**
 * Form bodies as browsers send them. Limits are generous for people and small for abuse; a repeated
 * field arrives as an array and is refused like any other malformed value.
 */
export const requestForm = z.object({
  email: z.string().max(512),
  resend: z.literal('1').optional(),
  /** The ALTCHA widget's payload (base64 JSON), when the form carried a proof-of-work challenge. */
  altcha: z.string().max(8192).optional(),
});

export const verifyForm = z.object({
  email: z.string().max(512),
  code: z.string().max(64),
});

export type FormParse<T> = { ok: true; value: T } | { ok: false; field: string };

/** Parses a form; on failure names the first field at fault so the page can say which one. */
export function parseForm<T>(schema: z.ZodType<T>, body: unknown): FormParse<T> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, field: String(result.error.issues[0]?.path[0] ?? 'form') };
}
