import { generateApiKey } from '../core/api-key.js';

/** `otp-app api-key [--label NAME]`: a new key for the caller, and the line for API_KEY_HASHES. Needs no config. */
export function apiKeyCommand(label = 'key'): number {
  const { key, sha256Hex } = generateApiKey();
  console.log(`API key (give it to the calling service; it is shown only this once):\n  ${key}\n`);
  console.log(`Add to API_KEY_HASHES (comma-separated; remove the entry to revoke the key):\n  ${label}:${sha256Hex}`);
  return 0;
}
