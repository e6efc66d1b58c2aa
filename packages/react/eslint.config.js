import react from '@jobkit/eslint-config/react';

export default react;
