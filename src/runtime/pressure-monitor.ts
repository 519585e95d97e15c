import type { ChallengeConfig } from '../config/challenge-config.js';
import type { Clock } from '../core/clock.js';
import { counterSwitchSettings, type PressureSignal, pumpingSwitchSettings, thresholdOf } from '../core/pressure-signals.js';
import { type PressureReading, PressureSwitch, type PressureTransition } from '../core/pressure-switch.js';
import type { SoftCounters } from '../core/soft-counters.js';
import type { CodeConversion } from '../store/code-conversion.repository.js';

export type PressureEvent =
  | { type: 'pressure.on'; signal: PressureSignal; key?: string; reading: PressureReading }
  | { type: 'pressure.off'; signal: PressureSignal; key?: string; reading: PressureReading; lastedSeconds: number }
  | { type: 'pressure.check_failed'; signal: PressureSignal; error: unknown };

/** Whether this request must bring a solved challenge, because of which signals, and when to try again without one. */
export interface PressureAssessment {
  signals: PressureSignal[];
  /** When the signals that apply could switch off at the earliest (for the no-JavaScript message). */
  retryAfterSeconds: number;
}

export interface PressureMonitorOptions {
  settings: Readonly<ChallengeConfig>;
  counters: SoftCounters;
  /** Codes issued since a moment and how many were verified, deployment-wide (the database). */
  conversionSince: (sinceMs: number) => Promise<CodeConversion>;
  clock: Clock;
  events: (event: PressureEvent) => void;
  /**
   * Recipient domains never put under pressure by their own count (OTP_LARGE_PROVIDER_DOMAINS): real
   * traffic to gmail.com alone crosses any per-company threshold, and counting it would let a stranger
   * force the challenge on every Gmail user (and shut out those without JavaScript) with 30 posts a
   * minute. Attacks through them still show as pumping and per network.
   */
  largeProviders?: ReadonlySet<string>;
}

type KeyedSignal = 'network' | 'domain';

/** Most networks or domains held under pressure at once in one process; the oldest goes first. */
const maxKeysPerSignal = 10_000;

/**
 * The pressure state of this process. Pumping is read from the database on a timer (every process
 * reads the same figures); networks and domains are counted per request in shared soft counters, each
 * key with a switch of its own while it is under pressure. Every switch has hysteresis (pressure-switch.ts).
 */
export class PressureMonitor {
  readonly #pumping: PressureSwitch;
  readonly #keyed: Record<KeyedSignal, Map<string, PressureSwitch>> = { network: new Map(), domain: new Map() };
  readonly #windowMs: number;
  /** While the soft counters fail, one event says so (not one per request). */
  #countersFailing = false;

  constructor(private readonly options: PressureMonitorOptions) {
    this.#pumping = new PressureSwitch(pumpingSwitchSettings(options.settings));
    this.#windowMs = options.settings.counterWindowSeconds * 1000;
  }

  /** How many switches of `signal` are on in this process (pumping: 0 or 1). */
  activeCount(signal: PressureSignal): number {
    return signal === 'pumping' ? Number(this.#pumping.active) : this.#keyed[signal].size;
  }

  /** Reads the share of codes verified in the window and feeds the pumping switch. */
  async checkPumping(): Promise<void> {
    const nowMs = this.options.clock.nowMs();
    const { issued, verified } = await this.options.conversionSince(nowMs - this.options.settings.pressureWindowSeconds * 1000);
    const reading = { volume: issued, conversion: issued === 0 ? 1 : verified / issued };
    this.#report('pumping', undefined, this.#pumping.observe(reading, nowMs));
  }

  /** Looks again at every network and domain under pressure: those calm for long enough switch off. */
  async checkKeys(): Promise<void> {
    const nowMs = this.options.clock.nowMs();
    for (const signal of ['network', 'domain'] as const) {
      for (const [key, pressure] of this.#keyed[signal]) {
        if ((pressure.earliestOffMs() ?? 0) > nowMs) continue;
        const volume = await this.options.counters.peek(`${signal}:${key}`, this.#windowMs, nowMs);
        this.#observeKey(signal, key, pressure, { volume }, nowMs);
      }
    }
  }

  /**
   * Counts this request against its network and recipient domain and says which signals apply to it.
   * A counter that cannot be reached counts nothing (fail open): these only decide whether to ask for
   * a proof of work; the limits that refuse live elsewhere.
   */
  async assess(input: { network: string | null; domain: string | null }): Promise<PressureAssessment> {
    const nowMs = this.options.clock.nowMs();
    const signals: PressureSignal[] = [];
    let retryAfterMs = 0;
    if (this.#pumping.active) {
      signals.push('pumping');
      retryAfterMs = Math.max(
        retryAfterMs,
        (this.#pumping.earliestOffMs() ?? nowMs) - nowMs,
        this.options.settings.minOnSeconds * 1000,
      );
    }
    const keyed = await Promise.all(
      (['network', 'domain'] as const).map(async (signal) => {
        const key = input[signal];
        if (key === null || thresholdOf(signal, this.options.settings) === 0) return null;
        if (signal === 'domain' && this.options.largeProviders?.has(key)) return null;
        try {
          const volume = await this.options.counters.hit(`${signal}:${key}`, this.#windowMs, nowMs);
          this.#countersFailing = false;
          return { signal, key, volume };
        } catch (error) {
          if (!this.#countersFailing) this.options.events({ type: 'pressure.check_failed', signal, error });
          this.#countersFailing = true;
          return null;
        }
      }),
    );
    for (const hit of keyed) {
      if (hit === null) continue;
      const pressure = this.#keyed[hit.signal].get(hit.key) ?? this.#newKeySwitch(hit.signal);
      this.#observeKey(hit.signal, hit.key, pressure, { volume: hit.volume }, nowMs);
      if (!pressure.active) continue;
      signals.push(hit.signal);
      retryAfterMs = Math.max(retryAfterMs, (pressure.earliestOffMs() ?? nowMs) - nowMs, this.#windowMs);
    }
    return { signals, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) };
  }

  /** Checks pumping and the keys under pressure every `pumpingCheckIntervalSeconds`, until stopped. */
  start(): { stop(): void } {
    let running = false;
    const tick = async () => {
      if (running) return;
      running = true;
      try {
        await this.checkPumping();
        await this.checkKeys();
      } catch (error) {
        this.options.events({ type: 'pressure.check_failed', signal: 'pumping', error });
      } finally {
        running = false;
      }
    };
    // At once too: a process started in the middle of an attack challenges from its first seconds.
    void tick();
    const timer = setInterval(tick, this.options.settings.pumpingCheckIntervalSeconds * 1000);
    timer.unref();
    return { stop: () => clearInterval(timer) };
  }

  #newKeySwitch(signal: KeyedSignal): PressureSwitch {
    const settings = counterSwitchSettings(thresholdOf(signal, this.options.settings), this.options.settings.minOnSeconds);
    return new PressureSwitch(settings);
  }

  /** Only switches that are on are kept: a calm key costs no memory. */
  #observeKey(signal: KeyedSignal, key: string, pressure: PressureSwitch, reading: PressureReading, nowMs: number): void {
    const transition = pressure.observe(reading, nowMs);
    const keys = this.#keyed[signal];
    if (transition?.type === 'on') {
      if (keys.size >= maxKeysPerSignal) keys.delete(keys.keys().next().value!);
      keys.set(key, pressure);
    } else if (transition?.type === 'off') keys.delete(key);
    this.#report(signal, key, transition);
  }

  #report(signal: PressureSignal, key: string | undefined, transition: PressureTransition): void {
    if (transition === null) return;
    const where = key === undefined ? {} : { key };
    if (transition.type === 'on') this.options.events({ type: 'pressure.on', signal, ...where, reading: transition.reading });
    else
      this.options.events({
        type: 'pressure.off',
        signal,
        ...where,
        reading: transition.reading,
        lastedSeconds: Math.round(transition.lastedMs / 1000),
      });
  }
}
