import { randomInt } from 'node:crypto';

/** A random source for codes; tests inject a predictable one. */
export interface CodeGenerator {
  generate(length: number): string;
}

/** Uniform digits from the operating system's CSPRNG; leading zeros are kept. */
export const cryptoCodeGenerator: CodeGenerator = {
  generate(length) {
    let code = '';
    // One randomInt per digit keeps every length uniform without big-number arithmetic.
    for (let i = 0; i < length; i++) code += String(randomInt(10));
    return code;
  },
};

/**
 * Accepts what people paste: "123 456", "123-456", full-width digits are not accepted.
 * Returns the bare digits, or null when the input is not exactly `length` digits.
 */
export function normalizeCodeInput(input: string, length: number): string | null {
  const digits = input.replace(/[\s-]/g, '');
  if (digits.length !== length || !/^[0-9]+$/.test(digits)) return null;
  return digits;
}
