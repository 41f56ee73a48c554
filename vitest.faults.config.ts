// The long fault-injection suite (`npm run test:faults`), kept out of `npm test`.
import { defineConfig } from 'vitest/config';
import base from './vitest.config';

// Not mergeConfig: it concatenates arrays, and the base's exclude of test/faults/** would stay.
export default defineConfig({
  ...base,
  test: { ...base.test, include: ['test/faults/**/*.test.ts'], exclude: ['node_modules/**'] },
});
