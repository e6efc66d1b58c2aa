import base from '@jobkit/vitest-config';
import { defineConfig, mergeConfig } from 'vitest/config';

export default mergeConfig(base, defineConfig({ test: { globalSetup: ['@jobkit/db/testing/global-setup'] } }));
