// The generator is no workspace package, so it reaches the shared config by path.
import base from '../../tooling/eslint/base.js';

export default base;
