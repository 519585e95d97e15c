/** A transport's circuit: closed (used), open (skipped while it cools off), half-open (one probe allowed). */
export const circuitStates = ['closed', 'open', 'half_open'] as const;
export type CircuitState = (typeof circuitStates)[number];

/** What /readyz and /metrics show of one transport. */
export interface TransportState {
  /** host:port, never credentials. */
  name: string;
  circuit: CircuitState;
  failuresInARow: number;
  /** When it last accepted a message (ms since the epoch); null if never since start. */
  lastSuccessAtMs: number | null;
}

/**
 * The circuit breaker of one transport. After `failureThreshold` failures in a row it opens for
 * `coolOffMs`; then it is half-open: the next send probes it, a success closes it, a failure opens it
 * again at once (one more failure, not another `failureThreshold`).
 */
export class TransportCircuit {
  #failuresInARow = 0;
  #openedUntilMs: number | null = null;
  #lastSuccessAtMs: number | null = null;

  constructor(
    readonly name: string,
    private readonly failureThreshold: number,
    private readonly coolOffMs: number,
  ) {}

  state(nowMs: number): CircuitState {
    if (this.#openedUntilMs === null) return 'closed';
    return nowMs < this.#openedUntilMs ? 'open' : 'half_open';
  }

  /** Whether a send should pass this transport by (its circuit is open). */
  skips(nowMs: number): boolean {
    return this.state(nowMs) === 'open';
  }

  recordSuccess(nowMs: number): void {
    this.#failuresInARow = 0;
    this.#openedUntilMs = null;
    this.#lastSuccessAtMs = nowMs;
  }

  /** Counts a failure; true when it opened the circuit. */
  recordFailure(nowMs: number): boolean {
    this.#failuresInARow++;
    const probeFailed = this.state(nowMs) === 'half_open';
    if (!probeFailed && this.#failuresInARow < this.failureThreshold) return false;
    this.#openedUntilMs = nowMs + this.coolOffMs;
    return true;
  }

  snapshot(nowMs: number): TransportState {
    return {
      name: this.name,
      circuit: this.state(nowMs),
      failuresInARow: this.#failuresInARow,
      lastSuccessAtMs: this.#lastSuccessAtMs,
    };
  }
}
