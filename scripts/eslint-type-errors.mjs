/**
 * An ESLint rule that reports TypeScript's own errors, from the programs
 * typescript-eslint already builds for its type-aware rules (the server's,
 * with Node's types; the explorer's, with the DOM's): `npm run lint` is the
 * type-check too, and no second program is built for `tsc`.
 *
 * Each linted file gets its own errors. Files ESLint does not lint (the
 * generated ones) are checked once per program, their errors reported on the
 * first file linted with it, naming them.
 */
import ts from 'typescript';

const GENERATED = /\/(src\/graphql|client|test)\/generated\//;

/** Programs whose unlinted files were already checked. */
const checkedPrograms = new WeakSet();

const describe = (diagnostic) => `TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;

export const typeErrors = {
  meta: {
    type: 'problem',
    docs: { description: "TypeScript's errors, from typescript-eslint's program: lint is the type-check" },
    schema: [],
  },
  create(context) {
    const program = context.sourceCode.parserServices?.program;
    if (!program) return {};
    return {
      'Program:exit'(node) {
        const sourceFile = program.getSourceFile(context.physicalFilename);
        if (sourceFile === undefined) return;
        for (const diagnostic of [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)]) {
          const { line, character } = sourceFile.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
          context.report({ loc: { line: line + 1, column: character }, message: describe(diagnostic) });
        }
        if (checkedPrograms.has(program)) return;
        checkedPrograms.add(program);
        for (const generated of program.getSourceFiles().filter((file) => GENERATED.test(file.fileName))) {
          for (const diagnostic of program.getSemanticDiagnostics(generated)) {
            const { line } = generated.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
            context.report({ node, message: `In ${generated.fileName}:${line + 1}: ${describe(diagnostic)}` });
          }
        }
      },
    };
  },
};
