/**
 * `pnpm gen:kind <name>`: a new job kind, as one contract, one handler with its test, and one web
 * view, registered by one line in each of the three registries. Everything else (the `start<Kind>`
 * procedure, `startMany`, `analysis.kinds`, the React start hook, the snapshot union) is derived
 * from the contracts' registry. The templates make a kind that compiles, lints and passes its test
 * as written: input `{ text }`, output `{ characters }`, to be filled in.
 */
import type { PlopTypes } from '@turbo/gen';
import { addAfterLast, addEntry } from './registry-lines.ts';

const contractsIndex = 'packages/analyses/src/contracts/index.ts';
const handlersIndex = 'packages/analyses/src/handlers/index.ts';
const viewsIndex = 'apps/web/src/kinds/index.ts';

/** The kind's name and module name, spelt as the templates spell them (plop's own helpers). */
type Edit = (content: string, names: { kind: string; module: string }, file: string) => string;

function registryEdit(plop: PlopTypes.NodePlopAPI, path: string, edit: Edit): PlopTypes.ActionType {
  return {
    type: 'modify',
    path: `{{ turbo.paths.root }}/${path}`,
    transform: (content, answers) => {
      const names = { kind: plop.renderString('{{camelCase name}}', answers), module: plop.renderString('{{kebabCase name}}', answers) };
      return edit(content, names, path);
    },
  };
}

export default function generator(plop: PlopTypes.NodePlopAPI): void {
  plop.setGenerator('kind', {
    description: 'A job kind: contract, handler, handler test and web view, registered in the three registries',
    prompts: [
      {
        type: 'input',
        name: 'name',
        message: 'Kind name, camelCase (e.g. wordCount)',
        validate: (input: string) =>
          /^[a-z][a-zA-Z0-9]*$/.test(input) || 'A kind is camelCase letters and digits, starting with a lower-case letter (wordCount)',
      },
    ],
    actions: [
      ...(['contract', 'handler', 'handler.test', 'view'] as const).map((template) => ({
        type: 'add',
        path: {
          contract: '{{ turbo.paths.root }}/packages/analyses/src/contracts/{{kebabCase name}}.ts',
          handler: '{{ turbo.paths.root }}/packages/analyses/src/handlers/{{kebabCase name}}.ts',
          'handler.test': '{{ turbo.paths.root }}/packages/analyses/test/{{kebabCase name}}.test.ts',
          view: '{{ turbo.paths.root }}/apps/web/src/kinds/{{kebabCase name}}.tsx',
        }[template],
        templateFile: `templates/${template}.${template === 'view' ? 'tsx' : 'ts'}.hbs`,
        abortOnFail: true,
      })),
      registryEdit(plop, contractsIndex, (content, { kind, module }, file) => {
        const imported = addAfterLast(content, 'import ', `import { ${kind} } from './${module}.ts';`, file);
        const exported = addAfterLast(imported, 'export * from ', `export * from './${module}.ts';`, file);
        return addEntry(exported, 'export const analysisContracts', `[${kind}.kind]: ${kind},`, file);
      }),
      registryEdit(plop, handlersIndex, (content, { kind, module }, file) => {
        const imported = addAfterLast(content, 'import ', `import { ${kind}Handler } from './${module}.ts';`, file);
        return addEntry(imported, 'export const analysisHandlers', `${kind}: ${kind}Handler,`, file);
      }),
      registryEdit(plop, viewsIndex, (content, { kind, module }, file) => {
        const imported = addAfterLast(content, 'import ', `import { ${kind}View } from './${module}.tsx';`, file);
        return addEntry(imported, 'export const kindViews', `${kind}: ${kind}View,`, file);
      }),
    ],
  });
}
