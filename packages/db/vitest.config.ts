import base from '@jobkit/vitest-config';
import { defineConfig, mergeConfig } from 'vitest/config';

export default mergeConfig(base, defineConfig({ test: { globalSetup: ['./src/testing/global-setup.ts'] } }));
