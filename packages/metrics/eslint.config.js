import base from '@jobkit/eslint-config/base';

export default base;
