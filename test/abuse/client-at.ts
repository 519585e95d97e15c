import type { FastifyInstance } from 'fastify';
import { csrfTokenIn } from '../support/form-client.js';

export interface InjectedPage {
  status: number;
  body: string;
  headers: Record<string, string | string[] | number | undefined>;
}

/**
 * A browser at one client address, played through `app.inject` with `X-Forwarded-For` (the app runs
 * with TRUST_PROXY=true): thousands of clients in a test without thousands of sockets. It keeps its
 * cookies and the CSRF token of the form it loaded, as a real browser posting the form again would.
 */
export class ClientAt {
  private readonly cookies = new Map<string, string>();
  private csrfToken: string | undefined;

  constructor(
    private readonly app: FastifyInstance,
    readonly ip: string,
  ) {}

  async get(url: string): Promise<InjectedPage> {
    const page = await this.send({ method: 'GET', url });
    this.csrfToken = csrfTokenIn(page.body) ?? this.csrfToken;
    return page;
  }

  /** Posts the form fields with the CSRF token of the last page loaded. Redirects are not followed. */
  post(url: string, fields: Record<string, string>): Promise<InjectedPage> {
    const body = new URLSearchParams({ ...(this.csrfToken === undefined ? {} : { _csrf: this.csrfToken }), ...fields });
    return this.send({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: body.toString(),
    });
  }

  private async send(init: { method: 'GET' | 'POST'; url: string; headers?: Record<string, string>; payload?: string }) {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await this.app.inject({
      ...init,
      headers: { ...init.headers, 'x-forwarded-for': this.ip, ...(cookie === '' ? {} : { cookie }) },
    });
    for (const { name, value } of response.cookies as { name: string; value: string }[]) {
      if (value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: response.statusCode, body: response.body, headers: response.headers };
  }
}

/** Runs `task` over `items` with at most `parallel` in flight; results in the items' order. */
export async function inBatches<T, R>(items: readonly T[], parallel: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index]!);
      }
    }),
  );
  return results;
}

/** The value of one labelled counter on the app's /metrics registry (0 when never counted). */
export async function counterValue(
  app: { runtime: { metrics: { registry: { getMetricsAsJSON(): Promise<unknown> } } } },
  name: string,
  labels: Record<string, string>,
) {
  const metrics = (await app.runtime.metrics.registry.getMetricsAsJSON()) as {
    name: string;
    values: { value: number; labels: Record<string, string | number> }[];
  }[];
  const metric = metrics.find((candidate) => candidate.name === name);
  const match = metric?.values.find((value) => Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted));
  return match?.value ?? 0;
}
