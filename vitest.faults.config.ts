// The long fault-injection suite (`npm run test:faults`), kept out of `npm test`.
import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config';

export default mergeConfig(
  base,
  defineConfig({ test: { include: ['test/faults/**/*.test.ts'], exclude: [] } }),
);
