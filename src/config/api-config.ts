import { z } from 'zod';
import { type ApiKeyHash, parseApiKeyHashes } from '../core/api-key.js';
import { blankAsUnset, integer, optionalText } from './env-values.js';

/** The JSON API and the tokens it (and the success page) hand out. Part of Config; parsed with it. */
export interface ApiConfig {
  /** Serve /api/v1. @default true when API_KEY_HASHES is set, false otherwise */
  enabled: boolean;
  /** Accepted keys, by SHA-256 hash only. Removing an entry revokes that key. */
  keyHashes: readonly ApiKeyHash[];
  /** Where the success page posts the token back to (a calling app's endpoint), if anywhere. */
  returnUrl?: string;
  /**
   * Calls per API key per OTP_IP_REQUEST_WINDOW_SECONDS (API_REQUEST_LIMIT), counted apart for code
   * requests and for verifies: bounds what a leaked key can send or guess. @default 1000
   */
  callLimitPerKey: number;
  tokens: TokenConfig;
}

export interface TokenConfig {
  /** Lifetime of a verification token. @default 600 */
  ttlSeconds: number;
  /** `iss` claim. @default APP_NAME */
  issuer: string;
  /** Operator-managed Ed25519 keys (PKCS#8, PEM or base64 DER); first signs. Empty = generated and stored. */
  signingKeys: readonly string[];
  /** Stored keys rotate at this age; 0 = never by age. @default 90 */
  rotateAfterDays: number;
}

/** The API's variables, spread into config's env schema. */
export const apiEnvShape = {
  API_ENABLED: z.preprocess(blankAsUnset, z.enum(['true', 'false']).optional()),
  API_KEY_HASHES: optionalText,
  RETURN_URL: optionalText,
  API_REQUEST_LIMIT: integer(1000, 1, 10_000_000),
  TOKEN_TTL_SECONDS: integer(600, 30, 86_400),
  TOKEN_ISSUER: optionalText,
  TOKEN_SIGNING_KEYS: optionalText,
  TOKEN_KEY_ROTATION_DAYS: integer(90, 0, 3650),
};

type ApiEnv = z.infer<z.ZodObject<typeof apiEnvShape>>;

/** Builds the frozen ApiConfig; pushes each problem (with its fix) onto `problems`. */
export function apiConfigFrom(e: ApiEnv, appName: string, isProduction: boolean, problems: string[]): ApiConfig {
  const { hashes, problems: hashProblems } = parseApiKeyHashes(e.API_KEY_HASHES ?? '');
  problems.push(...hashProblems);
  const enabled = e.API_ENABLED === undefined ? hashes.length > 0 : e.API_ENABLED === 'true';
  if (isProduction && enabled && hashes.length === 0 && hashProblems.length === 0) {
    // An API without keys would refuse every call at best; refuse to start so the mistake is seen.
    problems.push(
      'NODE_ENV=production with API_ENABLED=true needs API_KEY_HASHES; make a key and its hash with: otp-app api-key (or set API_ENABLED=false)',
    );
  }
  const returnUrl = e.RETURN_URL;
  if (returnUrl !== undefined) {
    const parsed = URL.canParse(returnUrl) ? new URL(returnUrl) : undefined;
    if (parsed === undefined || !['https:', 'http:'].includes(parsed.protocol)) {
      problems.push('RETURN_URL must be an absolute http(s) URL, e.g. https://app.example.com/otp/callback');
    } else if (isProduction && parsed.protocol !== 'https:') {
      problems.push('RETURN_URL must use https in production: the token travels in the form post');
    }
  }
  const signingKeys = (e.TOKEN_SIGNING_KEYS ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean);
  return Object.freeze({
    enabled,
    keyHashes: Object.freeze(hashes.map((hash) => Object.freeze(hash))),
    ...(returnUrl === undefined ? {} : { returnUrl }),
    callLimitPerKey: e.API_REQUEST_LIMIT,
    tokens: Object.freeze({
      ttlSeconds: e.TOKEN_TTL_SECONDS,
      issuer: e.TOKEN_ISSUER ?? appName,
      signingKeys: Object.freeze(signingKeys),
      rotateAfterDays: e.TOKEN_KEY_ROTATION_DAYS,
    }),
  });
}
