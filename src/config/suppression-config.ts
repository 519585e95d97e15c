import { defaultSuppressionDays } from '../core/suppression-list.js';
import { integer } from './env-values.js';

/** The suppression list's setting. Part of Config. */
export interface SuppressionConfig {
  /** How long a permanent bounce keeps its address suppressed; complaints and manual entries last until removed. */
  bounceDays: number;
}

/** The suppression variables, spread into config's env schema. */
export const suppressionEnvShape = {
  // At most ten years: "forever" is what a complaint or `otp-app suppression add` is for.
  SUPPRESSION_DAYS: integer(defaultSuppressionDays, 1, 3650),
};

export function suppressionConfigFrom(e: { SUPPRESSION_DAYS: number }): Readonly<SuppressionConfig> {
  return Object.freeze({ bounceDays: e.SUPPRESSION_DAYS });
}
