// A transport is named in its registry and in its own files, and nowhere else: everything else reads
// the traits. This test fails when production code outside those files writes a transport's name:
// `if (job.transport === 'ws')`, `transports: ['sse']`, `new Set(['long-poll', 'sse'])`,
// `{ 'short-poll': 1, ws: 4 }`, `byTransport.ws`.
//
// Every string literal and every property name (quoted or not) equal to a transport name counts, with
// three exceptions for the other meanings of 'ws' (the WebSocket library, the HTTP stack it provides,
// the calibration's raw echo):
// - a module specifier (`import WebSocket from 'ws'`);
// - a literal the type checker checks against a union of string literals that gives it another meaning
//   (`httpStack: 'framework' | 'ws'`, `kind: 'tcp' | 'ws'`): the other side of a comparison, the
//   switch's expression, or the literal's contextual type;
// - an entry of ALLOW below: a named declaration in a file where the name means something else and
//   nothing types it. It excuses one value, never a comparison, a case or a key.
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

/** A transport name in production code that means something else, in a way the type checker cannot tell. */
interface Allowed {
  readonly file: string;
  readonly name: string;
  /** The nearest enclosing declaration's name. */
  readonly within: string | undefined;
  readonly reason: string;
}

/**
 * Names that mean something else where the type checker cannot tell, because nothing types them. An
 * entry excuses one literal used as a value in that declaration, never a comparison, a case or a key,
 * so it cannot hide a branch on a transport or a second use.
 */
const ALLOW: readonly Allowed[] = [
  {
    file: 'bench/context.ts',
    name: 'ws',
    within: 'MEASURED_PACKAGES',
    reason: 'the npm package whose installed version a result records',
  },
  {
    file: 'bench/matrix.ts',
    name: 'ws',
    within: 'jobId',
    reason: "the HTTP stack in the job id (traits.httpStack === 'ws'), beside 'ws+deflate' and the framework",
  },
  {
    file: 'servers/contract/server-config.ts',
    name: 'ws',
    within: 'serverConfigSchema',
    reason: "the calibration echo's kind, z.enum(['tcp', 'ws']): a raw WebSocket echo, not the transport",
  },
];

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

/**
 * A type that gives a name another meaning: a union of string literals, not all of them transport
 * names and at most one of them a transport name ('framework' | 'ws', 'tcp' | 'ws'). A union of
 * transport names, `string` or no type at all does not excuse a name.
 */
function otherMeaning(type: ts.Type | undefined): boolean {
  if (!type) return false;
  const parts = type.isUnion() ? type.types : [type];
  if (!parts.every((t) => t.isStringLiteral())) return false;
  const members = literalMembers(type);
  const transports = members.filter((v) => NAMES.has(v)).length;
  return transports <= 1 && transports < members.length;
}

/** The name of the nearest enclosing declaration (variable, function, method, class, property). */
function enclosingName(node: ts.Node): string | undefined {
  for (let at: ts.Node | undefined = node.parent; at; at = at.parent) {
    if (
      (ts.isVariableDeclaration(at) ||
        ts.isFunctionDeclaration(at) ||
        ts.isMethodDeclaration(at) ||
        ts.isClassDeclaration(at) ||
        ts.isPropertyDeclaration(at)) &&
      at.name &&
      ts.isIdentifier(at.name)
    ) {
      return at.name.text;
    }
  }
  return undefined;
}

/** `node` is a property's name: `{ ws: 4 }`, `{ 'long-poll': 2 }`, `{ ws }`, `interface X { sse: … }`, `x.ws`. */
function isPropertyName(node: ts.Node): boolean {
  const parent = node.parent;
  if (ts.isBindingElement(parent)) return (parent.propertyName ?? parent.name) === node;
  return (
    (ts.isPropertyAssignment(parent) ||
      ts.isShorthandPropertyAssignment(parent) ||
      ts.isPropertySignature(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isMethodDeclaration(parent) ||
      ts.isPropertyAccessExpression(parent) ||
      ts.isEnumMember(parent)) &&
    parent.name === node
  );
}

/** `node` names a module: `import WebSocket from 'ws'`, `import('ws')`, `import('ws').WebSocket` in a type. */
function isModuleSpecifier(node: ts.Node): boolean {
  const parent = node.parent;
  return (
    ts.isImportDeclaration(parent) ||
    ts.isExportDeclaration(parent) ||
    ts.isExternalModuleReference(parent) ||
    ts.isImportTypeNode(parent.parent) ||
    (ts.isCallExpression(parent) && parent.expression.kind === ts.SyntaxKind.ImportKeyword)
  );
}

/**
 * Every transport name written in `file`, as "file:line: text": every string literal equal to a name
 * and every property name (quoted or not) equal to one, except a module specifier, a literal checked
 * against a union that gives it another meaning (see otherMeaning), and a literal used as a value that
 * an entry of `allowed` excuses (same file, name and enclosing declaration; recorded in `used`).
 */
function transportLiterals(
  checker: ts.TypeChecker,
  file: ts.SourceFile,
  relative: string,
  allowed: readonly Allowed[] = [],
  used = new Set<Allowed>(),
): string[] {
  const found: string[] = [];
  const report = (node: ts.Node) => {
    const { line } = file.getLineAndCharacterOfPosition(node.getStart());
    found.push(`${relative}:${line + 1}: ${node.getText()}`);
  };
  /** The type a literal is checked against: the other side of a comparison, the switch, or its context. */
  const checkedAgainst = (node: ts.Expression): ts.Type | undefined => {
    const parent = node.parent;
    if (ts.isBinaryExpression(parent)) {
      return checker.getTypeAtLocation(parent.left === node ? parent.right : parent.left);
    }
    if (ts.isCaseClause(parent)) return checker.getTypeAtLocation(parent.parent.parent.expression);
    return checker.getContextualType(node);
  };
  const visit = (node: ts.Node): void => {
    const parent = node.parent;
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && NAMES.has(node.text)) {
      if (isModuleSpecifier(node)) {
        // A package's name.
      } else if (ts.isLiteralTypeNode(parent)) {
        // In a type: excused only as a member of a union that gives it another meaning.
        const union = ts.isUnionTypeNode(parent.parent) ? parent.parent : parent;
        if (!otherMeaning(checker.getTypeFromTypeNode(union))) report(node);
      } else if (isPropertyName(node)) {
        report(node); // a key names a transport whatever the object's type
      } else if (!otherMeaning(checkedAgainst(node))) {
        // A comparison or a case is a branch on the name: never allow-listed.
        const branch = ts.isBinaryExpression(parent) || ts.isCaseClause(parent);
        const within = enclosingName(node);
        const entry = branch
          ? undefined
          : allowed.find((a) => a.file === relative && a.name === node.text && a.within === within);
        // One value each: a second 'ws' in the same declaration is a new use and needs its own review.
        if (entry && !used.has(entry)) used.add(entry);
        else report(node);
      }
    } else if (ts.isIdentifier(node) && NAMES.has(node.text) && isPropertyName(node)) {
      report(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function violations(p: ts.Program, used: Set<Allowed>): string[] {
  const checker = p.getTypeChecker();
  return p
    .getSourceFiles()
    .map((file) => ({ file, relative: path.relative(ROOT, file.fileName).split(path.sep).join('/') }))
    .filter(({ relative }) => PRODUCTION.some((dir) => relative.startsWith(`${dir}/`)) && !ALLOWED.has(relative))
    .flatMap(({ file, relative }) => transportLiterals(checker, file, relative, ALLOW, used));
}

test('no transport name is written outside the registry and the transports’ own files', () => {
  const used = new Set<Allowed>();
  const found = violations(program(), used);
  assert.deepEqual(found, [], `read the transport's traits instead:\n${found.join('\n')}`);
  // An entry nothing matches any more would silently excuse the next name written there.
  assert.deepEqual(
    ALLOW.filter((entry) => !used.has(entry)),
    [],
    'allow-list entries that match nothing: remove them',
  );
});

test('the check finds every transport name, and only where it names a transport', () => {
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
    "const rank: Record<TransportName, number> = { 'short-poll': 1, 'long-poll': 2, sse: 3, ws: 4 };", // flagged: keys
    "const held = new Set(['long-poll', 'sse']);", // flagged: an untyped set of names
    "const isHeld = ['long-poll', 'sse'].includes(t);", // flagged: an untyped list of names
    'declare const s: string;',
    "const isWs = s === 'ws';", // flagged: a comparison with a plain string
    'const fourth = rank.ws;', // flagged: a property named by a transport
    "interface Traits { httpStack: 'framework' | 'ws' }", // not flagged: a union with another meaning
    "function echo(k: 'tcp' | 'ws') { return k; }",
    "echo('ws');", // not flagged: the argument is checked against the echo kinds
    'const sse = 1;', // not flagged: a variable, not a literal or a key
    "const PACKAGES = ['express', 'ws'];", // not flagged: allow-listed below (the npm package)
    "const STACKS = ['ws', 'ws'];", // the first is allow-listed, the second is flagged
    "function packages(p: string) { return p === 'ws' ? ['ws'] : []; }", // the comparison is flagged, the value allowed
    'export { a, b, list, kind, rank, held, isHeld, isWs, fourth, sse, PACKAGES, STACKS, packages, WebSocket };',
    'export type { Held, Traits };',
  ].join('\n');
  const fileName = path.join(ROOT, 'bench', 'example.ts');
  const host = ts.createCompilerHost({ strict: true, noEmit: true, skipLibCheck: true });
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) =>
    name === fileName ? ts.createSourceFile(name, source, version, true) : read(name, version, ...rest);
  const options = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    types: [],
    lib: ['lib.es2022.d.ts'],
  };
  const p = ts.createProgram([fileName], options, host);
  const allowed: Allowed[] = [
    { file: 'bench/example.ts', name: 'ws', within: 'PACKAGES', reason: 'the npm package' },
    { file: 'bench/example.ts', name: 'ws', within: 'STACKS', reason: 'one stack label' },
    { file: 'bench/example.ts', name: 'ws', within: 'packages', reason: 'the npm package' },
  ];
  const used = new Set<Allowed>();
  const lines = transportLiterals(p.getTypeChecker(), p.getSourceFile(fileName)!, 'bench/example.ts', allowed, used);
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
    "bench/example.ts:12: 'short-poll'",
    "bench/example.ts:12: 'long-poll'",
    'bench/example.ts:12: sse',
    'bench/example.ts:12: ws',
    "bench/example.ts:13: 'long-poll'",
    "bench/example.ts:13: 'sse'",
    "bench/example.ts:14: 'long-poll'",
    "bench/example.ts:14: 'sse'",
    "bench/example.ts:16: 'ws'",
    'bench/example.ts:17: ws',
    "bench/example.ts:23: 'ws'",
    "bench/example.ts:24: 'ws'",
  ]);
  assert.deepEqual([...used], allowed);
  // The example compiles, so its types are the ones the comments describe.
  assert.deepEqual(
    ts.getPreEmitDiagnostics(p).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')),
    [],
  );
});
