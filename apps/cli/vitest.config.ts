import base from '@jobkit/vitest-config';

export default base;
