import { describe, expect, it } from 'vitest';
import { defaultChallengeConfig } from '../../src/config/challenge-config.js';
import { counterSwitchSettings, pumpingSwitchSettings } from '../../src/core/pressure-signals.js';
import { PressureSwitch } from '../../src/core/pressure-switch.js';

const minute = 60_000;

describe('a pressure switch with hysteresis', () => {
  it('pumping: on below 20 % verified with 100 codes; not below the floor; off only at 35 % and after 5 minutes', () => {
    const pumping = new PressureSwitch(pumpingSwitchSettings(defaultChallengeConfig));
    expect(pumping.observe({ volume: 99, conversion: 0 }, 0)).toBeNull();
    expect(pumping.observe({ volume: 100, conversion: 0.19 }, 1)).toMatchObject({ type: 'on' });
    // Recovered at once, but not on for long enough yet.
    expect(pumping.observe({ volume: 100, conversion: 0.9 }, 4 * minute)).toBeNull();
    // Between the lines: stays on.
    expect(pumping.observe({ volume: 100, conversion: 0.3 }, 6 * minute)).toBeNull();
    expect(pumping.active).toBe(true);
    expect(pumping.observe({ volume: 100, conversion: 0.35 }, 7 * minute)).toMatchObject({
      type: 'off',
      lastedMs: 7 * minute - 1,
    });
    // Between the lines again: stays off.
    expect(pumping.observe({ volume: 100, conversion: 0.3 }, 8 * minute)).toBeNull();
    expect(pumping.active).toBe(false);
  });

  it('pumping: off once the volume has drained under half the floor', () => {
    const pumping = new PressureSwitch(pumpingSwitchSettings(defaultChallengeConfig));
    pumping.observe({ volume: 500, conversion: 0 }, 0);
    expect(pumping.observe({ volume: 50, conversion: 0 }, 6 * minute)).toBeNull();
    expect(pumping.observe({ volume: 49, conversion: 0 }, 6 * minute)).toMatchObject({ type: 'off' });
  });

  it('a counter: on at the threshold, off under half of it; a threshold of 0 never switches on', () => {
    const network = new PressureSwitch(counterSwitchSettings(10, 300));
    expect(network.observe({ volume: 9 }, 0)).toBeNull();
    expect(network.observe({ volume: 10 }, 0)).toMatchObject({ type: 'on' });
    expect(network.observe({ volume: 5 }, 6 * minute)).toBeNull();
    expect(network.observe({ volume: 4 }, 6 * minute)).toMatchObject({ type: 'off' });
    const off = new PressureSwitch(counterSwitchSettings(0, 300));
    expect(off.observe({ volume: 1_000_000 }, 0)).toBeNull();
  });
});
