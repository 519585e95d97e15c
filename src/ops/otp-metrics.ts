import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { type DefenceEvent, defenceOf } from '../abuse/defence-events.js';
import { deliveryStatuses } from '../core/code-delivery.js';
import type { DeliveryEventNotice } from '../core/delivery-event-recorder.js';
import type { OtpEvent } from '../core/otp-service.js';
import type { OutboxCounts } from '../mail/outbox-store.js';
import type { OutboxEvent } from '../mail/outbox-worker.js';
import { circuitStates, type TransportState } from '../mail/transport-circuit.js';

export interface OtpMetricsOptions {
  /** Read on every scrape for the outbox gauges (one query per scrape, shared by both gauges). */
  outboxCounts: () => Promise<OutboxCounts>;
  /** Each SMTP transport's state, read on every scrape (in memory: no I/O). @default none */
  transportStates?: () => TransportState[];
  /** Node's process metrics (memory, CPU, event-loop lag) beside ours. @default true */
  processMetrics?: boolean;
}

/** What the app counts, and the registry that exposes it. */
export interface OtpMetrics {
  registry: Registry;
  recordOtpEvent(event: OtpEvent): void;
  recordOutboxEvent(event: OutboxEvent): void;
  recordHttpResponse(input: { method: string; route: string; status: number; durationSeconds: number }): void;
  /** Delivery events (bounces, complaints, deliveries) by kind and result, and suppressions by cause. */
  recordDeliveryEvent(notice: DeliveryEventNotice): void;
  /** How many switches of a pressure signal are on in this process (pumping: 0 or 1; networks, domains: how many). */
  recordPressure(signal: string, active: number): void;
  /** One proof-of-work challenge outcome: issued, solved, or the reason it failed. */
  recordChallengeOutcome(outcome: string): void;
  /** A refusal by an abuse defence, or a defence that could not decide and let the request through. */
  recordDefenceEvent(event: DefenceEvent): void;
}

/**
 * Prometheus metrics on a registry of their own, not prom-client's global one: each app instance (and
 * each test) gets fresh counters, and two apps in one process never collide on a metric name.
 */
export function createOtpMetrics(options: OtpMetricsOptions): OtpMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  const httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP responses by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from request received to response sent, by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const codesRequested = new Counter({
    name: 'otp_codes_requested_total',
    help: 'Codes issued and queued for delivery',
    labelNames: ['purpose'] as const,
    registers,
  });
  const requestsRefused = new Counter({
    name: 'otp_code_requests_refused_total',
    help: 'Code requests refused by a limit',
    labelNames: ['reason'] as const,
    registers,
  });
  const codesVerified = new Counter({
    name: 'otp_codes_verified_total',
    help: 'Successful verifications',
    labelNames: ['purpose'] as const,
    registers,
  });
  const verifyFailures = new Counter({
    name: 'otp_verify_failures_total',
    help: 'Failed verifications by reason',
    labelNames: ['reason'] as const,
    registers,
  });
  const emailsSent = new Counter({ name: 'otp_emails_sent_total', help: 'Code emails accepted by the mail server', registers });
  const deliveryProblems = new Counter({
    name: 'otp_email_delivery_problems_total',
    help: 'Delivery attempts that did not succeed: retry (will try again), failed or expired (given up)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const deliveryLatency = new Histogram({
    name: 'otp_email_delivery_latency_seconds',
    help: 'From code request (email queued) to the mail server accepting the email',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers,
  });

  const deliveryEvents = new Counter({
    name: 'otp_delivery_events_total',
    help: 'Reports from mail systems (bounce_permanent, bounce_transient, complaint, delivered) by result: applied, recorded, unknown_message',
    labelNames: ['kind', 'result'] as const,
    registers,
  });
  const suppressions = new Counter({
    name: 'otp_suppressions_total',
    help: 'Addresses put on (or kept longer on) the suppression list, by cause',
    labelNames: ['cause'] as const,
    registers,
  });
  const pressureActive = new Gauge({
    name: 'otp_pressure_active',
    help: 'Pressure signals on in this process: pumping 0 or 1; network and domain: how many networks or domains are challenged',
    labelNames: ['signal'] as const,
    registers,
  });
  for (const signal of ['pumping', 'network', 'domain']) pressureActive.set({ signal }, 0);
  const challenges = new Counter({
    name: 'otp_challenges_total',
    help: 'Proof-of-work challenges on the request form: issued, solved, or the reason one failed',
    labelNames: ['outcome'] as const,
    registers,
  });
  const defenceRefusals = new Counter({
    name: 'otp_defence_refusals_total',
    help: 'Requests refused by an abuse defence: subnet_limit, domain_limit, disposable_address, no_mail_domain',
    labelNames: ['defence'] as const,
    registers,
  });
  const defenceFailOpens = new Counter({
    name: 'otp_defence_failed_open_total',
    help: 'Requests let through unchecked because a defence could not decide (mx_check: DNS timeout or failure)',
    labelNames: ['defence'] as const,
    registers,
  });

  // Both outbox gauges come from one counts() query; a scrape collects them concurrently.
  let countsInFlight: Promise<OutboxCounts> | undefined;
  const countsForThisScrape = () => {
    countsInFlight ??= options.outboxCounts().finally(() => {
      countsInFlight = undefined;
    });
    return countsInFlight;
  };
  new Gauge({
    name: 'otp_outbox_messages',
    help: 'Outbox messages by status (queued + sending = depth still to deliver)',
    labelNames: ['status'] as const,
    registers,
    async collect() {
      const counts = await countsForThisScrape();
      for (const status of deliveryStatuses) this.set({ status }, counts[status]);
    },
  });
  new Gauge({
    name: 'otp_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest email not yet delivered; 0 when none is waiting',
    registers,
    async collect() {
      const counts = await countsForThisScrape();
      this.set((counts.oldestPendingAgeMs ?? 0) / 1000);
    },
  });

  const emailsPaced = new Counter({
    name: 'otp_emails_paced_total',
    help: "Emails put back in the queue to wait for their recipient domain's next sending slot (no attempt spent)",
    registers,
  });
  const transportStates = options.transportStates ?? (() => []);
  new Gauge({
    name: 'otp_mail_transport_circuit',
    help: 'Circuit of each SMTP transport (host:port): 1 for its current state (closed, open, half_open), 0 for the others',
    labelNames: ['transport', 'state'] as const,
    registers,
    collect() {
      this.reset();
      for (const { name, circuit } of transportStates()) {
        for (const state of circuitStates) this.set({ transport: name, state }, state === circuit ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'otp_mail_transport_failures_in_a_row',
    help: 'Failed sends in a row of each SMTP transport (0 after a success)',
    labelNames: ['transport'] as const,
    registers,
    collect() {
      this.reset();
      for (const { name, failuresInARow } of transportStates()) this.set({ transport: name }, failuresInARow);
    },
  });
  new Gauge({
    name: 'otp_mail_transport_last_success_timestamp_seconds',
    help: 'When each SMTP transport last accepted a message (Unix time); absent until it has',
    labelNames: ['transport'] as const,
    registers,
    collect() {
      this.reset();
      for (const { name, lastSuccessAtMs } of transportStates()) {
        if (lastSuccessAtMs !== null) this.set({ transport: name }, lastSuccessAtMs / 1000);
      }
    },
  });

  return {
    registry,
    recordOtpEvent(event) {
      if (event.type === 'otp.requested') codesRequested.inc({ purpose: event.purpose });
      else if (event.type === 'otp.request_refused') requestsRefused.inc({ reason: event.reason });
      else if (event.type === 'otp.verified') codesVerified.inc({ purpose: event.purpose });
      else verifyFailures.inc({ reason: event.reason });
    },
    recordOutboxEvent(event) {
      if (event.type === 'otp.sent') {
        emailsSent.inc();
        deliveryLatency.observe(event.queuedForMs / 1000);
      } else if (event.type === 'otp.delivery_paced') emailsPaced.inc();
      else if (event.type === 'otp.delivery_retry') deliveryProblems.inc({ outcome: 'retry' });
      else if (event.type === 'otp.delivery_failed') deliveryProblems.inc({ outcome: 'failed' });
      else if (event.type === 'otp.delivery_expired') deliveryProblems.inc({ outcome: 'expired' });
    },
    recordDefenceEvent(event) {
      const defence = defenceOf(event);
      if (defence !== undefined) defenceRefusals.inc({ defence });
      else defenceFailOpens.inc({ defence: 'mx_check' });
    },
    recordHttpResponse({ method, route, status, durationSeconds }) {
      httpRequests.inc({ method, route, status: String(status) });
      httpDuration.observe({ method, route }, durationSeconds);
    },
    recordDeliveryEvent(notice) {
      if (notice.type === 'delivery.event') deliveryEvents.inc({ kind: notice.kind, result: notice.result });
      else suppressions.inc({ cause: notice.cause });
    },
    recordPressure(signal, active) {
      pressureActive.set({ signal }, active);
    },
    recordChallengeOutcome(outcome) {
      challenges.inc({ outcome });
    },
  };
}
