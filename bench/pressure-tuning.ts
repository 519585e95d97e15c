// How the pumping defaults were chosen (docs/challenge.md): simulated traffic through the real switch
// (src/core/pressure-switch.ts with pumpingSwitchSettings), deterministic (seeded), no I/O.
//   npx tsx bench/pressure-tuning.ts
// For each candidate setting it reports, over simulated days of real traffic only, how long pressure was
// on by mistake; and over pumping attacks, how long until it switched on, how often it flapped, and how
// long it stayed on after the attack ended.
import { pumpingSwitchSettings } from '../src/core/pressure-signals.js';
import { PressureSwitch } from '../src/core/pressure-switch.js';

const stepS = 5; // the check interval (OTP_PRESSURE_CHECK_INTERVAL_SECONDS)
const ttlS = 300;

/** mulberry32: a small seeded PRNG, so every run prints the same table. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Code {
  issuedS: number;
  verifiedAtS: number | null;
}

interface Traffic {
  /** Real people per minute at time t (seconds). */
  peoplePerMinute: (t: number) => number;
  /** Share of real people who type the code back. */
  completion: number;
  /** Pumped codes per minute at time t while unchallenged (0 outside the attack). */
  pumpPerMinute: (t: number) => number;
  /** Share of pumped requests that still get through once challenged (the attacker pays for each). */
  pumpThroughChallenge: number;
}

interface Outcome {
  onSeconds: number;
  transitions: number;
  firstOnS: number | null;
  lastOffS: number | null;
}

function simulate(
  settings: Parameters<typeof pumpingSwitchSettings>[0] & { windowS: number },
  traffic: Traffic,
  durationS: number,
  seed: number,
): Outcome {
  const rand = random(seed);
  const pressure = new PressureSwitch(pumpingSwitchSettings(settings));
  const codes: Code[] = [];
  const poisson = (perStep: number) => {
    // Knuth's method is fine for the small means of one step.
    let k = 0;
    let p = 1;
    const limit = Math.exp(-perStep);
    do {
      k += 1;
      p *= rand();
    } while (p > limit);
    return k - 1;
  };
  const outcome: Outcome = { onSeconds: 0, transitions: 0, firstOnS: null, lastOffS: null };
  for (let t = 0; t < durationS; t += stepS) {
    for (let i = poisson((traffic.peoplePerMinute(t) * stepS) / 60); i > 0; i--) {
      const verifies = rand() < traffic.completion;
      // People type the code back after 10 s to 2 min; 15 % ask for a second code first.
      const delayS = 10 + Math.floor(rand() * 110);
      codes.push({ issuedS: t, verifiedAtS: verifies ? Math.min(t + delayS, t + ttlS) : null });
      if (rand() < 0.15) codes.push({ issuedS: t + 60, verifiedAtS: null });
    }
    const pumpRate = traffic.pumpPerMinute(t) * (pressure.active ? traffic.pumpThroughChallenge : 1);
    for (let i = poisson((pumpRate * stepS) / 60); i > 0; i--)
      codes.push({ issuedS: t, verifiedAtS: rand() < 0.01 ? t + 30 : null });

    const inWindow = codes.filter((code) => code.issuedS > t - settings.windowS && code.issuedS <= t);
    const verified = inWindow.filter((code) => code.verifiedAtS !== null && code.verifiedAtS <= t).length;
    const reading = { volume: inWindow.length, conversion: inWindow.length === 0 ? 1 : verified / inWindow.length };
    const transition = pressure.observe(reading, t * 1000);
    if (transition !== null) outcome.transitions += 1;
    if (transition?.type === 'on' && outcome.firstOnS === null) outcome.firstOnS = t;
    if (transition?.type === 'off') outcome.lastOffS = t;
    if (pressure.active) outcome.onSeconds += stepS;
    // Forget codes older than the window (keeps the simulation linear).
    while (codes.length > 0 && codes[0]!.issuedS <= t - settings.windowS) codes.shift();
  }
  return outcome;
}

const day = 86_400;
// A day with a morning and an evening peak.
const diurnal = (peak: number) => (t: number) => peak * (0.15 + 0.85 * Math.max(0, Math.sin((Math.PI * (t % day)) / day)) ** 2);

const candidates = [
  { conversionMin: 0.1, conversionRecovered: 0.2, volumeFloor: 50 },
  { conversionMin: 0.2, conversionRecovered: 0.35, volumeFloor: 50 },
  { conversionMin: 0.2, conversionRecovered: 0.35, volumeFloor: 100 },
  { conversionMin: 0.2, conversionRecovered: 0.25, volumeFloor: 100 },
  { conversionMin: 0.3, conversionRecovered: 0.45, volumeFloor: 100 },
  { conversionMin: 0.2, conversionRecovered: 0.35, volumeFloor: 200 },
];

console.log('window 600 s, min on 300 s, checked every 5 s; real people complete 45 % (a bad day) to 70 %');
console.log(
  'columns: false on (min/day) at 20, 200 people/min peak | attack 30/min: on after (s), flaps, off after end (s) | attack 300/min: same',
);
for (const candidate of candidates) {
  const settings = { ...candidate, minOnSeconds: 300, windowS: 600, networkRequestThreshold: 0, domainRequestThreshold: 0 };
  const falseOn = [20, 200].map((peak) =>
    Math.max(
      ...[0.45, 0.7].map((completion) =>
        Math.round(
          simulate(
            settings,
            { peoplePerMinute: diurnal(peak), completion, pumpPerMinute: () => 0, pumpThroughChallenge: 1 },
            day,
            7,
          ).onSeconds / 60,
        ),
      ),
    ),
  );
  const attack = (perMinute: number) => {
    const startS = 3600;
    const endS = startS + 1800;
    const result = simulate(
      settings,
      {
        peoplePerMinute: () => 5,
        completion: 0.6,
        pumpPerMinute: (t) => (t >= startS && t < endS ? perMinute : 0),
        pumpThroughChallenge: 0.1,
      },
      4 * 3600,
      11,
    );
    return `${result.firstOnS === null ? 'never' : result.firstOnS - startS} s, ${Math.max(0, result.transitions - 2)} flaps, ${result.lastOffS === null ? 'still on' : `${result.lastOffS - endS} s`}`;
  };
  console.log(
    `min ${candidate.conversionMin} recovered ${candidate.conversionRecovered} floor ${candidate.volumeFloor}: ` +
      `false on ${falseOn.join(', ')} | ${attack(30)} | ${attack(300)}`,
  );
}
