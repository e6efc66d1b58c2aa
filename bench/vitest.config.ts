export { default } from '@jobkit/vitest-config';
