// TypeDoc plugin: a doc comment heading a block of exported constants documents the whole block.
//
// The constant files (errors/, winsock/constants.ts, codes/names.ts, structs/) list hundreds of
// Windows constants whose names are their documentation; what needs saying is said once per
// block:
//
//   /** Network event bits of WSAEventSelect / WSAEnumNetworkEvents. @group Network events (FD_*) */
//   export const FD_READ = 0x01;
//   export const FD_WRITE = 0x02;
//
// A block is a run of `export const` statements with no blank line between them; the comment on
// its first statement (summary and tags, `@group` included) is given to every constant of the run
// that has no comment of its own. A comment meant for one constant only is followed by a blank
// line. A constant outside any commented block stays undocumented, and test/api-docs.test.ts
// fails on it.
import ts from 'typescript';
import { Converter, ReflectionKind } from 'typedoc';

/** The statement that declares `symbol` when it is an `export const` statement, else undefined. */
function exportedConstStatement(symbol) {
  const declaration = symbol?.declarations?.[0];
  if (!declaration || !ts.isVariableDeclaration(declaration)) return undefined;
  const statement = declaration.parent?.parent;
  if (!statement || !ts.isVariableStatement(statement)) return undefined;
  const exported = statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  return exported ? statement : undefined;
}

function hasDocComment(statement) {
  return (statement.jsDoc?.length ?? 0) > 0;
}

/** The first statement of the block `statement` belongs to, when that one has a doc comment. */
function blockHead(statement) {
  const file = statement.getSourceFile();
  const statements = file.statements;
  let index = statements.indexOf(statement);
  while (index > 0 && !hasDocComment(statements[index])) {
    const previous = statements[index - 1];
    const between = file.text.slice(previous.end, statements[index].getStart(file));
    if (!ts.isVariableStatement(previous) || /\n[ \t]*\n/.test(between)) return undefined;
    index -= 1;
  }
  return hasDocComment(statements[index]) ? statements[index] : undefined;
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(
    Converter.EVENT_CREATE_DECLARATION,
    (context, reflection) => {
      if (!reflection.kindOf(ReflectionKind.Variable) || reflection.comment) return;
      const statement = exportedConstStatement(context.getSymbolFromReflection(reflection));
      const head = statement && blockHead(statement);
      if (!head || head === statement) return;
      const headSymbol = context.checker.getSymbolAtLocation(head.declarationList.declarations[0].name);
      const comment = headSymbol && context.getComment(headSymbol, ReflectionKind.Variable);
      if (comment) reflection.comment = comment.clone();
    },
    // Before TypeDoc's own comment handling of the declaration.
    1000,
  );
}
