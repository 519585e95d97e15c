import { defineConfig } from 'vitest/config';

export default defineConfig({
  // `import 'otp-app'` in tests resolves to the TypeScript sources (the package's `source` condition), not dist/.
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Integration files each boot servers and SMTP sinks; two cores are shared with them.
    maxWorkers: 2,
    // expect.poll waits for a signal; its 1 s default is too short on two cores shared with servers and browsers.
    expect: { poll: { timeout: 15_000 } },
  },
});
