// A transport is named in its registry and in its own files, and nowhere else: everything else reads
// the traits. This test fails when production code outside those files spells a transport's name as a
// string literal where a transport is meant, e.g. `if (job.transport === 'ws')` or `transports: ['sse']`.
//
// "Where a transport is meant" is decided by the type checker, not by the text: 'ws' is also the name
// of the WebSocket library, of the HTTP stack that library provides (`httpStack: 'framework' | 'ws'`)
// and of the calibration's raw echo (`kind: 'tcp' | 'ws'`). A literal counts as a transport name when
// the type it is checked against (its contextual type, or the other side of a comparison) has at least
// two transport names among its members: the TransportName union, or a subset of it. A literal in an
// untyped place (an argument of JSON.stringify, a plain string) is not checked, because there 'ws' is
// as often the package or the stack: give such an object its type (`satisfies ServerConfig`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { TRANSPORT_NAMES } from '../../servers/contract/transport-traits.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PRODUCTION = ['bench', 'servers', 'reports'];

/** Where names may be written: the registry, the name-to-implementation maps, each transport's own files. */
const ALLOWED = new Set([
  'servers/contract/transport-traits.ts',
  'servers/transports/index.ts',
  'bench/clients/index.ts',
  ...TRANSPORT_NAMES.flatMap((name) => [`servers/transports/${name}.ts`, `bench/clients/${name}.ts`]),
]);

const NAMES = new Set<string>(TRANSPORT_NAMES);

function program(): ts.Program {
  const configFile = ts.findConfigFile(ROOT, ts.sys.fileExists, 'tsconfig.json')!;
  const { config } = ts.readConfigFile(configFile, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
  return ts.createProgram(parsed.fileNames, parsed.options);
}

/** The string-literal members of a type (one for a literal type, several for a union). */
function literalMembers(type: ts.Type | undefined): string[] {
  if (!type) return [];
  const parts = type.isUnion() ? type.types : [type];
  return parts.filter((t) => t.isStringLiteral()).map((t) => (t as ts.StringLiteralType).value);
}

const meansTransport = (type: ts.Type | undefined) => literalMembers(type).filter((v) => NAMES.has(v)).length >= 2;

/** Every literal in `file` that names a transport where a transport is meant, as "file:line: text". */
function transportLiterals(checker: ts.TypeChecker, file: ts.SourceFile, relative: string): string[] {
  const found: string[] = [];
  const report = (node: ts.Node) => {
    const { line } = file.getLineAndCharacterOfPosition(node.getStart());
    found.push(`${relative}:${line + 1}: ${node.getText()}`);
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && NAMES.has(node.text)) {
      const parent = node.parent;
      if (ts.isImportDeclaration(parent) || ts.isExportDeclaration(parent) || ts.isExternalModuleReference(parent)) {
        // `import WebSocket from 'ws'` names a package.
      } else if (ts.isLiteralTypeNode(parent)) {
        // In a type: a union of transport names written out by hand.
        const union = parent.parent;
        if (ts.isUnionTypeNode(union) && meansTransport(checker.getTypeFromTypeNode(union))) report(node);
      } else if (ts.isBinaryExpression(parent) && parent.left !== parent.right) {
        const other = parent.left === node ? parent.right : parent.left;
        if (meansTransport(checker.getTypeAtLocation(other))) report(node);
      } else if (ts.isCaseClause(parent)) {
        if (meansTransport(checker.getTypeAtLocation(parent.parent.parent.expression))) report(node);
      } else if (meansTransport(checker.getContextualType(node))) {
        report(node);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function violations(p: ts.Program): string[] {
  const checker = p.getTypeChecker();
  return p
    .getSourceFiles()
    .map((file) => ({ file, relative: path.relative(ROOT, file.fileName).split(path.sep).join('/') }))
    .filter(({ relative }) => PRODUCTION.some((dir) => relative.startsWith(`${dir}/`)) && !ALLOWED.has(relative))
    .flatMap(({ file, relative }) => transportLiterals(checker, file, relative));
}

test('no transport name is written outside the registry and the transports’ own files', () => {
  const found = violations(program());
  assert.deepEqual(found, [], `read the transport's traits instead:\n${found.join('\n')}`);
});

test('the check finds a transport name where a transport is meant, and only there', () => {
  const source = [
    "import WebSocket from 'ws';",
    "type TransportName = 'short-poll' | 'long-poll' | 'sse' | 'ws';",
    "type Stack = 'framework' | 'ws';",
    'declare const t: TransportName;',
    'declare const stack: Stack;',
    "const a = t === 'sse';", // flagged: a comparison with a transport
    "const b = stack === 'ws';", // not flagged: the HTTP stack the ws library provides
    "const list: TransportName[] = ['long-poll'];", // flagged: a transport list
    "switch (t) { case 'ws': break; }", // flagged: a branch on the transport
    "const kind: 'tcp' | 'ws' = 'ws';", // not flagged: the calibration's echo kind
    "type Held = 'long-poll' | 'sse';", // flagged: a hand-written subset of the names
    'export { a, b, list, kind, WebSocket };',
  ].join('\n');
  const fileName = path.join(ROOT, 'bench', 'example.ts');
  const host = ts.createCompilerHost({ strict: true, noEmit: true, skipLibCheck: true });
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) =>
    name === fileName ? ts.createSourceFile(name, source, version, true) : read(name, version, ...rest);
  const p = ts.createProgram([fileName], { strict: true, noEmit: true, skipLibCheck: true, types: [] }, host);
  const lines = transportLiterals(p.getTypeChecker(), p.getSourceFile(fileName)!, 'bench/example.ts');
  assert.deepEqual(lines, [
    "bench/example.ts:2: 'short-poll'",
    "bench/example.ts:2: 'long-poll'",
    "bench/example.ts:2: 'sse'",
    "bench/example.ts:2: 'ws'",
    "bench/example.ts:6: 'sse'",
    "bench/example.ts:8: 'long-poll'",
    "bench/example.ts:9: 'ws'",
    "bench/example.ts:11: 'long-poll'",
    "bench/example.ts:11: 'sse'",
  ]);
});
