/**
 * otp-app/client: call a running otp-app service from another back end, and check the tokens it signs.
 * Fetch and WebCrypto only (no `node:` imports): Node ≥ 20, Deno, Bun, edge and serverless runtimes.
 *
 * @example
 * import { createOtpClient, verifyOtpToken } from 'otp-app/client';
 */
export type { OtpClientError, OtpClientErrorCode, OtpClientResult } from './client-error.js';
export {
  type CodeSent,
  type CodeStatus,
  type CodeVerified,
  createOtpClient,
  type OtpClient,
  type OtpClientOptions,
  type SendCodeInput,
  type SendCodeOptions,
  type VerifyCodeInput,
} from './otp-client.js';
export {
  type OtpTokenClaims,
  type OtpTokenFailure,
  type OtpTokenResult,
  type VerifyOtpTokenOptions,
  verifyOtpToken,
} from './otp-token.js';
