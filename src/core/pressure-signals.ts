import type { ChallengeConfig } from '../config/challenge-config.js';
import type { PressureSwitchSettings } from './pressure-switch.js';

/** What can put the request form under pressure (docs/challenge.md). */
export const pressureSignals = ['pumping', 'network', 'domain'] as const;
export type PressureSignal = (typeof pressureSignals)[number];

type SignalSettings = Pick<
  ChallengeConfig,
  'conversionMin' | 'conversionRecovered' | 'volumeFloor' | 'networkRequestThreshold' | 'domainRequestThreshold' | 'minOnSeconds'
>;

/**
 * Pumping: many codes issued, few verified. On below `conversionMin` with at least `volumeFloor` codes
 * in the window; off at `conversionRecovered` or more, or once the volume has fallen under half the
 * floor (the attack is over and the window has drained).
 */
export function pumpingSwitchSettings(settings: SignalSettings): PressureSwitchSettings {
  return {
    isPressure: (reading) => reading.volume >= settings.volumeFloor && (reading.conversion ?? 1) < settings.conversionMin,
    isCalm: (reading) => (reading.conversion ?? 1) >= settings.conversionRecovered || reading.volume < settings.volumeFloor / 2,
    minOnMs: settings.minOnSeconds * 1000,
  };
}

/**
 * A client network or a recipient domain: on at `threshold` requests in the short window, off once a
 * window holds fewer than half as many (and the minimum time on has passed). 0 turns the signal off.
 */
export function counterSwitchSettings(threshold: number, minOnSeconds: number): PressureSwitchSettings {
  return {
    isPressure: (reading) => threshold > 0 && reading.volume >= threshold,
    isCalm: (reading) => reading.volume < threshold / 2,
    minOnMs: minOnSeconds * 1000,
  };
}

export function thresholdOf(signal: 'network' | 'domain', settings: SignalSettings): number {
  return signal === 'network' ? settings.networkRequestThreshold : settings.domainRequestThreshold;
}
