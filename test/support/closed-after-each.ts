import { afterEach } from 'vitest';

/**
 * What a test opened and must close (apps, workers, SMTP servers), closed after each test in reverse
 * order: `const opened = closedAfterEach();` in the describe, then `opened.add(await startSmtpTestServer())`.
 */
export function closedAfterEach(): { add<T extends { close(): Promise<unknown> }>(resource: T): T } {
  const open: { close(): Promise<unknown> }[] = [];
  afterEach(async () => {
    const failures: unknown[] = [];
    for (const resource of open.splice(0).reverse()) await resource.close().catch((error: unknown) => failures.push(error));
    if (failures.length > 0) throw failures[0];
  });
  return {
    add(resource) {
      open.push(resource);
      return resource;
    },
  };
}
